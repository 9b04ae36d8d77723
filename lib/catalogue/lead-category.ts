import { sql, type SQL } from 'drizzle-orm';
import type { Queryable } from '../db/client';
import { categories } from '../db/schema';
import { badRequest } from '../errors';
import { categoryIndex, listCategories, type CatalogueCategory, type CategoryIndex } from './categories';
import { foldCategory } from './fold';

/**
 * The catalogue as POST /leads resolves a lead's category against it: read once per container
 * and kept, because the teaser (rendered before the one statement that writes the lead) shows the
 * category's price. Reading it on every lead would be a round trip more; a kept copy may be
 * stale, so create-lead's statement writes the lead only if the category still reads as the copy
 * says (`categoryCurrentSql`), and otherwise the copy is read again and the lead retried. Steady
 * state: no round trip for the category; the first lead of a container, or the first after a
 * change of the category, one more.
 */
let kept: CategoryIndex | undefined;

async function read(db: Queryable): Promise<CategoryIndex> {
  kept = categoryIndex(await listCategories(db));
  return kept;
}

/**
 * The active category `name` names (slug or synonym, folded); else a 400 `unknown_category`
 * naming the active slugs, or `inactive_category`. A name the kept copy does not know, or knows
 * as inactive, is looked up again before the answer is no.
 */
export async function leadCategory(
  db: Queryable,
  name: string,
  opts: { reread?: boolean } = {},
): Promise<CatalogueCategory> {
  const key = foldCategory(name);
  let index = opts.reread ? undefined : kept;
  let found = index?.get(key);
  if (!index || !found || !found.active) {
    index = await read(db);
    found = index.get(key);
  }
  if (!found) {
    const known = [...new Set([...index.values()].filter((c) => c.active).map((c) => c.slug))].sort();
    throw badRequest(
      'unknown_category',
      known.length
        ? `Unknown category: known categories are ${known.join(', ')}`
        : 'Unknown category: the catalogue has no active category yet (POST /categories)',
      [{ field: 'category', message: 'is not a category of the catalogue', known }],
    );
  }
  if (!found.active) {
    throw badRequest('inactive_category', `The category ${found.slug} takes no new leads`, [
      { field: 'category', message: `is the category ${found.slug}, which is inactive` },
    ]);
  }
  return found;
}

/**
 * SQL true while the category is still active and at the version the copy `c` was read at: the
 * triggers categories_version and category_prices_version bump it on any change of the category
 * or of its prices by area (drizzle/functions/category-version.sql), so create-lead's statement
 * writes a lead only on the terms its kept copy shows.
 */
export function categoryCurrentSql(c: CatalogueCategory): SQL {
  return sql`exists (select from ${categories} k where k.slug = ${c.slug} and k.active and k.version = ${c.version})`;
}

/** Whether two reads of a category are of the same version of it. */
export const sameTerms = (a: CatalogueCategory, b: CatalogueCategory): boolean =>
  a.slug === b.slug && a.version === b.version;
