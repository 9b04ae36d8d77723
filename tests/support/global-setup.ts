import { rmSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { runMigrations } from '../../lib/db/migrate';
import { startEmbeddedPostgres, type LocalPostgres } from '../../scripts/embedded-postgres';
import { pgBouncerBinary, startPgBouncer, type PgBouncer } from '../../scripts/pgbouncer';

export const TEMPLATE_DB = 'lead_unlock_template';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgTemplate: string;
    /** PgBouncer in transaction mode in front of that server; 0 when it is not installed. */
    pgBouncerPort: number;
    /** Where tests/support/packaged.ts builds this run's packages, if any test asks for one. */
    packageRoot: string;
  }
}

/**
 * The run's own folder, removed at its end; or TEST_PACKAGE_ROOT, kept: CI's Node 22 run
 * (`npm run test:node22`) then runs the zips the Node 20 run built, as a deploy from Node 20 runs
 * them on nodejs22.x (esbuild's output does not depend on the Node that runs it).
 */
const keptPackageRoot = process.env.TEST_PACKAGE_ROOT;
const packageRoot = path.resolve(keptPackageRoot ?? path.join('.local', `packages-${process.pid}`));

type Services = { server: LocalPostgres; bouncer: PgBouncer | undefined };

/**
 * Every vitest project (vitest.config.ts) runs this setup in the one vitest process; they share
 * the run's services, started by the first and stopped after the last project's teardown.
 */
const run = globalThis as { leadUnlockServices?: { users: number; services: Promise<Services> } };

/**
 * One real Postgres for the whole run, with a migrated template each test file copies, and one
 * real PgBouncer in front of it (transaction mode, 4 server connections per database, as the
 * serverless poolers run). Without PgBouncer installed the suites that run through it are
 * skipped, except in CI (`CI` set), which installs it and where its absence fails the run.
 */
export async function setup(project: TestProject): Promise<void> {
  run.leadUnlockServices ??= { users: 0, services: startServices() };
  run.leadUnlockServices.users++;
  const { server, bouncer } = await run.leadUnlockServices.services;
  project.provide('packageRoot', packageRoot);
  project.provide('pgAdminUrl', server.url());
  project.provide('pgTemplate', TEMPLATE_DB);
  project.provide('pgBouncerPort', bouncer?.port ?? 0);
}

async function startServices(): Promise<Services> {
  const server = await startEmbeddedPostgres({
    dataDir: path.resolve('.local', `test-pg-${process.pid}`),
    persistent: false,
  });
  try {
    const admin = new pg.Client({ connectionString: server.url() });
    await admin.connect();
    await admin.query(`create database ${TEMPLATE_DB}`);
    await admin.end();
    await runMigrations(server.url(TEMPLATE_DB));
    if (!pgBouncerBinary() && !process.env.CI) {
      console.warn(
        'pgbouncer is not installed (apt-get install -y pgbouncer): the suites through it are skipped',
      );
      return { server, bouncer: undefined };
    }
    const bouncer = await startPgBouncer({
      serverUrl: server.url(),
      dir: path.resolve('.local', `test-pgbouncer-${process.pid}`),
      poolSize: 4,
    });
    return { server, bouncer };
  } catch (e) {
    await server.stop();
    throw e;
  }
}

export async function teardown(): Promise<void> {
  const shared = run.leadUnlockServices;
  if (!shared || --shared.users > 0) return;
  delete run.leadUnlockServices;
  if (!keptPackageRoot) rmSync(packageRoot, { recursive: true, force: true });
  const services = await shared.services.catch(() => undefined);
  await services?.bouncer?.stop();
  await services?.server.stop();
}
