import * as z from 'zod/mini';
import type { CountryCode } from 'libphonenumber-js';
import { lazy } from '../lazy';
import { toE164 } from '../phone';
import { hasNoNul } from './body';
import { decodeCursor } from './cursor';

/**
 * The field builders every module's request schemas are made of (zod/mini), each with the
 * message a client reads in `details`; the schemas themselves live in the module that owns the
 * resource (lib/leads/lead-input.ts, lib/providers/provider-input.ts, …).
 */

// zod/mini: the checks and messages of full zod at a tenth of the bundle (cold start).
// Schemas are built by functions, on first use, not at import: a function pays only for the
// schemas its requests need.
export const kind = (expected: string) => (iss: { input?: unknown }) =>
  iss.input === undefined ? 'is required' : `must be ${expected}`;

// Postgres text cannot hold U+0000: refused here as a bad field rather than failing the insert (500).
export const NUL_MESSAGE = 'must not contain NUL characters';

export const text = (max: number) =>
  z
    .string({ error: kind('a string') })
    .check(
      z.trim(),
      z.minLength(1, 'must not be empty'),
      z.maxLength(max, `must be at most ${max} characters`),
      z.refine(hasNoNul, NUL_MESSAGE),
    );

export const optionalText = (max: number) =>
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

export const phone = (country: CountryCode) =>
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

export const email = () =>
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

export const category = () => z.pipe(text(100), z.transform(normalizeCategory));

/**
 * Zip codes as `DEFAULT_COUNTRY` writes them. US: five digits, ZIP+4 (`78701-1234`, or its nine
 * digits) accepted and cut to its five, as providers list areas by five-digit ZIP. Other countries
 * keep the lenient rule (1 to 20 characters, upper-cased): no well-kept package holds postal
 * rules small enough for a cold start, and a wrong rule would refuse real addresses.
 */
const US_ZIP = /^(\d{5})(?:-?\d{4})?$/;
export const zipCode = (country: CountryCode) =>
  country === 'US'
    ? z.pipe(
        z.string({ error: kind('a string') }),
        z.transform((value, ctx) => {
          const m = US_ZIP.exec(value.trim());
          if (!m) {
            // The value is named: a list of 200 zip codes must say which one is wrong.
            const shown = JSON.stringify(value.length > 20 ? `${value.slice(0, 20)}…` : value);
            ctx.issues.push({
              code: 'custom',
              message: `${shown} is not a US ZIP code: five digits (78701), or ZIP+4 (78701-1234)`,
              input: value,
            });
            return z.NEVER;
          }
          return m[1]!;
        }),
      )
    : z.pipe(text(20), z.transform(normalizeZip));

export const list = <T extends z.ZodMiniType<string, unknown>>(item: T, what: string) =>
  z.pipe(
    z
      .array(item, { error: kind(`an array of ${what}`) })
      .check(
        z.minLength(1, `must list at least one ${what.replace(/s$/, '')}`),
        z.maxLength(500, 'must have at most 500 entries'),
      ),
    z.transform((items) => [...new Set(items)]),
  );

export const int = (min: number, max: number) =>
  z
    .number({ error: kind('a whole number') })
    .check(
      z.refine(Number.isInteger, 'must be a whole number'),
      z.gte(min, `must be at least ${min}`),
      z.lte(max, `must be at most ${max}`),
    );

export const uuidParam = lazy(() => z.uuid('must be a UUID'));

/** `?limit=`: 1 to 100. */
export const pageLimit = () =>
  z.optional(
    z.pipe(
      z.string().check(z.regex(/^(100|[1-9]\d?)$/, 'must be a whole number from 1 to 100')),
      z.transform(Number),
    ),
  );

/** An opaque cursor naming the last SMS id of the previous page (base64url of its digits). */
export const encodeIdCursor = (id: number): string => Buffer.from(String(id)).toString('base64url');
export const idCursor = () =>
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

// ------------------------------------------------------------------------------------------
// Admin list and report queries. Every value of a query string is a string; an empty one counts
// as not given (a console form's empty field).

/** `schema` for an optional query parameter: absent or empty is undefined. */
export const param = <S extends z.ZodMiniType>(schema: S) =>
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

export function instant(value: string): Instant | undefined {
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

export const parsed = <T>(parse: (v: string) => T | undefined, message: string) =>
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

export const INSTANT_MESSAGE =
  'must be an ISO date (YYYY-MM-DD) or date-time with an offset (2026-11-26T10:00:00Z)';

/** The exclusive end of a `to`: a date means through the end of that day (UTC). */
export const endOf = (to: Instant): Date =>
  to.date ? new Date(to.at.getTime() + 86_400_000) : new Date(to.at.getTime() + 1);

/** Where the object's own fields `names` parsed: a cross-field check runs only then. */
export const fieldsParsed =
  (...names: string[]) =>
  (payload: { issues: ReadonlyArray<{ path?: PropertyKey[] | undefined }> }) =>
    !payload.issues.some((i) => names.includes(String(i.path?.[0])));

/** A list query's `to` (an Instant, inclusive) not before its `from`: a 400 naming `to`. */
export const toNotBeforeFrom = () =>
  z.refine<{ from?: Instant; to?: Instant }>(
    (o) => !o.from || !o.to || o.from.at.getTime() < endOf(o.to).getTime(),
    { message: 'must not be before from', path: ['to'], when: fieldsParsed('from', 'to') },
  );

/** `?cursor=` of a keyset-paged list (lib/http/cursor.ts), for `key` (UUID by default). */
export const cursorParam = (key?: RegExp) =>
  param(
    parsed((value) => decodeCursor(value, key), 'is not a cursor from this list (use nextCursor as given)'),
  );
