import { asc, eq } from 'drizzle-orm';
import type { Queryable } from '../db/client';
import { categories, type Category } from '../db/schema';

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
