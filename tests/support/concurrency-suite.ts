import { describe, expect, it } from 'vitest';
import { handler as dispatcher } from '../../functions/sms-dispatcher';
import { useApp } from './app';
import { api, lead, linkToken } from './flow';
import { countRows, openSessions, smsSentTo, uniqueZip } from './market';

/**
 * Concurrency at the numbers, against the real Postgres; run once over a TCP pool and
 * once over Neon's serverless driver. (20 identical Stripe events at once are in payment-suite;
 * 20 identical TextMagic callbacks and 20 POST /leads with one Idempotency-Key in inbound-sms
 * and create-lead, over the TCP pool; here again over Neon.)
 */
export function concurrencySuite(driver: 'pg' | 'neon', pooled = false): void {
  const via = pooled ? `${driver} via PgBouncer` : driver;
  const app = useApp({
    neon: driver === 'neon',
    pooled,
    env: { LEAD_MAX_OFFERS: '60', DATABASE_POOL_MAX: '10' },
  });

  const smsTo = (phone: string, since = 0) => smsSentTo(app, phone, since);
  const count = (sql: string, params: unknown[] = []) => countRows(app, sql, params);

  describe(`concurrency (${via})`, () => {
    it('50 payments completing at once for a lead with maxUnlocks 3: 3 unlocks, 47 refunds, one SMS each', async () => {
      const { lead: created, buyers } = await openSessions(app, 50, { maxUnlocks: 3 });

      // Every provider pays before any webhook arrives, then Stripe delivers all 50 at once.
      const signed = buyers.map((b) => app.stripe.sign(app.stripe.completeSession(b.sessionId)));
      const sentBefore = app.textmagic.sent.length;
      const replies = await Promise.all(signed.map((s) => api.webhook(s.payload, s.header)));
      expect(replies.map((r) => r.status)).toEqual(Array(50).fill(200));
      const outcomes = replies.map((r) => r.json.outcome);
      expect(outcomes.filter((o) => o === 'unlocked')).toHaveLength(3);
      expect(outcomes.filter((o) => o === 'refund_queued')).toHaveLength(47);

      const leadId = created.id;
      expect(await count('select count(*) as n from unlocks where lead_id = $1', [leadId])).toBe(3);
      expect(await count('select unlock_count as n from leads where id = $1', [leadId])).toBe(3);

      // 47 refunds at Stripe, one per payment past the cap, none for a buyer who got the lead.
      const intentOf = (b: (typeof buyers)[number]) =>
        app.stripe.sessions.get(b.sessionId)!.payment_intent as string;
      const refunded = app.stripe.refunds.map((r) => r.payment_intent);
      expect(new Set(refunded).size).toBe(refunded.length);
      const winners = buyers.filter((_, i) => outcomes[i] === 'unlocked');
      const losers = buyers.filter((_, i) => outcomes[i] === 'refund_queued');
      expect(losers.map(intentOf).sort()).toEqual([...refunded].sort());
      for (const w of winners) expect(refunded).not.toContain(intentOf(w));

      // 53 SMS at once are more than the send rate's turns within the webhooks' budgets: what
      // they left queued goes with the scheduled dispatcher.
      await dispatcher();
      // One details SMS to each winner, one "refunded" SMS to each of the others, nothing else.
      for (const w of winners) {
        const got = smsTo(w.phone, sentBefore).map((m) => m.text);
        expect(got).toHaveLength(1);
        expect(got[0]).toContain('Jane Client');
      }
      for (const l of losers) {
        const got = smsTo(l.phone, sentBefore).map((m) => m.text);
        expect(got).toHaveLength(1);
        expect(got[0]).toMatch(/refunded/i);
        expect(got[0]).not.toContain('Jane Client');
      }
      expect(
        await count(`select count(*) as n from sms_messages where lead_id = $1 and kind = 'details'`, [
          leadId,
        ]),
      ).toBe(3);
      expect(
        await count(`select count(*) as n from sms_messages where lead_id = $1 and kind = 'refunded'`, [
          leadId,
        ]),
      ).toBe(47);
      expect(
        await count(
          `select count(*) as n from stripe_tasks where lead_id = $1 and kind = 'refund' and status = 'done'`,
          [leadId],
        ),
      ).toBe(47);
      expect((await api.getLead(leadId)).json.status).toBe('full');
    }, 60_000);

    it('two providers replying YES to the same lead at the same moment, 8 times over: one link per reply, each always their own', async () => {
      const zip = uniqueZip();
      const a = await api.addProvider({ zipCodes: [zip] });
      const b = await api.addProvider({ zipCodes: [zip] });
      const created = await api.postLead(lead({ zipCode: zip }));
      expect(created.json.offeredTo).toBe(2);
      const code = created.json.code;
      const tokens: Record<string, Set<string>> = { [a.id]: new Set(), [b.id]: new Set() };
      const statuses: number[] = [];
      for (let round = 0; round < 8; round++) {
        const before = app.textmagic.sent.length;
        // Each provider twice, both at once: four replies in flight for one lead.
        const replies = await Promise.all([
          api.reply(a.phone, `YES ${code}`),
          api.reply(b.phone, `yes ${code}`),
          api.reply(a.phone, `Y ${code}`),
          api.reply(b.phone, `UNLOCK ${code}`),
        ]);
        statuses.push(...replies.map((r) => r.status));
        for (const p of [a, b]) {
          const got = smsTo(p.phone, before);
          expect(got).toHaveLength(2);
          for (const m of got) tokens[p.id]!.add(linkToken(m.text));
        }
      }
      expect(statuses).toEqual(Array(32).fill(200));
      // Each provider always gets the same link, never the other's.
      expect(tokens[a.id]!.size).toBe(1);
      expect(tokens[b.id]!.size).toBe(1);
      expect([...tokens[a.id]!][0]).not.toBe([...tokens[b.id]!][0]);
      expect(await count('select count(*) as n from offers where lead_id = $1', [created.json.id])).toBe(2);
      expect(
        await count(`select count(*) as n from inbound_sms where provider_id = any($1) and outcome = 'yes'`, [
          [a.id, b.id],
        ]),
      ).toBe(32);
    });

    // Over the plain TCP pool these are in inbound-sms and create-lead.
    if (driver === 'neon' || pooled) {
      it('the same TextMagic callback 20 times at once: one answer', async () => {
        const zip = uniqueZip();
        const p = await api.addProvider({ zipCodes: [zip] });
        const created = await api.postLead(lead({ zipCode: zip }));
        const before = app.textmagic.sent.length;
        const id = `dup-${driver}-${Date.now()}`;
        const replies = await Promise.all(
          Array.from({ length: 20 }, () => api.reply(p.phone, `YES ${created.json.code}`, { id })),
        );
        expect(replies.map((r) => r.status)).toEqual(Array(20).fill(200));
        expect(replies.filter((r) => r.json.outcome === 'yes')).toHaveLength(1);
        expect(smsTo(p.phone, before)).toHaveLength(1);
        expect(await count('select count(*) as n from inbound_sms where id = $1', [id])).toBe(1);
      });

      it('20 concurrent POST /leads with one Idempotency-Key: one lead, one teaser', async () => {
        const zip = uniqueZip();
        const p = await api.addProvider({ zipCodes: [zip] });
        const before = app.textmagic.sent.length;
        const key = `idem-${driver}-${Date.now()}`;
        const replies = await Promise.all(
          Array.from({ length: 20 }, () => api.postLead(lead({ zipCode: zip }), { 'idempotency-key': key })),
        );
        expect(replies.every((r) => r.status === 200 || r.status === 201)).toBe(true);
        expect(replies.filter((r) => r.status === 201)).toHaveLength(1);
        expect(new Set(replies.map((r) => r.json.id)).size).toBe(1);
        expect(smsTo(p.phone, before)).toHaveLength(1);
        expect(await count('select count(*) as n from leads where zip_code = $1', [zip])).toBe(1);
      });
    }
  });
}
