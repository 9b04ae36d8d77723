import * as z from 'zod/mini';
import { kind, optionalText, text } from '../http/fields';

/** A web address a browser could have shown: http(s), at most 2048 characters. */
const webUrl = () =>
  z.nullish(
    z
      .url({
        protocol: /^https?$/,
        error: (iss) => (typeof iss.input === 'string' ? 'must be an http(s) URL' : 'must be a string'),
      })
      .check(z.maxLength(2048, 'must be at most 2048 characters')),
  );

/** A client clock ahead of ours by this much is still "now". */
const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * `consent` on POST /leads: the wording the client agreed to and, where the form knows them, when,
 * from which address and browser, on which page, and a TrustedForm or Jornaya certificate. Stored
 * with the lead (lead_consents), never logged, never told to providers.
 */
export const consentInput = () =>
  z.strictObject(
    {
      text: text(5000),
      agreedAt: z.optional(
        z.pipe(
          z.iso.datetime({
            offset: true,
            error: kind('an ISO 8601 time with its offset, such as 2026-12-06T14:05:00Z'),
          }),
          z.transform((v, ctx) => {
            const at = new Date(v);
            if (at.getTime() > Date.now() + CLOCK_SKEW_MS) {
              ctx.issues.push({ code: 'custom', message: 'must not be in the future', input: v });
              return z.NEVER;
            }
            return at;
          }),
        ),
      ),
      ip: z.nullish(z.union([z.ipv4(), z.ipv6()], { error: 'must be an IPv4 or IPv6 address' })),
      userAgent: optionalText(1000),
      pageUrl: webUrl(),
      certificateUrl: webUrl(),
    },
    { error: kind('an object with the consent wording in text') },
  );
export type ConsentInput = z.output<ReturnType<typeof consentInput>>;
