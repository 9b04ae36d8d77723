/**
 * The migration that adds the catalogue: a database with leads and providers from before it gets
 * one category per distinct category they used (texts that fold alike make one), at the defaults
 * of LEAD_PRICE_CENTS, LEAD_MAX_UNLOCKS and LEAD_TTL_HOURS, and they are rewritten to its slugs.
 */
import { expect, it } from 'vitest';
import { useMigrationBefore } from '../support/migrate-before';

const beforeCatalogue = useMigrationBefore('_catalogue');

it('makes a category of each one leads and providers used, and gives them its slug', async () => {
  await beforeCatalogue(async ({ client, migrateRest }) => {
    await client.query(
      `insert into providers (name, phone, categories, zip_codes) values
         ('Pat', '+15125550101', '{plumbing,pest control}', '{78701}'),
         ('Sam', '+15125550102', '{plumbing}', '{78701}')`,
    );
    await client.query(
      `insert into leads (code, name, phone, category, zip_code, description, price_cents, currency, max_unlocks, expires_at)
       values ('1001', 'Ann', '+15125550199', 'pest-control', '78701', 'Ants', 1500, 'usd', 3, now()),
              ('1002', 'Bob', '+15125550198', 'a/c repair', '78701', 'Hot', 1500, 'usd', 3, now())`,
    );
    await migrateRest();

    const { rows: cats } = await client.query(
      `select slug, name, synonyms, price_cents, max_unlocks, ttl_hours, active from categories order by slug`,
    );
    expect(cats).toEqual([
      {
        slug: 'a-c-repair',
        name: 'A/C Repair',
        synonyms: [],
        price_cents: 1500,
        max_unlocks: 3,
        ttl_hours: 72,
        active: true,
      },
      {
        slug: 'pest-control',
        name: 'Pest Control',
        synonyms: [],
        price_cents: 1500,
        max_unlocks: 3,
        ttl_hours: 72,
        active: true,
      },
      {
        slug: 'plumbing',
        name: 'Plumbing',
        synonyms: [],
        price_cents: 1500,
        max_unlocks: 3,
        ttl_hours: 72,
        active: true,
      },
    ]);
    const { rows: leads } = await client.query(`select code, category from leads order by code`);
    expect(leads).toEqual([
      { code: '1001', category: 'pest-control' },
      { code: '1002', category: 'a-c-repair' },
    ]);
    const { rows: providers } = await client.query(`select name, categories from providers order by name`);
    expect(providers).toEqual([
      { name: 'Pat', categories: ['pest-control', 'plumbing'] },
      { name: 'Sam', categories: ['plumbing'] },
    ]);
  });
});
