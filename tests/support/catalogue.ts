/**
 * The categories the tests post leads and add providers in. A fresh install's catalogue is
 * empty and POST /leads refuses a category it does not know, so each test file's app adds these
 * (through lib/catalogue, as POST /categories does) before its tests run.
 */
import { createCategory } from '../../lib/catalogue/categories';
import type { CategoryInput } from '../../lib/catalogue/category-input';
import { beforeAll } from 'vitest';
import type { TestDatabase } from './database';

export const TEST_CATEGORIES: CategoryInput[] = [
  { slug: 'plumbing', name: 'Plumbing', synonyms: ['plumber'], active: true },
  { slug: 'electrical', name: 'Electrical', synonyms: ['electrician'], active: true },
  { slug: 'roofing', name: 'Roofing', synonyms: [], active: true },
  { slug: 'hvac', name: 'HVAC', synonyms: ['heating & cooling', 'A/C repair'], active: true },
  { slug: 'moving', name: 'Moving', synonyms: ['movers'], active: true },
  { slug: 'hauling', name: 'Hauling', synonyms: [], active: true },
  { slug: 'water-heaters', name: 'Water heaters', synonyms: [], active: true },
  { slug: 'pest-control', name: 'Pest control', synonyms: [], active: true },
  { slug: 'plomeria', name: 'Plomería', synonyms: [], active: true },
];

/** Adds `list` (the tests' catalogue by default) to the catalogue of the database in DATABASE_URL. */
export async function addCategories(list: CategoryInput[] = TEST_CATEGORIES): Promise<void> {
  for (const c of list) await createCategory(c);
}

/**
 * For a file that runs the API in another process (e2e, browser, packaging) on its own database
 * (`useTestDatabase`): the tests' catalogue written there before its tests, at the built-in
 * defaults of LEAD_PRICE_CENTS, LEAD_MAX_UNLOCKS and LEAD_TTL_HOURS.
 */
export function useTestCatalogue(db: TestDatabase, list: CategoryInput[] = TEST_CATEGORIES): void {
  beforeAll(async () => {
    for (const c of list) {
      await db.query(
        `insert into categories (slug, name, synonyms, price_cents, max_unlocks, ttl_hours, active)
         values ($1, $2, $3, $4, $5, $6, $7)`,
        [c.slug, c.name, c.synonyms, c.priceCents ?? 1500, c.maxUnlocks ?? 3, c.ttlHours ?? 72, c.active],
      );
    }
  });
}
