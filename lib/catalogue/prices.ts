import { sql, type SQL } from 'drizzle-orm';
import type { CategoryPrice } from '../db/schema';

/**
 * A category's prices beyond its own (`categories.price_cents`):
 *
 * - By area: `category_prices` holds overrides by zip prefix (1 to 5 digits). A lead takes the
 *   price of the longest prefix its zip code starts with, else the category's price, unless the
 *   request sets `priceCents`.
 * - By age: `aged_after_hours` and `aged_price_cents`. A lead copies the rule when it comes in
 *   (`leads.ages_at`, `leads.aged_price_cents`), so a later change of the rule changes neither a
 *   price already offered nor an aging already scheduled; the dispatcher ages it
 *   (lib/leads/age-leads.ts). A rule whose aged price is not below the lead's price, or that
 *   would age it only after it expires, is not copied.
 *
 * Every offer keeps the price its latest teaser showed (`offers.price_cents`): that is what its
 * pay link, a saved-card charge and the provider's budget count.
 */

export type ZipPrice = Pick<CategoryPrice, 'zipPrefix' | 'priceCents'>;

/**
 * The price of the longest prefix `zipCode` starts with; undefined when none does. Create-lead
 * takes it from its kept copy of the catalogue (the teaser, written before its statement, shows
 * it), and its statement writes the lead only while the table still holds those prices
 * (`categoryCurrentSql`, lib/catalogue/lead-category.ts).
 */
export function zipPriceFor(zipPrices: readonly ZipPrice[], zipCode: string): number | undefined {
  let best: ZipPrice | undefined;
  for (const z of zipPrices) {
    if (zipCode.startsWith(z.zipPrefix) && (!best || z.zipPrefix.length > best.zipPrefix.length)) best = z;
  }
  return best?.priceCents;
}

/**
 * SQL for create-lead's insert: when a lead of category `slug`, priced `priceCents`, living
 * `ttlHours`, ages (`agesAt`) and to what (`agedPriceCents`), copied from its category's rule
 * now; both null when the category has none, or none that applies (see above).
 */
export function agingSql(
  slug: string,
  priceCents: number,
  ttlHours: number,
): { agesAt: SQL; agedPriceCents: SQL } {
  const rule = (column: SQL) =>
    sql`(select ${column} from categories k where k.slug = ${slug}
      and k.aged_price_cents < ${priceCents}::int and k.aged_after_hours < ${ttlHours}::int)`;
  return {
    agesAt: rule(sql`now() + make_interval(hours => k.aged_after_hours)`),
    agedPriceCents: rule(sql`k.aged_price_cents`),
  };
}
