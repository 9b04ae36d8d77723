import * as z from 'zod/mini';
import type { CountryCode } from 'libphonenumber-js';
import { email, phone } from '../http/fields';

/** `POST /privacy/erasures`: exactly one of a lead, a phone (read as POST /leads reads one), an e-mail. */
export function erasureInput(country: CountryCode) {
  const fields = {
    leadId: z.optional(z.uuid('must be a UUID')),
    phone: z.optional(phone(country)),
    // Any case: the lookup lower-cases both sides.
    email: z.optional(
      z.pipe(
        email(),
        z.transform((v) => v ?? undefined),
      ),
    ),
  };
  return z.pipe(
    z.object(fields).check(
      z.refine((o) => [o.leadId, o.phone, o.email].filter((v) => v !== undefined).length === 1, {
        message: `must name exactly one of ${Object.keys(fields).join(', ')}`,
      }),
    ),
    z.transform((o): ErasureRequest =>
      o.leadId !== undefined
        ? { leadId: o.leadId }
        : o.phone !== undefined
          ? { phone: o.phone }
          : { email: o.email! },
    ),
  );
}

export type ErasureRequest = { leadId: string } | { phone: string } | { email: string };
