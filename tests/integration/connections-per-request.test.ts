/**
 * A Lambda container serves one request at a time, so its pool needs only as many connections
 * as one request holds at once: the default DATABASE_POOL_MAX. Each route of the flow, one
 * request at a time, over both drivers, with the pool at its default: the most connections
 * checked out at once, and no request ever waiting for one.
 */
import type { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { handler as health } from '../../functions/health';
import { handler as dispatcher } from '../../functions/sms-dispatcher';
import { config, resetConfig } from '../../lib/config';
import { closeDb } from '../../lib/db/client';
import { getPool } from '../../lib/db/pool';
import { useApp, type TestApp } from '../support/app';
import { invoke } from '../../emulators/events';
import { api, lead } from '../support/flow';
import { deliverEvent, openSessions, uniqueZip } from '../support/market';

/** Counts the pool's checked-out connections: the most at once over each step. */
async function watchPool() {
  const pool = (await getPool()) as unknown as EventEmitter;
  let out = 0;
  let peak = 0;
  pool.on('acquire', () => {
    out++;
    peak = Math.max(peak, out);
  });
  pool.on('release', () => {
    out--;
  });
  return {
    async step<T>(run: () => Promise<T>): Promise<{ result: T; peak: number }> {
      peak = out;
      const result = await run();
      return { result, peak };
    },
  };
}

/** The flow, one request at a time, each step's answer checked; what `measure` saw of each. */
async function flow(app: TestApp, measure: <T>(name: string, run: () => Promise<T>) => Promise<T>) {
  // Adding a provider commits, then sends their opt-in confirmation after commit.
  const added = await measure('POST /providers', () => api.addProvider({ zipCodes: [uniqueZip()] }));
  expect(added.id).toEqual(expect.any(String));
  const { lead: sold, buyers } = await openSessions(app, 3, { maxUnlocks: 1 });
  const [winner, loser] = buyers;
  const events = buyers.map((x) => app.stripe.completeSession(x.sessionId));
  // TextMagic fails the details once: left queued for the dispatcher.
  app.textmagic.fail(1, 503);
  // The paid webhook runs its SMS and Stripe follow-ups side by side after commit.
  expect((await measure('paid webhook', () => deliverEvent(app, events[0]!))).json.outcome).toBe('unlocked');
  expect((await measure('payment past the cap', () => deliverEvent(app, events[1]!))).json.outcome).toBe(
    'refund_queued',
  );
  expect((await measure('POST /leads', () => api.postLead(lead({ zipCode: uniqueZip() })))).status).toBe(201);
  expect((await measure('YES', () => api.reply(loser!.phone, `YES ${sold.code}`))).status).toBe(200);
  expect((await measure('GET /p/{token}', () => api.openPayLink(winner!.token))).status).toBe(200);
  expect((await measure('GET /leads/{id}', () => api.getLead(sold.id))).status).toBe(200);
  const report = { id: '777', status: 'f', receiver: '15125550100' };
  expect((await measure('POST /sms/status', () => api.deliveryReport(report))).status).toBe(200);
  const probe = () => invoke(health, { method: 'GET', path: '/health' });
  expect((await measure('GET /health', probe)).status).toBe(200);
  await app.db.query(`update sms_messages set next_attempt_at = now() where status = 'queued'`);
  await app.db.query(`update stripe_tasks set next_attempt_at = now() where status = 'queued'`);
  // Left for it: the details SMS TextMagic refused; the Stripe follow-ups all ran after commit;
  // no retention set, so no lead erased.
  expect(await measure('dispatcher', () => dispatcher())).toEqual({
    sms: { done: 1, retry: 0, failed: 0 },
    stripe: { done: 0, retry: 0, failed: 0 },
    erasedLeads: 0,
    agedLeads: 0,
  });
}

for (const driver of ['pg', 'neon'] as const) {
  describe(`connections one request holds (${driver})`, () => {
    // DATABASE_POOL_MAX at its default; a stuck wait for a connection fails within a second.
    const app = useApp({
      neon: driver === 'neon',
      env: { DATABASE_POOL_MAX: '', DATABASE_CONNECT_TIMEOUT_MS: '1000' },
    });

    it('the busiest route, one request at a time, holds exactly the default DATABASE_POOL_MAX', async () => {
      const pool = await watchPool();
      const peaks: Record<string, number> = {};
      await flow(app, async (name, run) => {
        const { result, peak } = await pool.step(run);
        peaks[name] = peak;
        return result;
      });
      // The default is what the busiest route needs, no more: a webhook's follow-ups after commit
      // (its SMS and its Stripe calls side by side) and the lead view's reads, two at once.
      expect(Math.max(...Object.values(peaks)), JSON.stringify(peaks)).toBe(config().databasePoolMax);
    });

    it('with one connection every route still answers: none holds a connection while it waits for another', async () => {
      process.env.DATABASE_POOL_MAX = '1';
      resetConfig();
      await closeDb();
      try {
        await flow(app, (_name, run) => run());
      } finally {
        process.env.DATABASE_POOL_MAX = '';
        resetConfig();
        await closeDb();
      }
    });
  });
}
