// `npm start`: the API on http://localhost:3000 through serverless-offline, with migrations
// applied, on an embedded Postgres under .local/ unless DATABASE_URL is set.
import './load-env';
import { spawn } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { LOCAL_DEV_KEYS } from '../lib/config';
import { runMigrations } from '../lib/db/migrate';
import { startEmbeddedPostgres, type LocalPostgres } from './embedded-postgres';

const DB_NAME = 'lead_unlock';

async function localDatabase(): Promise<{ url: string; server: LocalPostgres }> {
  const server = await startEmbeddedPostgres({
    dataDir: path.resolve('.local', 'pg'),
    port: Number(process.env.LOCAL_PG_PORT ?? 54329),
    persistent: true,
  });
  const admin = new pg.Client({ connectionString: server.url() });
  await admin.connect();
  const exists = await admin.query('select 1 from pg_database where datname = $1', [DB_NAME]);
  if (exists.rowCount === 0) await admin.query(`create database ${DB_NAME}`);
  await admin.end();
  return { url: server.url(DB_NAME), server };
}

const external = process.env.DATABASE_URL;
const local = external ? undefined : await localDatabase();
const databaseUrl = external ?? local!.url;
await runMigrations(databaseUrl);

const port = process.env.PORT ?? '3000';
const keys = {
  LEAD_API_KEY: process.env.LEAD_API_KEY || LOCAL_DEV_KEYS.leadApiKey,
  ADMIN_API_KEY: process.env.ADMIN_API_KEY || LOCAL_DEV_KEYS.adminApiKey,
  INBOUND_SMS_TOKEN: process.env.INBOUND_SMS_TOKEN || LOCAL_DEV_KEYS.inboundSmsToken,
};
console.log(`
Lead Unlock (local)
  API:        http://localhost:${port}
  database:   ${external ? 'DATABASE_URL' : `embedded Postgres, data in .local/pg (port ${local!.server.port})`}
  lead key:   x-api-key: ${process.env.LEAD_API_KEY ? '(from LEAD_API_KEY)' : keys.LEAD_API_KEY}
  admin key:  Authorization: Bearer ${process.env.ADMIN_API_KEY ? '(from ADMIN_API_KEY)' : keys.ADMIN_API_KEY}
  SMS token:  ?token=${process.env.INBOUND_SMS_TOKEN ? '(from INBOUND_SMS_TOKEN)' : keys.INBOUND_SMS_TOKEN}
  SMS:        ${process.env.TEXTMAGIC_USERNAME && process.env.TEXTMAGIC_API_KEY ? 'sent through TextMagic' : 'logged and stored, not sent (no TextMagic credentials)'}
`);

const offline = spawn(
  process.execPath,
  [path.resolve('node_modules/serverless/bin/serverless.js'), 'offline', 'start', '--httpPort', port],
  {
    stdio: 'inherit',
    // Unset keys take the development values under serverless-offline (lib/config.ts).
    // BUNDLE_TARGET=offline: both database drivers and `ws` in the bundles (esbuild.config.cjs).
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: port, BUNDLE_TARGET: 'offline' },
  },
);

const offlineExited = new Promise<void>((resolve) => offline.once('exit', () => resolve()));

let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  // Let serverless-offline halt (and free its ports) before the database goes away; a server
  // that does not halt within a few seconds is killed rather than left running.
  if (offline.exitCode === null && offline.signalCode === null) {
    offline.kill('SIGTERM');
    const halted = await Promise.race([offlineExited.then(() => true), sleep(5_000).then(() => false)]);
    if (!halted) {
      offline.kill('SIGKILL');
      await offlineExited;
    }
  }
  await local?.server.stop().catch(() => {});
  process.exit(code);
}
function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
offline.on('exit', (code) => void stop(code ?? 0));
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
