import * as z from 'zod/mini';
import type { CountryCode } from 'libphonenumber-js';
import { lazy } from './lazy';
import { hasNoNul, stripNul } from './http/body';
import { toE164 } from './phone';

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

export function providerInput(country: CountryCode) {
  return z.object({
    name: text(200),
    phone: phone(country),
    email: email(),
    categories: list(category(), 'categories'),
    zipCodes: list(zipCode(), 'zip codes'),
    active: z._default(z.boolean({ error: kind('true or false') }), true),
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
    })
    .check(
      z.refine((p) => Object.values(p).some((v) => v !== undefined), {
        message: 'must change at least one of name, active, categories, zipCodes',
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
