/**
 * `npm run db:migrate` (lib/db/migrate.ts): the drizzle-kit migrations, then drizzle/functions/,
 * which holds the one current definition of every SQL function and trigger. A database it
 * migrated has exactly what those files define, as applying them gives it, and an edit of a file
 * reaches a database migrated before it.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { DEFINITIONS_FOLDER, MIGRATIONS_FOLDER, runMigrations, sqlDefinitions } from '../../lib/db/migrate';
import { useTestDatabase } from '../support/database';
import { withClient } from '../support/migrate-before';

const db = useTestDatabase();

/** An empty database of its own, dropped after the file. */
const scratch: string[] = [];
async function emptyDatabase(): Promise<string> {
  const name = `m_${randomBytes(6).toString('hex')}`;
  await withClient(inject('pgAdminUrl'), (admin) => admin.query(`create database ${name}`));
  scratch.push(name);
  return inject('pgAdminUrl').replace(/\/[^/]*$/, `/${name}`);
}
afterAll(async () => {
  await withClient(inject('pgAdminUrl'), async (admin) => {
    for (const name of scratch) await admin.query(`drop database if exists ${name} with (force)`);
  });
});

describe('the migration runner', () => {
  it('leaves exactly the functions and triggers of drizzle/functions/, as applying those files gives them', async () => {
    // The same migrations, then every function they made dropped (their triggers with them), then
    // the files as they are: whatever a migration defines that no file does, or defines otherwise
    // (a stale overload, a trigger the files no longer have), makes the two differ.
    const url = await emptyDatabase();
    const fromFiles = await withClient(url, async (client) => {
      await migrate(drizzle({ client }), { migrationsFolder: MIGRATIONS_FOLDER });
      const { rows } = await client.query<{ f: string }>(
        `select oid::regprocedure::text as f from pg_proc where pronamespace = 'public'::regnamespace`,
      );
      for (const { f } of rows) await client.query(`drop function if exists ${f} cascade`);
      expect(await sqlDefinitions(client)).toEqual({});
      for (const file of readdirSync(DEFINITIONS_FOLDER).sort())
        await client.query(readFileSync(path.join(DEFINITIONS_FOLDER, file), 'utf8'));
      return sqlDefinitions(client);
    });
    const migrated = await withClient(db.url, sqlDefinitions);

    expect(Object.keys(migrated)).toEqual(Object.keys(fromFiles));
    expect(migrated).toEqual(fromFiles);
    expect(Object.keys(migrated)).toEqual(
      expect.arrayContaining([
        'function lead_funnels_rebuild()',
        'function lead_duplicate_of(text,text,text,integer)',
        'function teaser_window_start(text,integer,integer,timestamp with time zone)',
        'trigger unlocks.unlocks_funnel_refund',
      ]),
    );
    // And running it again changes none of it.
    await runMigrations(db.url);
    expect(await withClient(db.url, sqlDefinitions)).toEqual(fromFiles);
  });

  it('applies an edited trigger body to a database it migrated before, and recomputes the funnel only when a body changed', async () => {
    const [lead] = await db.query<{ id: string }>(
      `insert into leads (code, name, phone, category, zip_code, description, price_cents, currency, max_unlocks, expires_at)
       values ('4821', 'Ann', '+15125550199', 'plumbing', '78701', 'Leak', 1500, 'usd', 3, now() + interval '3 days')
       returning id`,
    );
    const offers = async () =>
      (
        await db.query<{ offers: number }>(`select offers from lead_funnels where lead_id = $1`, [lead!.id])
      )[0]!.offers;
    /** The lead offered to one more provider. */
    const offer = (n: number) =>
      db.query(
        `with p as (insert into providers (name, phone, categories, zip_codes)
           values ('Pro', $2, '{plumbing}', '{78701}') returning id)
         insert into offers (lead_id, provider_id, pay_token, price_cents) select $1, p.id, $2, 1500 from p`,
        [lead!.id, `+1512555010${n}`],
      );
    await offer(1);
    expect(await offers()).toBe(1);

    // A count gone wrong stays wrong through a run that changes no rule: nothing is recomputed.
    await db.query(`update lead_funnels set offers = 7 where lead_id = $1`, [lead!.id]);
    await runMigrations(db.url);
    expect(await offers()).toBe(7);

    // One edit of `lead_funnels_on_offer()` in drizzle/functions/lead-funnels.sql, nothing else: the next run applies it and
    // recomputes the funnel under the new rule.
    const edited = mkdtempSync(path.join(tmpdir(), 'definitions-'));
    try {
      cpSync(DEFINITIONS_FOLDER, edited, { recursive: true });
      const file = path.join(edited, 'lead-funnels.sql');
      const original = readFileSync(file, 'utf8');
      const rule = 'UPDATE lead_funnels SET offers = offers + 1,';
      expect(original).toContain(rule);
      writeFileSync(file, original.replace(rule, 'UPDATE lead_funnels SET offers = offers + 10,'));
      await runMigrations(db.url, { definitionsFolder: edited });
      expect(await offers()).toBe(1);
      await offer(2);
      expect(await offers()).toBe(11);
    } finally {
      rmSync(edited, { recursive: true, force: true });
    }

    // Back to the repository's files: its body again, and counts that agree with a rebuild.
    await runMigrations(db.url);
    expect(await offers()).toBe(2);
    await offer(3);
    expect(await offers()).toBe(3);
  });
});
