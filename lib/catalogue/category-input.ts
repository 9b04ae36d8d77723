import * as z from 'zod/mini';
import { int, kind, text } from '../http/fields';
import { lazy } from '../lazy';
import { foldCategory, SLUG_PATTERN } from './fold';

/** The admin API's catalogue requests: `POST /categories`, `PATCH /categories/{slug}`. */

const slug = () =>
  z
    .string({ error: kind('a string') })
    .check(
      z.maxLength(60, 'must be at most 60 characters'),
      z.regex(SLUG_PATTERN, 'must be lowercase letters, digits and single hyphens, such as pest-control'),
    );

/** Other names a website may post; each must keep a letter or digit once folded. */
const synonyms = () =>
  z.pipe(
    z
      .array(text(100).check(z.refine((s) => foldCategory(s) !== '', 'must contain a letter or a digit')), {
        error: kind('an array of names'),
      })
      .check(z.maxLength(100, 'must have at most 100 entries')),
    z.transform((items) => [...new Set(items)]),
  );

/**
 * Prices by area (lib/catalogue/prices.ts): `[{ zipPrefix, priceCents }]`, 1 to 5 digits each, a
 * prefix at most once; the whole list replaces the one before (`[]` clears it).
 */
const zipPrices = () =>
  z
    .array(
      z.object({
        zipPrefix: z
          .string({ error: kind('a string') })
          .check(z.regex(/^[0-9]{1,5}$/, 'must be 1 to 5 digits')),
        priceCents: price(),
      }),
      { error: kind('an array of { zipPrefix, priceCents }') },
    )
    .check(
      z.maxLength(1000, 'must have at most 1000 entries'),
      z.refine(
        (items) => new Set(items.map((i) => i.zipPrefix)).size === items.length,
        'must name each zip prefix once',
      ),
    );

// Prices as on POST /leads: Stripe's smallest charge is 50 cents (USD); the top guards against typos.
const price = () => int(50, 1_000_000);

const fields = () => ({
  name: text(100),
  synonyms: synonyms(),
  priceCents: price(),
  maxUnlocks: int(1, 50),
  // A year at most: a lead older than that tells a provider little.
  ttlHours: int(1, 24 * 366),
  active: z.boolean({ error: kind('true or false') }),
  zipPrices: zipPrices(),
  // The aged price (lib/catalogue/prices.ts), both or neither; null clears it.
  agedAfterHours: z.nullable(int(1, 24 * 366)),
  agedPriceCents: z.nullable(price()),
});

/** `POST /categories`: price, cap and life default to LEAD_PRICE_CENTS, LEAD_MAX_UNLOCKS, LEAD_TTL_HOURS. */
export const categoryInput = lazy(() => {
  const f = fields();
  return z.object({
    slug: slug(),
    name: f.name,
    synonyms: z._default(f.synonyms, []),
    priceCents: z.optional(f.priceCents),
    maxUnlocks: z.optional(f.maxUnlocks),
    ttlHours: z.optional(f.ttlHours),
    active: z._default(f.active, true),
    zipPrices: z.optional(f.zipPrices),
    agedAfterHours: z.optional(f.agedAfterHours),
    agedPriceCents: z.optional(f.agedPriceCents),
  });
});
export type CategoryInput = z.output<ReturnType<typeof categoryInput>>;

export const categoryPatch = lazy(() => {
  const f = fields();
  const shape = {
    name: z.optional(f.name),
    synonyms: z.optional(f.synonyms),
    priceCents: z.optional(f.priceCents),
    maxUnlocks: z.optional(f.maxUnlocks),
    ttlHours: z.optional(f.ttlHours),
    active: z.optional(f.active),
    zipPrices: z.optional(f.zipPrices),
    agedAfterHours: z.optional(f.agedAfterHours),
    agedPriceCents: z.optional(f.agedPriceCents),
  };
  return z.object(shape).check(
    z.refine((p) => Object.values(p).some((v) => v !== undefined), {
      message: `must change at least one of ${Object.keys(shape).join(', ')}`,
    }),
  );
});
export type CategoryPatch = z.output<ReturnType<typeof categoryPatch>>;

/** The `{slug}` of a path: anything else names no category (404). */
export const isSlug = (value: string | undefined): value is string =>
  value !== undefined && value.length <= 60 && SLUG_PATTERN.test(value);
