/**
 * The database dropping every connection again and again under load. Stripe redelivers a
 * webhook until it gets a 2xx, clients retry POST /leads with their Idempotency-Key: in the
 * end every effect is there exactly once, and no request ever saw a 500.
 */
import { expect, it } from 'vitest';
import { useApp } from '../tests/support/app';
import type { Reply } from '../emulators/events';
import { api, lead } from '../tests/support/flow';
import { countRows, deliverEvent, openSessions, smsSentTo, uniqueZip } from '../tests/support/market';
import { useDatabaseProxy } from '../tests/support/database-proxy';
import type { TcpProxy } from '../tests/support/tcp-proxy';
import { dispatchUntilIdle } from './support/clock';
import { describeOn, NEON, PG, PG_POOLED } from './support/paths';
import { extraCopies, report } from './support/row';

const PAYERS = 30;
const LEADS = 40;
// Often enough that most requests of the burst lose a connection at least once, rarely enough
// that a transaction of a few milliseconds can get through between two cuts.
const DROP_EVERY_MS = 150;

/** Calls `send` until it answers 2xx, as Stripe and a retrying client do; returns every status seen. */
async function untilAccepted(send: () => Promise<Reply>): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < 40; i++) {
    const res = await send();
    statuses.push(res.status);
    if (res.status < 300) return statuses;
    // Stripe backs off too; a little jitter keeps the retries from moving in lockstep.
    await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
  }
  return statuses;
}

/** Kills every open database connection every few milliseconds while `work` runs. */
async function whileDropping<T>(
  proxy: TcpProxy,
  work: () => Promise<T>,
): Promise<{ result: T; drops: number }> {
  let drops = 0;
  const timer = setInterval(() => {
    drops++;
    void proxy.drop();
  }, DROP_EVERY_MS);
  try {
    return { result: await work(), drops };
  } finally {
    clearInterval(timer);
    // Pooled connections hear of the last cut before anyone counts on them.
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// Through PgBouncer, the connections cut are the app's to the pooler, as a Lambda's would be.
for (const path of [PG, NEON, PG_POOLED]) {
  const { driver, label: via } = path;
  describeOn(path, 'database dropping connections', () => {
    const app = useApp({
      neon: driver === 'neon',
      pooled: path.pooled,
      env: { LEAD_MAX_OFFERS: String(PAYERS), DATABASE_POOL_MAX: '10' },
    });
    const link = useDatabaseProxy(app);

    it(`${PAYERS} payments for 3 slots while every connection is cut every ${DROP_EVERY_MS} ms`, async (ctx) => {
      const { lead: sold, buyers } = await openSessions(app, PAYERS, { maxUnlocks: 3 });
      const events = buyers.map((b) => app.stripe.completeSession(b.sessionId));
      const since = app.textmagic.sent.length;
      const { result: tries, drops } = await whileDropping(link.proxy, () =>
        Promise.all(events.map((e) => untilAccepted(() => deliverEvent(app, e)))),
      );
      await link.proxy.heal();
      const runs = await dispatchUntilIdle(app.db);

      const statuses = tries.flat();
      const unlocks = await countRows(app, 'select count(*) as n from unlocks where lead_id = $1', [sold.id]);
      const refunded = app.stripe.refunds.map((r) => r.payment_intent);
      const got = buyers.map((b) =>
        smsSentTo(app, b.phone).filter((m) => app.textmagic.sent.indexOf(m) >= since),
      );
      const accepted = tries.filter((t) => t.at(-1)! < 300).length;
      report(ctx, {
        scenario: `database dropping connections, payments (${via})`,
        load: `${PAYERS} payments at once, maxUnlocks 3`,
        fault: `all connections killed every ${DROP_EVERY_MS} ms (${drops} times); Stripe redelivers on 5xx`,
        expected: `only 2xx/503; 3 unlocks, ${PAYERS - 3} refunds, 1 SMS each`,
        observed: `${statuses.filter((s) => s === 503).length}×503, ${statuses.filter((s) => s >= 500 && s !== 503).length} other 5xx, ${accepted} accepted; ${unlocks} unlocks, ${refunded.length} refunds; ${runs} dispatcher runs`,
        lost: PAYERS - unlocks - new Set(refunded).size + got.filter((g) => g.length === 0).length,
        duplicated: extraCopies(refunded) + got.reduce((n, g) => n + Math.max(0, g.length - 1), 0),
      });
      expect(statuses.every((s) => s < 300 || s === 503)).toBe(true);
      expect(accepted).toBe(PAYERS);
      expect(unlocks).toBe(3);
      expect(refunded).toHaveLength(PAYERS - 3);
      expect(got.every((g) => g.length === 1)).toBe(true);
    });

    it(`${LEADS} new leads while every connection is cut every ${DROP_EVERY_MS} ms`, async (ctx) => {
      const zip = uniqueZip();
      const p = await api.addProvider({ zipCodes: [zip] });
      const since = app.textmagic.sent.length;
      const { result: tries, drops } = await whileDropping(link.proxy, () =>
        Promise.all(
          Array.from({ length: LEADS }, (_, i) =>
            untilAccepted(() =>
              api.postLead(lead({ zipCode: zip, budget: `$${100 + i}` }), {
                'idempotency-key': `${driver}-${path.pooled}-drop-${zip}-${i}`,
              }),
            ),
          ),
        ),
      );
      await link.proxy.heal();
      await dispatchUntilIdle(app.db);
      const statuses = tries.flat();
      const leads = await countRows(app, 'select count(*) as n from leads where zip_code = $1', [zip]);
      const offers = await countRows(
        app,
        'select count(*) as n from offers o join leads l on l.id = o.lead_id where l.zip_code = $1',
        [zip],
      );
      const teasers = smsSentTo(app, p.phone).filter((m) => app.textmagic.sent.indexOf(m) >= since);
      const budgets = teasers.map((m) => /\$(\d+)/.exec(m.text)?.[1] ?? m.text);
      report(ctx, {
        scenario: `database dropping connections, new leads (${via})`,
        load: `${LEADS} POST /leads at once, 1 provider`,
        fault: `all connections killed every ${DROP_EVERY_MS} ms (${drops} times); client retries on 5xx`,
        expected: `only 2xx/503; ${LEADS} leads, ${LEADS} offers, ${LEADS} teasers`,
        observed: `${statuses.filter((s) => s === 503).length}×503, ${statuses.filter((s) => s >= 500 && s !== 503).length} other 5xx; ${leads} leads, ${offers} offers, ${teasers.length} teasers`,
        lost: LEADS - new Set(budgets).size,
        duplicated: Math.max(0, leads - LEADS) + extraCopies(budgets),
      });
      expect(statuses.every((s) => s < 300 || s === 503)).toBe(true);
      expect(leads).toBe(LEADS);
      expect(offers).toBe(LEADS);
      expect(teasers).toHaveLength(LEADS);
      expect(new Set(budgets).size).toBe(LEADS);
    });
  });
}
