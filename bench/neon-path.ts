/** The Neon path: a cold container's first query against a warm one's, and WebSockets per invocation. */
import type { NeonWsProxy } from '../emulators/neon-ws-proxy';
import { call, type BenchApp } from './bench-app';
import { median } from './cold-start';

export async function measureNeonPath(
  { fn, api, ok, newZip, resetConfig, closeDb, q }: BenchApp,
  neonProxy: NeonWsProxy,
  opts: { quick?: boolean },
) {
  // The Neon path: first query of a cold container (new pool, new WebSocket) vs a warm one.
  Object.assign(process.env, { DATABASE_DRIVER: 'neon', NEON_WS_PROXY: neonProxy.wsProxy });
  resetConfig();
  await closeDb();
  const cold: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < 10; i++) {
    await closeDb();
    let t0 = performance.now();
    ok(await call(fn.health, { method: 'GET', path: '/health' }), 200, 'neon health');
    cold.push(performance.now() - t0);
    t0 = performance.now();
    ok(await call(fn.health, { method: 'GET', path: '/health' }), 200, 'neon health');
    warm.push(performance.now() - t0);
  }
  const connectionsBefore = neonProxy.connections;
  const invocations = opts.quick ? 200 : 1000;
  const zn = newZip();
  const neonPeople = [await api.provider(zn), await api.provider(zn)];
  const neonLead = ok(await api.lead(api.leadBody(zn, { maxUnlocks: 2 })), 201, 'neon lead');
  const { rows: neonTokens } = await q.query<{ pay_token: string }>(
    `select pay_token from offers where lead_id = $1 order by provider_id`,
    [neonLead.json.id],
  );
  for (let i = 0; i < invocations; i++) {
    // A mix: health, replies and pay links, the way a warm container serves them.
    if (i % 3 === 0) ok(await call(fn.health, { method: 'GET', path: '/health' }), 200, 'neon health');
    else if (i % 3 === 1)
      ok(await api.reply(neonPeople[i % 2]!.phone, `YES ${neonLead.json.code}`), 200, 'YES');
    else ok(await api.payLink(neonTokens[i % 2]!.pay_token), 303, 'neon pay link');
  }
  const { rows: activity } = await q.query<{ n: string }>(
    `select count(*) as n from pg_stat_activity where datname = 'bench' and pid <> pg_backend_pid()`,
  );
  const neon = {
    coldFirstQueryMs: median(cold),
    warmQueryMs: median(warm),
    coldOverWarm: median(cold) / median(warm),
    invocations,
    websocketsOpened: neonProxy.connections - connectionsBefore,
    // Our bench client and the pg-driver pool (still open) are not Neon connections; the Neon pool
    // may hold up to DATABASE_POOL_MAX.
    backendsAfter: Number(activity[0]!.n),
    poolMax: 8,
  };
  await closeDb();
  Object.assign(process.env, { DATABASE_DRIVER: 'pg' });
  resetConfig();
  return neon;
}
