/**
 * The migration that gives each offer its own price (issue 23 §2): offers made before it showed
 * their lead's price, the only one there was, so each takes it; leads and categories gain no
 * aged price (nothing ages that did not ask to).
 */
import { expect, it } from 'vitest';
import { useMigrationBefore } from '../support/migrate-before';

const beforePrices = useMigrationBefore('_prices');

it("gives every offer its lead's price", async () => {
  await beforePrices(async ({ client, migrateRest }) => {
    await client.query(
      `insert into providers (name, phone, categories, zip_codes) values
         ('Pat', '+15125550101', '{plumbing}', '{78701}'), ('Sam', '+15125550102', '{plumbing}', '{78701}')`,
    );
    await client.query(
      `insert into leads (code, name, phone, category, zip_code, description, price_cents, currency, max_unlocks, expires_at)
       values ('1001', 'Ann', '+15125550199', 'plumbing', '78701', 'Leak', 1500, 'usd', 3, now() + interval '1 day'),
              ('1002', 'Bob', '+15125550198', 'plumbing', '78701', 'Drain', 4200, 'usd', 3, now() + interval '1 day')`,
    );
    await client.query(
      `insert into offers (lead_id, provider_id, pay_token)
       select l.id, p.id, l.code || p.name from leads l cross join providers p`,
    );
    await migrateRest();

    const { rows: offers } = await client.query(
      `select l.code, p.name, o.price_cents from offers o join leads l on l.id = o.lead_id
       join providers p on p.id = o.provider_id order by l.code, p.name`,
    );
    expect(offers).toEqual([
      { code: '1001', name: 'Pat', price_cents: 1500 },
      { code: '1001', name: 'Sam', price_cents: 1500 },
      { code: '1002', name: 'Pat', price_cents: 4200 },
      { code: '1002', name: 'Sam', price_cents: 4200 },
    ]);
    const { rows: leads } = await client.query(
      `select code, price_cents, ages_at, aged_price_cents, aged_at from leads order by code`,
    );
    expect(leads).toEqual([
      { code: '1001', price_cents: 1500, ages_at: null, aged_price_cents: null, aged_at: null },
      { code: '1002', price_cents: 4200, ages_at: null, aged_price_cents: null, aged_at: null },
    ]);
    // An offer without a price is refused from now on.
    await expect(
      client.query(
        `insert into offers (lead_id, provider_id, pay_token) select l.id, p.id, 'x' from leads l, providers p limit 1`,
      ),
    ).rejects.toThrow(/price_cents/);
  });
});
