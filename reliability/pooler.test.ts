/**
 * Behind a transaction pooler, as deployments at scale reach Postgres (Neon's pooled endpoint,
 * PgBouncer, Supavisor, RDS Proxy): the run's PgBouncer in transaction mode with 4 server
 * connections, many client connections in front of it. The scenario ends the way production
 * would hours later: every lease run out and the dispatcher run until idle, then nothing may
 * have gone out twice. (The payment race, redeliveries and database drops run through it too:
 * oversell, duplicates and database-drops.)
 */
import { expect, it } from 'vitest';
import { useApp } from '../tests/support/app';
import type { Reply } from '../emulators/events';
import { api, lead } from '../tests/support/flow';
import { smsSentTo, uniqueZip } from '../tests/support/market';
import { sentTwiceAfterLeases } from './support/clock';
import { describeOn, NEON_POOLED, PG_POOLED } from './support/paths';
import { report } from './support/row';

const LEADS = 300;
const CONCURRENCY = 40;
const PROVIDERS = 20;

/** Runs `jobs` with at most `limit` in flight, in order of start. */
async function withConcurrency<T>(limit: number, jobs: Array<() => Promise<T>>): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < jobs.length) {
        const i = next++;
        out[i] = await jobs[i]!();
      }
    }),
  );
  return out;
}

const statusCounts = (replies: Reply[]) => {
  const counts = new Map<number, number>();
  for (const r of replies) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  return [...counts].map(([status, n]) => `${n}×${status}`).join(' + ');
};

for (const path of [PG_POOLED, NEON_POOLED]) {
  const { driver } = path;
  describeOn(path, 'behind PgBouncer, transaction mode', () => {
    // Many client connections (as many containers would open) onto PgBouncer's 4 server connections.
    const app = useApp({
      neon: driver === 'neon',
      pooled: true,
      env: { LEAD_MAX_OFFERS: String(PROVIDERS), DATABASE_POOL_MAX: String(CONCURRENCY) },
    });

    it(`${LEADS} POST /leads at concurrency ${CONCURRENCY}, ${PROVIDERS} matching providers`, async (ctx) => {
      const zip = uniqueZip();
      const providers = [];
      for (let i = 0; i < PROVIDERS; i++) providers.push(await api.addProvider({ zipCodes: [zip] }));
      const since = app.textmagic.sent.length;
      const started = performance.now();
      const replies = await withConcurrency(
        CONCURRENCY,
        Array.from({ length: LEADS }, (_, i) => () => {
          const key = `pooled-${driver}-${Date.now()}-${i}`;
          return api.postLead(lead({ zipCode: zip, description: `Job ${i}` }), { 'idempotency-key': key });
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      const after = await sentTwiceAfterLeases(app);
      const created = replies.filter((r) => r.status === 201);
      const teasers = created.map(
        (r) => app.textmagic.sent.slice(since).filter((m) => m.text.includes(`YES ${r.json.code}`)).length,
      );
      const perProvider = providers.map((p) => smsSentTo(app, p.phone, since).length);
      const lost = LEADS - created.length + teasers.filter((n) => n === 0).length;
      const duplicated = teasers.reduce((n, t) => n + Math.max(0, t - 1), 0) + after.duplicated;
      report(ctx, {
        scenario: `many leads behind a transaction pooler (${driver})`,
        load: `${LEADS} leads, ${CONCURRENCY} at a time, ${PROVIDERS} providers each`,
        fault: 'PgBouncer 1.18, transaction mode, 4 server connections',
        expected: `${LEADS}×201, 1 teaser per lead to ${PROVIDERS} providers, nothing resent after the leases`,
        observed: `${statusCounts(replies)} in ${seconds.toFixed(1)} s (${Math.round(LEADS / seconds)} leads/s), teasers ${teasers.filter((n) => n === 1).length}×1 to ${Math.min(...perProvider)}–${Math.max(...perProvider)} per provider, ${after.resent} sent after the leases`,
        lost,
        duplicated,
      });
      expect(statusCounts(replies)).toBe(`${LEADS}×201`);
      expect(teasers.every((n) => n === 1)).toBe(true);
      expect(perProvider.every((n) => n === LEADS)).toBe(true);
      expect(after.resent).toBe(0);
      expect(duplicated).toBe(0);
    });
  });
}
