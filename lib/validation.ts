import * as z from 'zod/mini';
import type { CountryCode } from 'libphonenumber-js';
import { lazy } from './lazy';
import { parseTeaserHours, TIME_ZONE_SHAPE } from './config';
import { hasNoNul, stripNul } from './http/body';
import { toE164 } from './phone';
import { decodeCursor, THREAD_KEY } from './http/cursor';
import { DEFAULT_LANGUAGE, LANGUAGES } from './sms/language';
import { MAX_REASON_TEXT } from './sms/parse-reply';
import { MAX_DECLINE_NOTE, RETURN_REASONS } from './sms/return-reason';

// zod/mini: the checks and messages of full zod at a tenth of the bundle (cold start).
// Schemas are built by functions, on first use, not at import: a function pays only for the
// schemas its requests need.
const kind = (expected: string) => (iss: { input?: unknown }) =>
  iss.input === undefined ? 'is required' : `must be ${expected}`;

// Postgres text cannot hold U+0000: refused here as a bad field rather than failing the insert (500).
const NUL_MESSAGE = 'must not contain NUL characters';

const text = (max: number) =>
  z
    .string({ error: kind('a string') })
    .check(
      z.trim(),
      z.minLength(1, 'must not be empty'),
      z.maxLength(max, `must be at most ${max} characters`),
      z.refine(hasNoNul, NUL_MESSAGE),
    );

const optionalText = (max: number) =>
  z.pipe(
    z.nullish(
      z
        .string({ error: kind('a string') })
        .check(
          z.trim(),
          z.maxLength(max, `must be at most ${max} characters`),
          z.refine(hasNoNul, NUL_MESSAGE),
        ),
    ),
    z.transform((v) => (v ? v : null)),
  );

const phone = (country: CountryCode) =>
  z.pipe(
    z.string({ error: kind('a string') }).check(z.maxLength(40, 'must be at most 40 characters')),
    z.transform((value, ctx) => {
      const e164 = toE164(value, country);
      if (!e164) {
        ctx.issues.push({ code: 'custom', message: 'is not a valid phone number', input: value });
        return z.NEVER;
      }
      return e164;
    }),
  );

const email = () =>
  z.pipe(
    z.nullish(
      z
        .email({
          error: (iss) =>
            typeof iss.input === 'string' ? 'is not a valid e-mail address' : 'must be a string',
        })
        .check(z.maxLength(254, 'must be at most 254 characters')),
    ),
    z.transform((v) => v ?? null),
  );

/** Categories match case-insensitively: stored lower-case with single spaces. */
export const normalizeCategory = (value: string): string => value.trim().replace(/\s+/g, ' ').toLowerCase();
/** Zip codes match exactly, ignoring case and surrounding space (`SW1A 1AA`, `78701`). */
export const normalizeZip = (value: string): string => value.trim().replace(/\s+/g, ' ').toUpperCase();

const category = () => z.pipe(text(100), z.transform(normalizeCategory));
const zipCode = () => z.pipe(text(20), z.transform(normalizeZip));

const list = (item: ReturnType<typeof category>, what: string) =>
  z.pipe(
    z
      .array(item, { error: kind(`an array of ${what}`) })
      .check(
        z.minLength(1, `must list at least one ${what.replace(/s$/, '')}`),
        z.maxLength(500, 'must have at most 500 entries'),
      ),
    z.transform((items) => [...new Set(items)]),
  );

const int = (min: number, max: number) =>
  z
    .number({ error: kind('a whole number') })
    .check(
      z.refine(Number.isInteger, 'must be a whole number'),
      z.gte(min, `must be at least ${min}`),
      z.lte(max, `must be at most ${max}`),
    );

export function leadInput(country: CountryCode) {
  return z.object({
    name: text(200),
    phone: phone(country),
    email: email(),
    category: category(),
    zipCode: zipCode(),
    city: optionalText(100),
    description: text(2000),
    budget: optionalText(100),
    // Stripe's smallest charge is 50 cents (in USD); the top guards against typos.
    priceCents: z.optional(int(50, 1_000_000)),
    maxUnlocks: z.optional(int(1, 50)),
  });
}
export type LeadInput = z.output<ReturnType<typeof leadInput>>;

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
/** The language of their SMS (the SMS keywords ESPANOL / ENGLISH change it too). */
const language = () => z.enum(LANGUAGES, { error: kind(`one of ${LANGUAGES.join(', ')}`) });

const budgets = () => ({
  // Integer cents (the column is a 32-bit integer): up to 10 million in the currency's main unit.
  weeklySpendCapCents: z.optional(cap(1_000_000_000)),
  dailyLeadCap: z.optional(cap(10_000)),
  timeZone: z.optional(timeZone()),
});

export function providerInput(country: CountryCode) {
  return z.object({
    name: text(200),
    phone: phone(country),
    email: email(),
    categories: list(category(), 'categories'),
    zipCodes: list(zipCode(), 'zip codes'),
    active: z._default(z.boolean({ error: kind('true or false') }), true),
    ...budgets(),
    teaserHours: z.optional(teaserHours()),
    /** Charge the saved card on YES, once their first Checkout saved one (default on). */
    autoPay: z._default(z.boolean({ error: kind('true or false') }), true),
    language: z._default(language(), DEFAULT_LANGUAGE),
  });
}
export type ProviderInput = z.output<ReturnType<typeof providerInput>>;

export const providerPatch = lazy(() =>
  z
    .object({
      name: z.optional(text(200)),
      active: z.optional(z.boolean({ error: kind('true or false') })),
      categories: z.optional(list(category(), 'categories')),
      zipCodes: z.optional(list(zipCode(), 'zip codes')),
      ...budgets(),
      teaserHours: z.optional(teaserHours()),
      /** Charge the saved card when they reply YES (the SMS keywords AUTO ON / AUTO OFF). */
      autoPay: z.optional(z.boolean({ error: kind('true or false') })),
      language: z.optional(language()),
    })
    .check(
      z.refine((p) => Object.values(p).some((v) => v !== undefined), {
        message:
          'must change at least one of name, active, categories, zipCodes, weeklySpendCapCents, dailyLeadCap, timeZone, teaserHours, autoPay, language',
      }),
    ),
);
export type ProviderPatch = z.output<ReturnType<typeof providerPatch>>;

export const uuidParam = lazy(() => z.uuid('must be a UUID'));

/** A TextMagic id: a string or a non-negative integer, kept as a string. */
const textMagicId = () =>
  z.pipe(
    z.union([z.string().check(z.trim(), z.minLength(1), z.maxLength(64)), z.int().check(z.nonnegative())]),
    z.transform(String).check(z.refine(hasNoNul, NUL_MESSAGE)),
  );
const digits = () => z.pipe(z.union([z.string(), z.number()]), z.transform(String));

/** TextMagic's inbound SMS callback (numbers without "+", as TextMagic sends them). */
export const inboundSmsInput = lazy(() =>
  z.object({
    id: textMagicId(),
    sender: z.pipe(digits(), z.string().check(z.regex(/^\+?\d{7,15}$/, 'must be a phone number in digits'))),
    receiver: z.optional(z.pipe(digits(), z.transform(stripNul))),
    text: z.pipe(z._default(z.string().check(z.maxLength(2000)), ''), z.transform(stripNul)),
    messageTime: z.optional(z.pipe(z.string().check(z.maxLength(64)), z.transform(stripNul))),
  }),
);

/** TextMagic's delivery report callback. */
export const deliveryReportInput = lazy(() =>
  z.object({
    id: textMagicId(),
    status: z.string().check(z.trim(), z.minLength(1), z.maxLength(8), z.refine(hasNoNul, NUL_MESSAGE)),
    receiver: z.optional(digits()),
    sessionId: z.optional(textMagicId()),
  }),
);

// ------------------------------------------------------------------------------------------
// Admin: the SMS needing the operator, Stripe follow-ups

/** An outbox row's id (a bigserial) in a path: digits, within JavaScript's safe integers. */
export const smsIdParam = lazy(() =>
  z.pipe(z.string().check(z.regex(/^[1-9]\d{0,14}$/, 'must be an SMS id')), z.transform(Number)),
);

/** `?limit=`: 1 to 100. */
const pageLimit = () =>
  z.optional(
    z.pipe(
      z.string().check(z.regex(/^(100|[1-9]\d?)$/, 'must be a whole number from 1 to 100')),
      z.transform(Number),
    ),
  );

/** An opaque cursor naming the last SMS id of the previous page (base64url of its digits). */
export const encodeIdCursor = (id: number): string => Buffer.from(String(id)).toString('base64url');
const idCursor = () =>
  z.optional(
    z.pipe(
      z.string().check(z.maxLength(40, 'is not a valid cursor')),
      z.transform((value, ctx) => {
        const id = Buffer.from(value, 'base64url').toString('latin1');
        if (!/^[1-9]\d{0,14}$/.test(id) || encodeIdCursor(Number(id)) !== value) {
          ctx.issues.push({ code: 'custom', message: 'is not a valid cursor', input: value });
          return z.NEVER;
        }
        return Number(id);
      }),
    ),
  );

/** `GET /sms?status=failed|attention&cursor=&limit=`. */
export const smsListQuery = lazy(() =>
  z.object({
    status: z._default(
      z.enum(['failed', 'attention'], { error: 'must be failed or attention' }),
      'attention',
    ),
    cursor: idCursor(),
    limit: pageLimit(),
  }),
);
export type SmsListQuery = z.output<ReturnType<typeof smsListQuery>>;

/** `GET /stripe/tasks?status=pending`. */
export const stripeTasksQuery = lazy(() =>
  z.object({ status: z._default(z.enum(['pending'], { error: 'must be pending' }), 'pending') }),
);

// ------------------------------------------------------------------------------------------
// Admin list and report queries. Every value of a query string is a string; an empty one counts
// as not given (a console form's empty field).

/** `schema` for an optional query parameter: absent or empty is undefined. */
const param = <S extends z.ZodMiniType>(schema: S) =>
  z.pipe(
    z.transform((v: unknown) => (v === '' ? undefined : v)),
    z.optional(schema),
  );

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME_RE =
  /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/i;
const MIN_YEAR = 1970;
const MAX_YEAR = 9999;

/** Midnight UTC of a calendar date `YYYY-MM-DD`, or undefined (no 2026-02-30, years 1970–9999). */
export function calendarDate(value: string): Date | undefined {
  const m = DATE_RE.exec(value);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < MIN_YEAR || y > MAX_YEAR) return undefined;
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCMonth() === mo - 1 && date.getUTCDate() === d ? date : undefined;
}

/** A point in time from a query: `date` when given as a calendar date (midnight UTC). */
export type Instant = { at: Date; date: boolean };

function instant(value: string): Instant | undefined {
  const day = calendarDate(value);
  if (day) return { at: day, date: true };
  const m = DATETIME_RE.exec(value);
  if (!m || !calendarDate(m[1]!)) return undefined;
  const [h, min, s, oh, om] = [m[2], m[3], m[4] ?? '0', m[5] ?? '0', m[6] ?? '0'].map(Number);
  if (h! > 23 || min! > 59 || s! > 59 || oh! > 23 || om! > 59) return undefined;
  const at = new Date(value);
  if (Number.isNaN(at.getTime()) || at.getUTCFullYear() < MIN_YEAR || at.getUTCFullYear() > MAX_YEAR) {
    return undefined;
  }
  return { at, date: false };
}

const queryText = (max: number) =>
  z
    .string({ error: kind('a string') })
    .check(
      z.trim(),
      z.minLength(1, 'must not be empty'),
      z.maxLength(max, `must be at most ${max} characters`),
      z.refine(hasNoNul, NUL_MESSAGE),
    );

const parsed = <T>(parse: (v: string) => T | undefined, message: string) =>
  z.pipe(
    z.string({ error: kind('a string') }),
    z.transform((value, ctx) => {
      const out = parse(value);
      if (out === undefined) {
        ctx.issues.push({ code: 'custom', message, input: value });
        return z.NEVER;
      }
      return out;
    }),
  );

const INSTANT_MESSAGE = 'must be an ISO date (YYYY-MM-DD) or date-time with an offset (2026-11-26T10:00:00Z)';

/** The exclusive end of a `to`: a date means through the end of that day (UTC). */
export const endOf = (to: Instant): Date =>
  to.date ? new Date(to.at.getTime() + 86_400_000) : new Date(to.at.getTime() + 1);

/** Where the object's own fields `names` parsed: a cross-field check runs only then. */
const fieldsParsed =
  (...names: string[]) =>
  (payload: { issues: ReadonlyArray<{ path?: PropertyKey[] | undefined }> }) =>
    !payload.issues.some((i) => names.includes(String(i.path?.[0])));

/** `GET /leads`: cursor, limit 1..100, and the filters. */
export const leadListQuery = lazy(() =>
  z
    .object({
      cursor: param(parsed(decodeCursor, 'is not a cursor from this list (use nextCursor as given)')),
      limit: param(
        parsed(
          (v) => (/^\d{1,3}$/.test(v) && Number(v) >= 1 && Number(v) <= 100 ? Number(v) : undefined),
          'must be a whole number from 1 to 100',
        ),
      ),
      status: param(z.enum(['open', 'full', 'expired'], { error: 'must be open, full or expired' })),
      category: param(z.pipe(queryText(100), z.transform(normalizeCategory))),
      zipCode: param(z.pipe(queryText(20), z.transform(normalizeZip))),
      from: param(parsed(instant, INSTANT_MESSAGE)),
      to: param(parsed(instant, INSTANT_MESSAGE)),
      q: param(queryText(200)),
    })
    .check(
      z.refine((o) => !o.from || !o.to || o.from.at.getTime() < endOf(o.to).getTime(), {
        message: 'must not be before from',
        path: ['to'],
        when: fieldsParsed('from', 'to'),
      }),
    ),
);
export type LeadListQuery = z.output<ReturnType<typeof leadListQuery>>;

/** The longest range `GET /stats` reports on, in days (a leap year). */
export const STATS_MAX_DAYS = 366;
const DAY_MESSAGE = 'must be a date (YYYY-MM-DD)';
const days = (from: Date, to: Date) => Math.round((to.getTime() - from.getTime()) / 86_400_000) + 1;

/** Midnight UTC of today. */
export const todayUtc = (now = new Date()): Date =>
  new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));

/**
 * The days `GET /stats` covers: `to` defaults to today (UTC), `from` to 29 days before `to`
 * (30 days in all).
 */
export function statsRange(q: { from?: Date | undefined; to?: Date | undefined }): { from: Date; to: Date } {
  const to = q.to ?? todayUtc();
  return { from: q.from ?? new Date(to.getTime() - 29 * 86_400_000), to };
}

/** `GET /stats`: whole days (UTC) `from`..`to`, both included, and the grouping. */
export const statsQuery = lazy(() =>
  z
    .object({
      from: param(parsed(calendarDate, DAY_MESSAGE)),
      to: param(parsed(calendarDate, DAY_MESSAGE)),
      groupBy: z._default(
        param(z.enum(['day', 'category'], { error: 'must be day or category' })),
        'day' as const,
      ),
    })
    .check(
      z.refine(
        (o) => {
          const { from, to } = statsRange(o);
          return from.getTime() <= to.getTime();
        },
        {
          message: 'must not be before from (to defaults to today UTC)',
          path: ['to'],
          when: fieldsParsed('from', 'to'),
        },
      ),
      z.refine(
        (o) => {
          const { from, to } = statsRange(o);
          return days(from, to) <= STATS_MAX_DAYS;
        },
        {
          message: `must be at most ${STATS_MAX_DAYS} days from from, both included (to defaults to today UTC)`,
          path: ['to'],
          when: fieldsParsed('from', 'to'),
        },
      ),
    ),
);
export type StatsQuery = z.output<ReturnType<typeof statsQuery>>;

// ------------------------------------------------------------------------------------------
// Admin: returns of bad leads

/** `GET /returns`: the queue by status (open by default), newest first, a page at a time. */
export const returnListQuery = lazy(() =>
  z.object({
    status: z._default(
      z.enum(['open', 'approved', 'declined'], { error: 'must be open, approved or declined' }),
      'open',
    ),
    cursor: param(parsed(decodeCursor, 'is not a cursor from this list (use nextCursor as given)')),
    limit: pageLimit(),
  }),
);
export type ReturnListQuery = z.output<ReturnType<typeof returnListQuery>>;

/** `GET /providers/{id}/sms?cursor=&limit=`: a provider's conversation, a page at a time. */
export const providerThreadQuery = lazy(() =>
  z.object({
    cursor: param(
      parsed(
        (value) => decodeCursor(value, THREAD_KEY),
        'is not a cursor from this list (use nextCursor as given)',
      ),
    ),
    limit: pageLimit(),
  }),
);
export type ProviderThreadQuery = z.output<ReturnType<typeof providerThreadQuery>>;

/** `POST /returns/{id}/decline`: the note the provider is sent. */
export const declineReturnInput = lazy(() => z.object({ note: text(MAX_DECLINE_NOTE) }));

/** `POST /unlocks/{id}/return`: a return an operator opens for the provider. */
export const consoleReturnInput = lazy(() =>
  z.object({
    reason: z.enum(RETURN_REASONS, { error: `must be one of ${RETURN_REASONS.join(', ')}` }),
    text: optionalText(MAX_REASON_TEXT),
  }),
);
