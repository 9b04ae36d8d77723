import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import { closeDb } from '../../lib/db/client';
import { resetConfig } from '../../lib/config';

export type TestDatabase = {
  /** URL of this file's own database. */
  url: string;
  /** Runs SQL directly (assertions on what was written). */
  query<T extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
};

/**
 * Gives the calling test file a database of its own, copied from the migrated template, and
 * points DATABASE_URL at it, so no test sees another's rows.
 */
export function useTestDatabase(): TestDatabase {
  const name = `t_${randomBytes(6).toString('hex')}`;
  const adminUrl = inject('pgAdminUrl');
  const url = adminUrl.replace(/\/[^/]*$/, `/${name}`);
  let client: pg.Client | undefined;

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database ${name} template ${inject('pgTemplate')}`);
    await admin.end();
    process.env.DATABASE_URL = url;
    resetConfig();
    client = new pg.Client({ connectionString: url });
    await client.connect();
  });

  afterAll(async () => {
    await closeDb();
    await client?.end();
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  });

  return {
    url,
    async query(sql, params) {
      if (!client) throw new Error('useTestDatabase: the database is not ready yet');
      return (await client.query(sql, params)).rows;
    },
  };
}
