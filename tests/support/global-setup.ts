import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { runMigrations } from '../../lib/db/migrate';
import { startEmbeddedPostgres, type LocalPostgres } from '../../scripts/embedded-postgres';

export const TEMPLATE_DB = 'lead_unlock_template';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgTemplate: string;
  }
}

let server: LocalPostgres | undefined;

/** One real Postgres for the whole run, with a migrated template each test file copies. */
export async function setup(project: TestProject): Promise<void> {
  server = await startEmbeddedPostgres({
    dataDir: path.resolve('.local', `test-pg-${process.pid}`),
    persistent: false,
  });
  const admin = new pg.Client({ connectionString: server.url() });
  await admin.connect();
  await admin.query(`create database ${TEMPLATE_DB}`);
  await admin.end();
  await runMigrations(server.url(TEMPLATE_DB));
  project.provide('pgAdminUrl', server.url());
  project.provide('pgTemplate', TEMPLATE_DB);
}

export async function teardown(): Promise<void> {
  await server?.stop();
}
