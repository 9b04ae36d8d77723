/**
 * In-process benchmarks against a real (embedded) Postgres and the Stripe/TextMagic fakes, one
 * module per figure: database round trips per request type (round-trips.ts), latency (latency.ts)
 * and throughput (throughput.ts), connections through a pooler (containers.ts), the Neon path
 * (neon-path.ts), SMS cost (sms-cost.ts); bench-app.ts is what they share.
 */
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres, type LocalPostgres } from '../scripts/embedded-postgres';
import { runMigrations } from '../lib/db/migrate';
import { startFakeStripe } from '../emulators/fake-stripe';
import { startFakeTextMagic } from '../emulators/fake-textmagic';
import { startNeonWsProxy } from '../emulators/neon-ws-proxy';
import { startBenchApp, uncounted } from './bench-app';
import { measureContainers } from './containers';
import { measureLatency } from './latency';
import { measureNeonPath } from './neon-path';
import { measureRoundTrips } from './round-trips';
import { measureSmsCost } from './sms-cost';
import { measureThroughput } from './throughput';

export async function measureRequests(opts: { quick?: boolean } = {}) {
  // Removed on stop; a run killed before that is swept by the next start (embedded-postgres.ts).
  const server = await startEmbeddedPostgres({
    dataDir: path.resolve('.local', `bench-pg-${process.pid}`),
    persistent: false,
  });
  try {
    return await measureOn(server, opts);
  } finally {
    await server.stop();
  }
}

async function measureOn(server: LocalPostgres, opts: { quick?: boolean }) {
  const admin = new pg.Client({ connectionString: server.url() });
  uncounted.add(admin);
  // Should the run fail, the server stops under these clients: that must not crash the process
  // before the data directory is removed.
  admin.on('error', () => {});
  await admin.connect();
  await admin.query('create database bench');
  const url = server.url('bench');
  await runMigrations(url);
  const stripe = await startFakeStripe();
  const textmagic = await startFakeTextMagic();
  const neonProxy = await startNeonWsProxy();
  const q = new pg.Client({ connectionString: url });
  uncounted.add(q);
  q.on('error', () => {});
  await q.connect();

  const app = await startBenchApp(url, stripe, textmagic, q);
  const roundTrips = await measureRoundTrips(app);
  const latency = await measureLatency(app, opts);
  const { throughput, zip: zt } = await measureThroughput(app, opts);

  // 50 containers through a transaction pooler: the connections they hold against its own.
  const containerEnv = Object.fromEntries(
    Object.entries(process.env).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
  const containers = await measureContainers(server, 'bench', containerEnv, {
    containers: 50,
    requestsEach: opts.quick ? 4 : 10,
    zip: zt,
  });

  const neon = await measureNeonPath(app, neonProxy, opts);
  const sms = measureSmsCost();

  await app.closeDb();
  await q.end();
  await admin.end();
  await Promise.all([stripe.close(), textmagic.close(), neonProxy.close()]);
  return { roundTrips, latency, throughput, containers, neon, sms };
}
