import { asc, eq, getTableColumns, sql } from 'drizzle-orm';
import { config } from '../config';
import { transaction, type Queryable, type Tx } from '../db/client';
import { categories, categoryPrices, type Category } from '../db/schema';
import { badRequest, conflict, notFound } from '../errors';
import type { CategoryInput, CategoryPatch } from './category-input';
import { foldCategory } from './fold';
import type { ZipPrice } from './prices';

/** A category with its prices by zip prefix (lib/catalogue/prices.ts), by prefix. */
export type CatalogueCategory = Category & { zipPrices: ZipPrice[] };

/** A category as the admin API and the console show it. */
export function categoryView(c: CatalogueCategory) {
  return {
    slug: c.slug,
    name: c.name,
    synonyms: c.synonyms,
    priceCents: c.priceCents,
    /** Prices by area: the longest prefix a lead's zip code starts with wins. */
    zipPrices: c.zipPrices,
    maxUnlocks: c.maxUnlocks,
    ttlHours: c.ttlHours,
    /** An unsold lead drops to `agedPriceCents` after `agedAfterHours`; both null: never. */
    agedAfterHours: c.agedAfterHours,
    agedPriceCents: c.agedPriceCents,
    active: c.active,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}
export type CategoryView = ReturnType<typeof categoryView>;

/** SQL: the zip prices of the category row in scope, as `ZipPrice[]` by prefix. */
const zipPricesSql = sql<ZipPrice[]>`coalesce((select json_agg(json_build_object('zipPrefix', z.zip_prefix,
    'priceCents', z.price_cents) order by z.zip_prefix) from ${categoryPrices} z
  where z.category_slug = ${categories.slug}), '[]')`;

/** The catalogue by slug; `activeOnly` leaves out deactivated categories (what a form offers). */
export async function listCategories(
  db: Queryable,
  opts: { activeOnly?: boolean } = {},
): Promise<CatalogueCategory[]> {
  const query = db.select({ ...getTableColumns(categories), zipPrices: zipPricesSql }).from(categories);
  return opts.activeOnly
    ? query.where(eq(categories.active, true)).orderBy(asc(categories.slug))
    : query.orderBy(asc(categories.slug));
}

/**
 * The aged price as it will stand after a write: both or neither, and below the category's
 * price (a 400 naming the fields otherwise).
 */
function checkAgedPrice(c: Pick<Category, 'priceCents' | 'agedAfterHours' | 'agedPriceCents'>): void {
  if ((c.agedAfterHours === null) !== (c.agedPriceCents === null)) {
    const missing = c.agedAfterHours === null ? 'agedAfterHours' : 'agedPriceCents';
    throw badRequest(
      'validation_failed',
      `Invalid fields: ${missing} (the aged price takes both hours and price)`,
      [{ field: missing, message: 'is required with the other of agedAfterHours and agedPriceCents' }],
    );
  }
  if (c.agedPriceCents !== null && c.agedPriceCents >= c.priceCents) {
    throw badRequest(
      'validation_failed',
      `Invalid fields: agedPriceCents must be below the price (${c.priceCents})`,
      [{ field: 'agedPriceCents', message: `must be below the category's price (${c.priceCents})` }],
    );
  }
}

/** Replaces the category's zip prices (when given) and reads the category back with them. */
async function withZipPrices(
  tx: Tx,
  slug: string,
  zipPrices: ZipPrice[] | undefined,
): Promise<CatalogueCategory> {
  if (zipPrices) {
    await tx.delete(categoryPrices).where(eq(categoryPrices.categorySlug, slug));
    if (zipPrices.length) {
      await tx.insert(categoryPrices).values(zipPrices.map((z) => ({ categorySlug: slug, ...z })));
    }
  }
  const [row] = await tx
    .select({ ...getTableColumns(categories), zipPrices: zipPricesSql })
    .from(categories)
    .where(eq(categories.slug, slug));
  return row!;
}

/** The names a category answers to, folded (lib/catalogue/fold.ts): its slug and its synonyms. */
export const categoryKeys = (c: Pick<Category, 'slug' | 'synonyms'>): string[] => [
  foldCategory(c.slug),
  ...c.synonyms.map(foldCategory),
];

/** Folded name -> category, for resolving what a lead or a provider names. */
export type CategoryIndex = ReadonlyMap<string, CatalogueCategory>;
export function categoryIndex(rows: CatalogueCategory[]): CategoryIndex {
  const index = new Map<string, CatalogueCategory>();
  for (const c of rows) for (const key of categoryKeys(c)) if (!index.has(key)) index.set(key, c);
  return index;
}

/**
 * The slugs of the categories `names` name (by slug or synonym, folded), in their order without
 * repeats; a 400 naming those the catalogue does not know (a provider's list: any category
 * known, active or not).
 */
export function resolveCategoryList(index: CategoryIndex, names: string[], field: string): string[] {
  const unknown = names.filter((n) => !index.has(foldCategory(n)));
  if (unknown.length) {
    const known = [...new Set([...index.values()].map((c) => c.slug))].sort();
    throw badRequest('unknown_category', `Unknown categories: ${unknown.join(', ')}`, [
      {
        field,
        message: `names categories the catalogue does not have: ${unknown.join(', ')}; known: ${known.join(', ') || 'none (add them with POST /categories)'}`,
        unknown,
        known,
      },
    ]);
  }
  return [...new Set(names.map((n) => index.get(foldCategory(n))!.slug))];
}

/**
 * Writers of the catalogue take this lock first: the check that no two categories answer to
 * the same folded name reads the whole table, so two writers must not check at once. Readers
 * (POST /leads) are not blocked.
 */
async function lockCatalogue(tx: Tx): Promise<Category[]> {
  await tx.execute(sql`lock table ${categories} in share row exclusive mode`);
  return tx.select().from(categories);
}

/** A 409 when one of `c`'s names folds like a name of another category. */
function checkCollisions(others: Category[], c: Pick<Category, 'slug' | 'synonyms'>): void {
  const taken = new Map<string, string>();
  for (const o of others) for (const key of categoryKeys(o)) taken.set(key, o.slug);
  for (const name of [c.slug, ...c.synonyms]) {
    const owner = taken.get(foldCategory(name));
    if (owner) {
      throw conflict(
        'category_name_taken',
        `"${name}" reads the same as a name of the category ${owner} (case, spaces and punctuation aside)`,
      );
    }
  }
}

export async function createCategory(input: CategoryInput): Promise<CategoryView> {
  const cfg = config();
  const { zipPrices, ...rest } = input;
  const values = {
    ...rest,
    priceCents: input.priceCents ?? cfg.leadPriceCents,
    maxUnlocks: input.maxUnlocks ?? cfg.leadMaxUnlocks,
    ttlHours: input.ttlHours ?? cfg.leadTtlHours,
    agedAfterHours: input.agedAfterHours ?? null,
    agedPriceCents: input.agedPriceCents ?? null,
  };
  checkAgedPrice(values);
  const row = await transaction(async (tx) => {
    const all = await lockCatalogue(tx);
    if (all.some((c) => c.slug === input.slug)) {
      throw conflict('category_exists', `A category with the slug ${input.slug} already exists`);
    }
    checkCollisions(all, values);
    await tx.insert(categories).values(values);
    return withZipPrices(tx, input.slug, zipPrices);
  });
  return categoryView(row);
}

export async function updateCategory(slug: string, patch: CategoryPatch): Promise<CategoryView> {
  const row = await transaction(async (tx) => {
    const all = await lockCatalogue(tx);
    const current = all.find((c) => c.slug === slug);
    if (!current) throw notFound('No category with this slug');
    const { zipPrices, ...columns } = patch;
    const given = Object.fromEntries(Object.entries(columns).filter(([, v]) => v !== undefined));
    checkAgedPrice({ ...current, ...given });
    if (patch.synonyms) {
      checkCollisions(
        all.filter((c) => c.slug !== slug),
        { slug, synonyms: patch.synonyms },
      );
    }
    await tx
      .update(categories)
      .set({ ...columns, updatedAt: sql`now()` })
      .where(eq(categories.slug, slug));
    return withZipPrices(tx, slug, zipPrices);
  });
  return categoryView(row);
}
