/**
 * Connections at Lambda's concurrency: N simulated containers (worker threads, each with its own
 * pool at the default DATABASE_POOL_MAX) post leads one at a time through PgBouncer in
 * transaction mode; sampled meanwhile, the client connections they hold on the pooler and the
 * server connections the pooler holds on Postgres.
 */
import { Worker } from 'node:worker_threads';
import path from 'node:path';
import pg from 'pg';
import { parseConfig } from '../lib/config';
import type { LocalPostgres } from '../scripts/embedded-postgres';
import { pgBouncerBinary, startPgBouncer } from '../scripts/pgbouncer';

export type ContainersResult = {
  containers: number;
  requestsEach: number;
  poolMaxDefault: number;
  serverPool: number;
  statuses: Record<string, number>;
  leadsPerSecond: number;
  maxClientConnections: number;
  maxServerConnections: number;
};

export async function measureContainers(
  server: LocalPostgres,
  database: string,
  env: Record<string, string>,
  opts: { containers: number; requestsEach: number; zip: string },
): Promise<ContainersResult | { skipped: string }> {
  if (!pgBouncerBinary()) return { skipped: 'pgbouncer is not installed (apt-get install -y pgbouncer)' };
  const serverPool = 4;
  const bouncer = await startPgBouncer({
    serverUrl: server.url(database),
    dir: path.resolve('.local', `bench-pgbouncer-${process.pid}`),
    poolSize: serverPool,
  });
  // PgBouncer's admin console counts both sides of its pool: clients, and servers on Postgres.
  const admin = new pg.Client({ connectionString: bouncer.adminUrl });
  await admin.connect();
  const workers: Worker[] = [];
  try {
    const workerEnv = { ...env, DATABASE_URL: bouncer.via(server.url(database)), DATABASE_POOL_MAX: '' };
    for (let id = 0; id < opts.containers; id++) {
      // Workers do not take the parent's --import loaders on Node 20: each registers tsx itself.
      const entry = new URL('./container-worker.ts', import.meta.url).href;
      const boot = `import('tsx/esm/api').then((t) => { t.register(); return import(${JSON.stringify(entry)}); })`;
      const worker = new Worker(boot, {
        eval: true,
        workerData: { env: workerEnv, requests: opts.requestsEach, zip: opts.zip, id },
      });
      workers.push(worker);
    }
    await Promise.all(workers.map((w) => new Promise((resolve) => w.once('message', resolve))));

    let maxClients = 0;
    let maxServers = 0;
    const sample = async () => {
      const pools = (await admin.query('show pools')).rows as Array<Record<string, string | number>>;
      const ours = pools.find((p) => p.database === database);
      if (!ours) return;
      const n = (...keys: string[]) => keys.reduce((sum, k) => sum + Number(ours[k] ?? 0), 0);
      maxClients = Math.max(maxClients, n('cl_active', 'cl_waiting'));
      maxServers = Math.max(maxServers, n('sv_active', 'sv_idle', 'sv_used', 'sv_tested', 'sv_login'));
    };
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        await sample();
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const started = performance.now();
    const results = await Promise.all(
      workers.map(
        (w) =>
          new Promise<{ statuses: number[] }>((resolve) => {
            w.once('message', resolve);
            w.postMessage('go');
          }),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    sampling = false;
    await sampler;
    const statuses: Record<string, number> = {};
    for (const s of results.flatMap((r) => r.statuses)) statuses[s] = (statuses[s] ?? 0) + 1;
    return {
      containers: opts.containers,
      requestsEach: opts.requestsEach,
      poolMaxDefault: parseConfig({}).databasePoolMax,
      serverPool,
      statuses,
      leadsPerSecond: (opts.containers * opts.requestsEach) / seconds,
      maxClientConnections: maxClients,
      maxServerConnections: maxServers,
    };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
    await admin.end();
    await bouncer.stop();
  }
}
