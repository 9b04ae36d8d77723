/**
 * Returns at scale: 50 providers who bought one lead each return it by SMS at the same moment,
 * then the operator's console approves all 50 at once, each approval sent twice (a double click,
 * a retried request). Every payment is refunded at Stripe exactly once, every provider gets one
 * "approved" SMS, and a second approval changes nothing.
 */
import { expect, it } from 'vitest';
import { handler as returnsFn } from '../functions/returns';
import { invoke } from '../emulators/events';
import { KEYS, useApp } from '../tests/support/app';
import { api, lead, linkToken } from '../tests/support/flow';
import { deliverEvent, smsSentTo, uniqueZip } from '../tests/support/market';
import { dispatchUntilIdle } from './support/clock';
import { describeOn, PG, PG_POOLED } from './support/paths';
import { extraCopies, report } from './support/row';

const RETURNS = 50;

for (const path of [PG, PG_POOLED]) {
  describeOn(path, 'returns burst', () => {
    const app = useApp({
      neon: false,
      pooled: path.pooled,
      env: { LEAD_MAX_OFFERS: String(RETURNS), DATABASE_POOL_MAX: '10' },
    });

    it(`${RETURNS} returns opened at once, then approved at once (each twice)`, async (ctx) => {
      // One lead bought by all of them: every approval takes the same lead's lock.
      const zip = uniqueZip();
      const people: Array<{ id: string; phone: string; sessionId: string }> = [];
      for (let i = 0; i < RETURNS; i++)
        people.push({ ...(await api.addProvider({ zipCodes: [zip], autoPay: false })), sessionId: '' });
      const created = await api.postLead(lead({ zipCode: zip, maxUnlocks: RETURNS }));
      expect(created.json.offeredTo).toBe(RETURNS);
      const code = created.json.code as string;
      for (const p of people) {
        const before = app.textmagic.sent.length;
        await api.reply(p.phone, `YES ${code}`);
        const pay = await api.openPayLink(linkToken(smsSentTo(app, p.phone, before).at(-1)!.text));
        const session = [...app.stripe.sessions.values()].find((s) => s.url === pay.headers.location)!;
        const paid = await deliverEvent(app, app.stripe.completeSession(session.id));
        expect(paid.json.outcome).toBe('unlocked');
        p.sessionId = session.id;
      }
      const intents = people.map((p) => app.stripe.sessions.get(p.sessionId)!.payment_intent as string);
      const since = app.textmagic.sent.length;
      const started = performance.now();

      const bad = await Promise.all(people.map((p) => api.reply(p.phone, `BAD ${code} wrong area`)));
      const opened = await app.db.query<{ id: string }>(
        `select id from lead_returns where lead_id = $1 and status = 'open'`,
        [created.json.id],
      );
      const approvals = await Promise.all(
        opened.flatMap((r) =>
          [1, 2].map(async () => {
            const res = await invoke(returnsFn, {
              method: 'POST',
              path: `/returns/${r.id}/approve`,
              pathParams: { id: r.id },
              headers: { authorization: `Bearer ${KEYS.admin}`, 'content-type': 'application/json' },
              body: '{}',
            });
            return { status: res.status, ms: performance.now() - started };
          }),
        ),
      );
      const runs = await dispatchUntilIdle(app.db);

      const refunded = app.stripe.refunds.map((r) => r.payment_intent).filter((pi) => intents.includes(pi));
      const got = people.map((p) => smsSentTo(app, p.phone, since).map((m) => m.text));
      const approvedSms = got.map((texts) => texts.filter((t) => /is approved/.test(t)));
      const [tasks] = await app.db.query<{ n: string; done: string }>(
        `select count(*) as n, count(*) filter (where status = 'done') as done from stripe_tasks
          where kind = 'refund' and checkout_session_id = any($1)`,
        [people.map((p) => p.sessionId)],
      );
      const ok = approvals.filter((a) => a.status === 200).length;
      const conflicts = approvals.filter((a) => a.status === 409).length;
      // Lost: a payment not refunded, or a provider without the approval SMS.
      const lost =
        intents.filter((pi) => !refunded.includes(pi)).length +
        approvedSms.filter((t) => t.length === 0).length;
      // Duplicated: a second refund of a payment, a second SMS to a phone.
      const duplicated =
        extraCopies(refunded) + extraCopies(people.flatMap((p, i) => got[i]!.map((t) => `${p.phone}|${t}`)));

      report(ctx, {
        scenario: `returns burst (${path.label})`,
        load: `${RETURNS} BAD at once, then ${RETURNS * 2} approvals at once (each return twice), one lead`,
        fault: 'none: every approval at the same moment, each sent twice',
        expected: `${RETURNS} returns; ${RETURNS} approvals and ${RETURNS} 409; ${RETURNS} refunds at Stripe, one per payment; one "approved" SMS each`,
        observed: `${opened.length} returns opened, ${ok}×200 and ${conflicts}×409, ${refunded.length} refunds at Stripe, ${tasks!.n} refund tasks (${tasks!.done} done), ${approvedSms.flat().length} approved SMS; dispatcher ${runs} runs`,
        lost,
        duplicated,
        slowestMs: Math.max(...approvals.map((a) => a.ms)),
      });
      expect(bad.every((r) => r.status === 200)).toBe(true);
      expect(opened).toHaveLength(RETURNS);
      expect(ok).toBe(RETURNS);
      expect(conflicts).toBe(RETURNS);
      expect(refunded).toHaveLength(RETURNS);
      expect(Number(tasks!.n)).toBe(RETURNS);
      expect(lost).toBe(0);
      expect(duplicated).toBe(0);
    });
  });
}
