import { asc, eq, sql } from 'drizzle-orm';
import { config } from '../config';
import { transaction, type Queryable, type Tx } from '../db/client';
import { categories, type Category } from '../db/schema';
import { badRequest, conflict, notFound } from '../errors';
import type { CategoryInput, CategoryPatch } from './category-input';
import { foldCategory } from './fold';

/** A category as the admin API and the console show it. */
export function categoryView(c: Category) {
  return {
    slug: c.slug,
    name: c.name,
    synonyms: c.synonyms,
    priceCents: c.priceCents,
    maxUnlocks: c.maxUnlocks,
    ttlHours: c.ttlHours,
    active: c.active,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}
export type CategoryView = ReturnType<typeof categoryView>;

/** The catalogue by slug; `activeOnly` leaves out deactivated categories (what a form offers). */
export async function listCategories(
  db: Queryable,
  opts: { activeOnly?: boolean } = {},
): Promise<Category[]> {
  const query = db.select().from(categories);
  return opts.activeOnly
    ? query.where(eq(categories.active, true)).orderBy(asc(categories.slug))
    : query.orderBy(asc(categories.slug));
}

/** The names a category answers to, folded (lib/catalogue/fold.ts): its slug and its synonyms. */
export const categoryKeys = (c: Pick<Category, 'slug' | 'synonyms'>): string[] => [
  foldCategory(c.slug),
  ...c.synonyms.map(foldCategory),
];

/** Folded name -> category, for resolving what a lead or a provider names. */
export type CategoryIndex = ReadonlyMap<string, Category>;
export function categoryIndex(rows: Category[]): CategoryIndex {
  const index = new Map<string, Category>();
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
  const values = {
    ...input,
    priceCents: input.priceCents ?? cfg.leadPriceCents,
    maxUnlocks: input.maxUnlocks ?? cfg.leadMaxUnlocks,
    ttlHours: input.ttlHours ?? cfg.leadTtlHours,
  };
  const row = await transaction(async (tx) => {
    const all = await lockCatalogue(tx);
    if (all.some((c) => c.slug === input.slug)) {
      throw conflict('category_exists', `A category with the slug ${input.slug} already exists`);
    }
    checkCollisions(all, values);
    const [row] = await tx.insert(categories).values(values).returning();
    return row!;
  });
  return categoryView(row);
}

export async function updateCategory(slug: string, patch: CategoryPatch): Promise<CategoryView> {
  const row = await transaction(async (tx) => {
    const all = await lockCatalogue(tx);
    const current = all.find((c) => c.slug === slug);
    if (!current) throw notFound('No category with this slug');
    if (patch.synonyms) {
      checkCollisions(
        all.filter((c) => c.slug !== slug),
        { slug, synonyms: patch.synonyms },
      );
    }
    const [row] = await tx
      .update(categories)
      .set({ ...patch, updatedAt: sql`now()` })
      .where(eq(categories.slug, slug))
      .returning();
    return row!;
  });
  return categoryView(row);
}
