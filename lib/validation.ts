import { z } from 'zod';
import type { CountryCode } from 'libphonenumber-js';
import { toE164 } from './phone';

const kind = (expected: string) => (iss: { input?: unknown }) =>
  iss.input === undefined ? 'is required' : `must be ${expected}`;

// Postgres text cannot hold U+0000: refused here as a bad field rather than failing the insert (500).
const noNul = (v: string) => !v.includes('\u0000');
const NUL_MESSAGE = 'must not contain NUL characters';

const text = (max: number) =>
  z
    .string({ error: kind('a string') })
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine(noNul, NUL_MESSAGE);

const optionalText = (max: number) =>
  z
    .string({ error: kind('a string') })
    .trim()
    .max(max, `must be at most ${max} characters`)
    .refine(noNul, NUL_MESSAGE)
    .nullish()
    .transform((v) => (v ? v : null));

const phone = (country: CountryCode) =>
  z
    .string({ error: kind('a string') })
    .max(40, 'must be at most 40 characters')
    .transform((value, ctx) => {
      const e164 = toE164(value, country);
      if (!e164) {
        ctx.addIssue({ code: 'custom', message: 'is not a valid phone number' });
        return z.NEVER;
      }
      return e164;
    });

const email = z
  .email({
    error: (iss) => (typeof iss.input === 'string' ? 'is not a valid e-mail address' : 'must be a string'),
  })
  .max(254, 'must be at most 254 characters')
  .nullish()
  .transform((v) => v ?? null);

/** Categories match case-insensitively: stored lower-case with single spaces. */
export const normalizeCategory = (value: string): string => value.trim().replace(/\s+/g, ' ').toLowerCase();
/** Zip codes match exactly, ignoring case and surrounding space (`SW1A 1AA`, `78701`). */
export const normalizeZip = (value: string): string => value.trim().replace(/\s+/g, ' ').toUpperCase();

const category = text(100).transform(normalizeCategory);
const zipCode = text(20).transform(normalizeZip);

const list = <T extends z.ZodType>(item: T, what: string) =>
  z
    .array(item, { error: kind(`an array of ${what}`) })
    .min(1, `must list at least one ${what.replace(/s$/, '')}`)
    .max(500, 'must have at most 500 entries')
    .transform((items) => [...new Set(items as string[])]);

const int = (min: number, max: number) =>
  z
    .number({ error: kind('a whole number') })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

export function leadInput(country: CountryCode) {
  return z.object({
    name: text(200),
    phone: phone(country),
    email,
    category,
    zipCode,
    city: optionalText(100),
    description: text(2000),
    budget: optionalText(100),
    // Stripe's smallest charge is 50 cents (in USD); the top guards against typos.
    priceCents: int(50, 1_000_000).optional(),
    maxUnlocks: int(1, 50).optional(),
  });
}
export type LeadInput = z.output<ReturnType<typeof leadInput>>;

export function providerInput(country: CountryCode) {
  return z.object({
    name: text(200),
    phone: phone(country),
    email,
    categories: list(category, 'categories'),
    zipCodes: list(zipCode, 'zip codes'),
    active: z.boolean({ error: kind('true or false') }).default(true),
  });
}
export type ProviderInput = z.output<ReturnType<typeof providerInput>>;

export const providerPatch = z
  .object({
    name: text(200).optional(),
    active: z.boolean({ error: kind('true or false') }).optional(),
    categories: list(category, 'categories').optional(),
    zipCodes: list(zipCode, 'zip codes').optional(),
  })
  .refine((p) => Object.values(p).some((v) => v !== undefined), {
    message: 'must change at least one of name, active, categories, zipCodes',
  });
export type ProviderPatch = z.output<typeof providerPatch>;

export const uuidParam = z.uuid('must be a UUID');

/** Ids we put in Stripe metadata are UUIDs; anything else belongs to another integration. */
export const isUuid = (v: unknown): v is string => uuidParam.safeParse(v).success;
