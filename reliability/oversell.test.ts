/**
 * Many providers paying for one lead at the same moment: the cap holds, every loser is refunded
 * and told, every winner gets the details once. Over the TCP pool and over Neon's driver, each
 * straight to Postgres and through PgBouncer in transaction mode.
 */
import { expect, it } from 'vitest';
import { useApp } from '../tests/support/app';
import { api } from '../tests/support/flow';
import { openSessions, smsSentTo } from '../tests/support/market';
import { dispatchUntilIdle } from './support/clock';
import { describeOn, NEON, NEON_POOLED, PG, PG_POOLED } from './support/paths';
import { extraCopies, report } from './support/row';

const PAYERS = 200;
const CAP = 3;

for (const path of [PG, NEON, PG_POOLED, NEON_POOLED]) {
  describeOn(path, 'oversell race', () => {
    const app = useApp({
      neon: path.driver === 'neon',
      pooled: path.pooled,
      env: { LEAD_MAX_OFFERS: String(PAYERS), DATABASE_POOL_MAX: '10' },
    });

    it(`${PAYERS} payments completing at once for a lead with maxUnlocks ${CAP}`, async (ctx) => {
      const { lead: sold, buyers } = await openSessions(app, PAYERS, { maxUnlocks: CAP });
      const signed = buyers.map((b) => app.stripe.sign(app.stripe.completeSession(b.sessionId)));
      const since = app.textmagic.sent.length;
      const started = performance.now();
      const answers = await Promise.all(
        signed.map(async (s) => {
          const res = await api.webhook(s.payload, s.header);
          return { status: res.status, ms: performance.now() - started };
        }),
      );

      // Refunds and SMS that did not fit in a webhook's budget after commit go with the dispatcher.
      const inline = app.stripe.refunds.length;
      const runs = await dispatchUntilIdle(app.db);

      const intentOf = (sessionId: string) => app.stripe.sessions.get(sessionId)!.payment_intent as string;
      const refunded = app.stripe.refunds.map((r) => r.payment_intent);
      const unlocked = await app.db.query<{ provider_id: string }>(
        'select provider_id from unlocks where lead_id = $1',
        [sold.id],
      );
      const winners = new Set(unlocked.map((u) => u.provider_id));
      const got = buyers.map((b) => smsSentTo(app, b.phone, since).map((m) => m.text));
      const details = got.filter((texts) => texts.some((t) => t.includes('Jane Client'))).length;
      const refundSms = got.filter((texts) => texts.some((t) => /refunded/i.test(t))).length;
      // A payment is lost when it was neither turned into the lead nor refunded, or its payer was not told.
      const lost = buyers.filter((b, i) => {
        const won = winners.has(b.id);
        const back = refunded.includes(intentOf(b.sessionId));
        return (!won && !back) || got[i]!.length === 0;
      }).length;
      const duplicated =
        extraCopies(refunded) +
        got.reduce((n, texts) => n + Math.max(0, texts.length - 1), 0) +
        buyers.filter((b) => winners.has(b.id) && refunded.includes(intentOf(b.sessionId))).length;

      report(ctx, {
        scenario: `oversell race (${path.label})`,
        load: `${PAYERS} payments at once, maxUnlocks ${CAP}`,
        fault: 'none: every webhook at the same moment',
        expected: `${CAP} unlocks, ${PAYERS - CAP} refunds, 1 SMS each`,
        observed: `${winners.size} unlocks, ${refunded.length} refunds (${inline} inline, ${refunded.length - inline} by the dispatcher in ${runs} runs), ${details} details + ${refundSms} refunded SMS, ${answers.filter((a) => a.status === 200).length}×200`,
        lost,
        duplicated,
        slowestMs: Math.max(...answers.map((a) => a.ms)),
      });
      expect(answers.every((a) => a.status === 200)).toBe(true);
      expect(winners.size).toBe(CAP);
      expect(refunded).toHaveLength(PAYERS - CAP);
      expect(lost).toBe(0);
      expect(duplicated).toBe(0);
    });
  });
}
