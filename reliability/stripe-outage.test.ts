/** Stripe's API down while payments arrive: nothing is lost, every refund happens once when it returns. */
import { describe, expect, it } from 'vitest';
import { useApp } from '../tests/support/app';
import { api } from '../tests/support/flow';
import { openSessions, smsSentTo } from '../tests/support/market';
import { dispatchUntilIdle } from './support/clock';
import { extraCopies, report } from './support/row';

const PAYERS = 40;

describe('Stripe outage', () => {
  const app = useApp({ env: { LEAD_MAX_OFFERS: String(PAYERS), DATABASE_POOL_MAX: '10' } });

  it(`${PAYERS} payments for one slot while Stripe's API answers 503`, async (ctx) => {
    const { lead: sold, buyers } = await openSessions(app, PAYERS, { maxUnlocks: 1 });
    const signed = buyers.map((b) => app.stripe.sign(app.stripe.completeSession(b.sessionId)));
    const since = app.textmagic.sent.length;
    app.stripe.fail(10_000, 503);
    const started = performance.now();
    const answers = await Promise.all(
      signed.map(async (s) => ({
        status: (await api.webhook(s.payload, s.header)).status,
        ms: performance.now() - started,
      })),
    );
    const refundsDuringOutage = app.stripe.refunds.length;
    app.stripe.heal();
    const runs = await dispatchUntilIdle(app.db);

    const refunded = app.stripe.refunds.map((r) => r.payment_intent);
    const [{ n: unlocks }] = (await app.db.query<{ n: string }>(
      'select count(*) as n from unlocks where lead_id = $1',
      [sold.id],
    )) as [{ n: string }];
    const got = buyers.map((b) => smsSentTo(app, b.phone, since).length);
    const lost = PAYERS - Number(unlocks) - new Set(refunded).size + got.filter((n) => n === 0).length;
    report(ctx, {
      scenario: 'Stripe API down during payments',
      load: `${PAYERS} payments at once, maxUnlocks 1`,
      fault: 'every Stripe API call 503 until healed',
      expected: `webhooks 200; after recovery 1 unlock, ${PAYERS - 1} refunds, 1 SMS each`,
      observed: `${answers.filter((a) => a.status === 200).length}×200; ${refundsDuringOutage} refunds during, ${refunded.length} after ${runs} dispatcher runs; ${unlocks} unlock`,
      lost,
      duplicated: extraCopies(refunded) + got.reduce((n, k) => n + Math.max(0, k - 1), 0),
      slowestMs: Math.max(...answers.map((a) => a.ms)),
    });
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(Number(unlocks)).toBe(1);
    expect(refunded).toHaveLength(PAYERS - 1);
    expect(new Set(refunded).size).toBe(PAYERS - 1);
    expect(got.every((n) => n === 1)).toBe(true);
  });
});
