import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { afterAll, expect, inject } from 'vitest';
import { MIGRATIONS_FOLDER } from '../../lib/db/migrate';

/**
 * Tests of a migration's data changes: a scratch database of its own, migrated up to just before
 * the migration whose tag ends with `suffix` (found by name: the lead renumbers them at merge), for
 * the test to fill with rows as they were; `migrateRest()` then applies it and those after. The
 * databases are dropped after the file.
 */
export function useMigrationBefore(suffix: string) {
  const scratch: string[] = [];
  afterAll(() =>
    admin(async (c) => {
      for (const name of scratch) await c.query(`drop database if exists ${name} with (force)`);
    }),
  );
  return async <T>(run: (db: { client: pg.Client; migrateRest: () => Promise<void> }) => Promise<T>) => {
    const name = `mig_${randomBytes(6).toString('hex')}`;
    await admin((c) => c.query(`create database ${name}`));
    scratch.push(name);
    const before = mkdtempSync(path.join(tmpdir(), 'migrations-'));
    cpSync(MIGRATIONS_FOLDER, before, { recursive: true });
    const journalFile = path.join(before, 'meta/_journal.json');
    const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: { tag: string }[] };
    const at = journal.entries.findIndex((e) => e.tag.endsWith(suffix));
    expect(at).toBeGreaterThan(0);
    writeFileSync(journalFile, JSON.stringify({ ...journal, entries: journal.entries.slice(0, at) }));
    return admin(
      async (client) => {
        try {
          await migrate(drizzle({ client }), { migrationsFolder: before });
        } finally {
          rmSync(before, { recursive: true, force: true });
        }
        const migrateRest = () => migrate(drizzle({ client }), { migrationsFolder: MIGRATIONS_FOLDER });
        return run({ client, migrateRest });
      },
      inject('pgAdminUrl').replace(/\/[^/]*$/, `/${name}`),
    );
  };
}

/** A client of the database at `url`, for `run`, closed after it. */
export async function withClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

const admin = <T>(run: (client: pg.Client) => Promise<T>, url = inject('pgAdminUrl')): Promise<T> =>
  withClient(url, run);
