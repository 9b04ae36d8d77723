/** Request bodies of the operators' routes (zod/mini; lib/http/fields.ts's builders). */
import * as z from 'zod/mini';
import { text } from '../http/fields';
import { newPassword } from './password';
import { ROLES } from './access';

const roleField = () => z.enum(ROLES as ['owner', 'staff', 'viewer'], 'must be owner, staff or viewer');

/** An e-mail, kept as typed but trimmed (matched in any case). */
export const operatorEmail = () =>
  z
    .email({
      error: (iss) => (typeof iss.input === 'string' ? 'is not a valid e-mail address' : 'must be a string'),
    })
    .check(z.trim(), z.maxLength(254, 'must be at most 254 characters'));

export const newOperatorInput = () =>
  z.strictObject({ email: operatorEmail(), name: text(200), role: roleField() });

export const operatorPatchInput = () =>
  z
    .strictObject({
      role: z.optional(roleField()),
      active: z.optional(z.boolean('must be true or false')),
      name: z.optional(text(200)),
    })
    .check(z.refine((p) => Object.keys(p).length > 0, 'must change at least one of role, active, name'));

export const teamSettingsInput = () =>
  z.strictObject({ staffMoneyActions: z.boolean('must be true or false') });

/** A TOTP code as typed: six digits, spaces allowed. */
export const totpCode = () =>
  z
    .string('must be the 6-digit code')
    .check(z.trim(), z.regex(/^\d{3}\s?\d{3}$/, 'must be the 6-digit code from the authenticator app'));

export const codeInput = () => z.object({ code: totpCode() });

export const acceptInviteInput = () =>
  z.object({
    token: z
      .string('must be the invite link’s token')
      .check(z.regex(/^[\w-]{43}$/, 'is not an invite token')),
    password: newPassword(),
  });

/** Sign-in with the admin key (only before any owner exists). */
export const keySignInInput = () =>
  z.object({
    key: z
      .string('must be the admin key')
      .check(z.minLength(1, 'must not be empty'), z.maxLength(1000, 'is too long')),
  });

/** Sign-in by e-mail and password, and the code when the operator has a second factor. */
export const passwordSignInInput = () =>
  z.object({
    email: z
      .string('must be an e-mail address')
      .check(z.trim(), z.minLength(1, 'must not be empty'), z.maxLength(254, 'is too long')),
    password: z
      .string('must be a string')
      .check(z.minLength(1, 'must not be empty'), z.maxLength(1000, 'is too long')),
    code: z.optional(totpCode()),
  });
