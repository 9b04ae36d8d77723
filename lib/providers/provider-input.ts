import * as z from 'zod/mini';
import type { CountryCode } from 'libphonenumber-js';
import { parseTeaserHours, TIME_ZONE_SHAPE } from '../config';
import { THREAD_KEY } from '../http/cursor';
import {
  category,
  cursorParam,
  email,
  int,
  kind,
  list,
  pageLimit,
  phone,
  text,
  zipCode,
} from '../http/fields';
import { lazy } from '../lazy';
import { DEFAULT_LANGUAGE, LANGUAGE_CODES } from '../sms/language';

/** The admin API's provider requests: `POST /providers`, `PATCH /providers/{id}`, `GET /providers/{id}/sms`. */

/** Whether the runtime's zone database knows this IANA name (the first call loads it: admin routes only). */
function knownZone(name: string): boolean {
  if (!TIME_ZONE_SHAPE.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** A provider's budgets: a whole number or null (no cap; null clears one). */
const cap = (max: number) => z.nullable(int(0, max));
/** The weekly cap's ceiling: the column is a 32-bit integer of cents (10 million in the main unit). */
export const MAX_WEEKLY_SPEND_CAP_CENTS = 1_000_000_000;
/** The daily lead cap: a whole number up to 10,000, or null (no cap). */
export const dailyLeadCap = () => cap(10_000);
const timeZone = () =>
  z.nullable(
    z
      .string({ error: kind('an IANA time zone name such as America/Chicago, or null') })
      .check(
        z.trim(),
        z.maxLength(64, 'must be at most 64 characters'),
        z.refine(knownZone, 'is not a known IANA time zone name (such as America/Chicago)'),
      ),
  );
/**
 * Their teaser hours, local to their time zone (lib/leads/quiet-hours.ts): `HH:MM-HH:MM`, read
 * as minutes; null clears them (TEASER_HOURS then).
 */
const teaserHours = () =>
  z.nullable(
    z.pipe(
      z.string({ error: kind('hours such as 08:00-21:00, or null for the default') }).check(
        z.trim(),
        z.maxLength(32, 'must be at most 32 characters'),
        z.refine(
          (s) => parseTeaserHours(s) !== undefined,
          'must be HH:MM-HH:MM in 24-hour time, such as 08:00-21:00 (22:00-06:00 wraps midnight, 00:00-24:00 is all day), start and end not the same',
        ),
      ),
      z.transform((s) => parseTeaserHours(s)!),
    ),
  );
/**
 * The language of their SMS, one of the registry's (lib/sms/languages/; the database keeps no
 * list): the SMS keywords ESPANOL / ENGLISH change it too.
 */
const language = () => z.enum(LANGUAGE_CODES, { error: kind(`one of ${LANGUAGE_CODES.join(', ')}`) });

const budgets = () => ({
  weeklySpendCapCents: z.optional(cap(MAX_WEEKLY_SPEND_CAP_CENTS)),
  dailyLeadCap: z.optional(dailyLeadCap()),
  timeZone: z.optional(timeZone()),
});

/**
 * What a provider may change of their own (the admin PATCH, and the portal's Settings,
 * lib/portal/account-input.ts): one set of rules, each field optional.
 */
export const providerSettings = () => ({
  dailyLeadCap: z.optional(dailyLeadCap()),
  timeZone: z.optional(timeZone()),
  teaserHours: z.optional(teaserHours()),
  /** Charge the saved card when they reply YES (the SMS keywords AUTO ON / AUTO OFF). */
  autoPay: z.optional(z.boolean({ error: kind('true or false') })),
  language: z.optional(language()),
});

export function providerInput(country: CountryCode) {
  return z.object({
    name: text(200),
    phone: phone(country),
    email: email(),
    categories: list(category(), 'categories'),
    zipCodes: list(zipCode(country), 'zip codes'),
    active: z._default(z.boolean({ error: kind('true or false') }), true),
    ...budgets(),
    teaserHours: z.optional(teaserHours()),
    /** Charge the saved card on YES, once their first Checkout saved one (default on). */
    autoPay: z._default(z.boolean({ error: kind('true or false') }), true),
    language: z._default(language(), DEFAULT_LANGUAGE),
  });
}
export type ProviderInput = z.output<ReturnType<typeof providerInput>>;

/**
 * Only the fields sent are checked: a provider stored before zip codes were checked for
 * DEFAULT_COUNTRY keeps its list (GET shows it) until a PATCH sends `zipCodes` anew.
 */
export function providerPatch(country: CountryCode) {
  const fields = {
    name: z.optional(text(200)),
    active: z.optional(z.boolean({ error: kind('true or false') })),
    categories: z.optional(list(category(), 'categories')),
    zipCodes: z.optional(list(zipCode(country), 'zip codes')),
    weeklySpendCapCents: z.optional(cap(MAX_WEEKLY_SPEND_CAP_CENTS)),
    ...providerSettings(),
  };
  return z.object(fields).check(
    z.refine((p) => Object.values(p).some((v) => v !== undefined), {
      // The fields a PATCH may change, named from the schema itself.
      message: `must change at least one of ${Object.keys(fields).join(', ')}`,
    }),
  );
}
export type ProviderPatch = z.output<ReturnType<typeof providerPatch>>;

/** `GET /providers/{id}/sms?cursor=&limit=`: a provider's conversation, a page at a time. */
export const providerThreadQuery = lazy(() =>
  z.object({
    cursor: cursorParam(THREAD_KEY),
    limit: pageLimit(),
  }),
);
export type ProviderThreadQuery = z.output<ReturnType<typeof providerThreadQuery>>;
