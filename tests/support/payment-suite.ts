import { describe, expect, it } from 'vitest';
import { handler as dispatcher } from '../../functions/sms-dispatcher';
import { useApp } from './app';
import type { StripeEvent } from '../../emulators/fake-stripe';
import { api, lead, linkToken } from './flow';
import { countRows, deliverEvent, openSessions, smsSentTo, uniqueZip } from './market';

/** The payment flow's tests; run once over a TCP pool and once over Neon's driver. */
export function paymentSuite(driver: 'pg' | 'neon', pooled = false): void {
  const via = pooled ? `${driver} via PgBouncer` : driver;
  const app = useApp({ neon: driver === 'neon', pooled, env: { LEAD_MAX_OFFERS: '60' } });

  const leadWithOpenSessions = (providers: number, body: Record<string, unknown> = {}) =>
    openSessions(app, providers, body);
  const smsTo = (phone: string) => smsSentTo(app, phone);
  const deliver = (event: StripeEvent) => deliverEvent(app, event);
  const count = (sql: string, params: unknown[] = []) => countRows(app, sql, params);

  describe(`Stripe webhook verification (${via})`, () => {
    it('refuses a forged signature, a stale one and a missing one, and changes nothing', async () => {
      const { buyers } = await leadWithOpenSessions(1);
      const event = app.stripe.completeSession(buyers[0]!.sessionId);
      const events = await count('select count(*) as n from stripe_events');

      const forged = app.stripe.sign(event, { secret: 'whsec_not_ours' });
      const r1 = await api.webhook(forged.payload, forged.header);
      expect(r1.status).toBe(400);
      expect(r1.json.error.code).toBe('invalid_signature');

      const stale = app.stripe.sign(event, { timestamp: Math.floor(Date.now() / 1000) - 301 });
      expect((await api.webhook(stale.payload, stale.header)).status).toBe(400);

      const good = app.stripe.sign(event);
      expect((await api.webhook(good.payload.replace('"paid"', '"unpaid"'), good.header)).status).toBe(400);

      const missing = await api.webhook(good.payload, undefined);
      expect(missing.status).toBe(400);
      expect(missing.json.error.code).toBe('missing_signature');

      expect(await count('select count(*) as n from stripe_events')).toBe(events);
      expect(
        await count('select count(*) as n from unlocks where checkout_session_id = $1', [
          buyers[0]!.sessionId,
        ]),
      ).toBe(0);
    });

    it('verifies the exact bytes of a base64-encoded body (HTTP API v2 event)', async () => {
      const { buyers } = await leadWithOpenSessions(1);
      const { payload, header } = app.stripe.sign(app.stripe.completeSession(buyers[0]!.sessionId));
      const res = await api.webhook(payload, header, 'v2');
      expect(res.status).toBe(200);
      expect(res.json.outcome).toBe('unlocked');
    });

    it('answers 503 when the webhook secret is not configured, so Stripe retries', async () => {
      const saved = process.env.STRIPE_WEBHOOK_SECRET;
      delete process.env.STRIPE_WEBHOOK_SECRET;
      const { resetConfig } = await import('../../lib/config');
      resetConfig();
      try {
        const res = await api.webhook('{}', 't=1,v1=abc');
        expect(res.status).toBe(503);
      } finally {
        process.env.STRIPE_WEBHOOK_SECRET = saved;
        resetConfig();
      }
    });
  });

  describe(`payment events (${via})`, () => {
    it('applies a replayed event once: one unlock, one details SMS', async () => {
      const { buyers } = await leadWithOpenSessions(1);
      const event = app.stripe.completeSession(buyers[0]!.sessionId);
      expect((await deliver(event)).json.outcome).toBe('unlocked');
      const replay = await deliver(event);
      expect(replay.status).toBe(200);
      expect(replay.json.outcome).toBe('duplicate');
      expect(smsTo(buyers[0]!.phone).filter((m) => m.text.includes('Jane Client'))).toHaveLength(1);
    });

    it('applies the same event delivered 20 times at once exactly once', async () => {
      const { buyers } = await leadWithOpenSessions(1);
      const event = app.stripe.completeSession(buyers[0]!.sessionId);
      const { payload, header } = app.stripe.sign(event);
      const replies = await Promise.all(Array.from({ length: 20 }, () => api.webhook(payload, header)));
      expect(replies.every((r) => r.status === 200)).toBe(true);
      expect(replies.filter((r) => r.json.outcome === 'unlocked')).toHaveLength(1);
      expect(
        await count('select count(*) as n from unlocks where checkout_session_id = $1', [
          buyers[0]!.sessionId,
        ]),
      ).toBe(1);
      expect(smsTo(buyers[0]!.phone).filter((m) => m.text.includes('Jane Client'))).toHaveLength(1);
    });

    it('tells a buyer refunded for a sold-out lead the amount they paid, whatever the lead costs now', async () => {
      const { lead: l, buyers } = await leadWithOpenSessions(2, { maxUnlocks: 1, priceCents: 1500 });
      const [a, b] = buyers as [(typeof buyers)[0], (typeof buyers)[0]];
      // Both pay $15.00; then the lead's price changes before B's payment is heard of.
      const [paidA, paidB] = [
        app.stripe.completeSession(a.sessionId),
        app.stripe.completeSession(b.sessionId),
      ];
      expect((await deliver(paidA)).json.outcome).toBe('unlocked');
      await app.db.query('update leads set price_cents = 2000 where id = $1', [l.id]);
      expect((await deliver(paidB)).json.outcome).toBe('refund_queued');
      expect(smsTo(b.phone).filter((m) => /refunded/i.test(m.text))).toEqual([
        expect.objectContaining({ text: expect.stringContaining('Your $15.00 has been refunded') }),
      ]);
    });

    it('sells a lead at most maxUnlocks times when payments race, refunding the rest', async () => {
      const { lead: l, buyers } = await leadWithOpenSessions(8, { maxUnlocks: 3 });
      const events = buyers.map((b) => app.stripe.completeSession(b.sessionId));
      const replies = await Promise.all(events.map(deliver));
      expect(replies.map((r) => r.status)).toEqual(Array(8).fill(200));
      const outcomes = replies.map((r) => r.json.outcome).sort();
      expect(outcomes.filter((o) => o === 'unlocked')).toHaveLength(3);
      expect(outcomes.filter((o) => o === 'refund_queued')).toHaveLength(5);

      expect(await count('select count(*) as n from unlocks where lead_id = $1', [l.id])).toBe(3);
      const refunded = new Set(app.stripe.refunds.map((r) => r.payment_intent));
      const intents = buyers.map((b) => app.stripe.sessions.get(b.sessionId)!.payment_intent);
      expect(intents.filter((pi) => refunded.has(pi as string))).toHaveLength(5);
      const details = buyers.filter((b) => smsTo(b.phone).some((m) => m.text.includes('Jane Client')));
      const told = buyers.filter((b) => smsTo(b.phone).some((m) => /refunded/i.test(m.text)));
      expect(details).toHaveLength(3);
      expect(told).toHaveLength(5);
      expect(new Set([...details, ...told]).size).toBe(8);

      const view = await api.getLead(l.id);
      expect(view.json.status).toBe('full');
      // The code went back to the pool once the lead filled.
      expect(await count('select count(*) as n from leads where id = $1 and code_active', [l.id])).toBe(0);
    });

    it('expires the other open sessions at Stripe when the lead fills', async () => {
      const { buyers } = await leadWithOpenSessions(3, { maxUnlocks: 1 });
      expect((await deliver(app.stripe.completeSession(buyers[0]!.sessionId))).json.outcome).toBe('unlocked');
      expect(app.stripe.sessions.get(buyers[1]!.sessionId)!.status).toBe('expired');
      expect(app.stripe.sessions.get(buyers[2]!.sessionId)!.status).toBe('expired');
      // Their links now say the lead is gone.
      const gone = await api.openPayLink(buyers[1]!.token);
      expect(gone.status).toBe(410);
      expect(gone.text).not.toContain('Jane');
    });

    it('keeps the webhook 2xx when a follow-up to Stripe fails, and retries it later', async () => {
      const { buyers } = await leadWithOpenSessions(2, { maxUnlocks: 1 });
      const first = app.stripe.completeSession(buyers[0]!.sessionId);
      const second = app.stripe.completeSession(buyers[1]!.sessionId);
      expect((await deliver(first)).json.outcome).toBe('unlocked');
      const refundsBefore = app.stripe.refunds.length;
      app.stripe.fail(10, 503);
      const res = await deliver(second);
      expect(res.status).toBe(200);
      expect(res.json.outcome).toBe('refund_queued');
      expect(app.stripe.refunds.length).toBe(refundsBefore);
      const [task] = await app.db.query<{ status: string; attempts: number }>(
        `select status, attempts from stripe_tasks where dedupe_key = $1`,
        [`refund:${buyers[1]!.sessionId}`],
      );
      expect(task).toMatchObject({ status: 'queued' });

      // Stripe is back; the dispatcher runs when the retry is due.
      app.stripe.heal();
      await app.db.query(`update stripe_tasks set next_attempt_at = now() where dedupe_key = $1`, [
        `refund:${buyers[1]!.sessionId}`,
      ]);
      await dispatcher();
      expect(app.stripe.refunds.length).toBe(refundsBefore + 1);
      const [done] = await app.db.query<{ status: string }>(
        `select status from stripe_tasks where dedupe_key = $1`,
        [`refund:${buyers[1]!.sessionId}`],
      );
      expect(done!.status).toBe('done');
    });

    it('refunds a payment that completes after the lead expired', async () => {
      const { lead: l, buyers } = await leadWithOpenSessions(1);
      await app.db.query(`update leads set expires_at = now() - interval '1 minute' where id = $1`, [l.id]);
      const res = await deliver(app.stripe.completeSession(buyers[0]!.sessionId));
      expect(res.json.outcome).toBe('refund_queued');
      expect(
        app.stripe.refunds.some(
          (r) => r.payment_intent === app.stripe.sessions.get(buyers[0]!.sessionId)!.payment_intent,
        ),
      ).toBe(true);
      expect(await count('select count(*) as n from unlocks where lead_id = $1', [l.id])).toBe(0);
    });

    it('waits for async_payment_succeeded when a session completes unpaid, in either order', async () => {
      const { buyers } = await leadWithOpenSessions(2);
      const [a, b] = buyers as [(typeof buyers)[0], (typeof buyers)[0]];
      expect(
        (await deliver(app.stripe.completeSession(a.sessionId, { paymentStatus: 'unpaid' }))).json.outcome,
      ).toBe('ignored');
      expect(
        await count('select count(*) as n from unlocks where checkout_session_id = $1', [a.sessionId]),
      ).toBe(0);
      expect((await deliver(app.stripe.succeedAsyncPayment(a.sessionId))).json.outcome).toBe('unlocked');

      // async_payment_succeeded first, then a (paid) completed event for the same session.
      const completed = app.stripe.completeSession(b.sessionId, { paymentStatus: 'unpaid' });
      expect((await deliver(app.stripe.succeedAsyncPayment(b.sessionId))).json.outcome).toBe('unlocked');
      expect((await deliver(completed)).json.outcome).toBe('ignored');
      expect(
        await count('select count(*) as n from unlocks where checkout_session_id = any($1)', [
          [a.sessionId, b.sessionId],
        ]),
      ).toBe(2);
    });

    it('frees the offer when its session expires, and the link then opens a new session', async () => {
      const { buyers } = await leadWithOpenSessions(1);
      const b = buyers[0]!;
      expect((await deliver(app.stripe.expireSession(b.sessionId))).json.outcome).toBe('offer_freed');
      const again = await api.openPayLink(b.token);
      expect(again.status).toBe(303);
      const fresh = [...app.stripe.sessions.values()].find((s) => s.url === again.headers.location)!;
      expect(fresh.id).not.toBe(b.sessionId);
      expect(fresh.idempotencyKey).not.toBe(app.stripe.sessions.get(b.sessionId)!.idempotencyKey);
      expect((await deliver(app.stripe.completeSession(fresh.id))).json.outcome).toBe('unlocked');
    });

    it('marks an unlock refunded when Stripe reports charge.refunded from the dashboard', async () => {
      const { lead: l, buyers } = await leadWithOpenSessions(1);
      await deliver(app.stripe.completeSession(buyers[0]!.sessionId));
      const intent = app.stripe.sessions.get(buyers[0]!.sessionId)!.payment_intent as string;
      const res = await deliver(
        app.stripe.event('charge.refunded', {
          id: 'ch_dash_1',
          object: 'charge',
          payment_intent: intent,
          refunded: true,
          amount_refunded: 1500,
        }),
      );
      expect(res.status).toBe(200);
      const view = await api.getLead(l.id);
      expect(view.json.unlocks[0].refunded).toBe(true);
    });

    it('answers 200 to event types it does not handle', async () => {
      const res = await deliver(app.stripe.event('customer.created', { id: 'cus_1', object: 'customer' }));
      expect(res.status).toBe(200);
      expect(res.json.outcome).toBe('ignored');
    });
  });

  describe(`client contact typed into the request (${via})`, () => {
    it('reaches only the provider who paid: not the teaser, not the pay pages, not Stripe', async () => {
      // Phone and e-mail: found by their shape. (The name is removed only when create-lead hands
      // the client's contact to teaserSms.)
      const contact = [/512\D{0,2}555\D?0142/, /0142/, /jane\.client/i, /@/];
      const { lead: l, buyers } = await leadWithOpenSessions(1, {
        description: 'Sink leaks. Jane Client: call (512) 555-0142 or jane.client@example.com',
        budget: '$500, text 512.555.0142',
      });
      const b = buyers[0]!;
      const teaser = smsTo(b.phone).find((m) => m.text.startsWith('New '))!;
      expect(teaser.text).toContain('Sink leaks.');
      for (const re of contact) expect(teaser.text).not.toMatch(re);

      const session = app.stripe.sessions.get(b.sessionId)!;
      for (const re of contact) expect(JSON.stringify(session.lineItems)).not.toMatch(re);

      expect((await deliver(app.stripe.completeSession(b.sessionId))).json.outcome).toBe('unlocked');
      const owned = await api.openPayLink(b.token);
      expect(owned.status).toBe(200);
      for (const re of contact) expect(owned.text).not.toMatch(re);
      const paid = smsTo(b.phone).filter((m) => m.text.includes('is yours'));
      expect(paid).toHaveLength(1);
      expect(paid[0]!.text).toContain('jane.client@example.com');
      expect((await api.getLead(l.id)).status).toBe(200);
    });
  });

  describe(`events late, out of order or not ours (${via})`, () => {
    /** The session's `type` event as Stripe would send it, whatever state the fake holds it in. */
    const sessionEvent = (type: string, sessionId: string, fields: Record<string, unknown> = {}) =>
      app.stripe.event(type, { ...app.stripe.publicSession(sessionId), ...fields });
    const chargeRefunded = (paymentIntent: string) =>
      app.stripe.event('charge.refunded', {
        id: `ch_${paymentIntent}`,
        object: 'charge',
        payment_intent: paymentIntent,
        refunded: true,
        amount_refunded: 1500,
      });
    const details = (phone: string) => smsTo(phone).filter((m) => m.text.includes('Jane Client'));
    const unlocksOf = (leadId: string) =>
      count('select count(*) as n from unlocks where lead_id = $1', [leadId]);

    it('fulfils a session once when its completion comes again under another event id', async () => {
      const { lead: l, buyers } = await leadWithOpenSessions(1);
      const b = buyers[0]!;
      const completed = app.stripe.completeSession(b.sessionId);
      expect((await deliver(completed)).json.outcome).toBe('unlocked');
      const again = await deliver(app.stripe.event(completed.type, completed.data.object));
      expect(again.status).toBe(200);
      expect(again.json.outcome).toBe('already_fulfilled');
      expect(await unlocksOf(l.id)).toBe(1);
      expect(details(b.phone)).toHaveLength(1);
    });

    it('ignores an expiry that arrives after the completion', async () => {
      const { lead: l, buyers } = await leadWithOpenSessions(1);
      const b = buyers[0]!;
      expect((await deliver(app.stripe.completeSession(b.sessionId))).json.outcome).toBe('unlocked');
      expect(
        (await deliver(sessionEvent('checkout.session.expired', b.sessionId, { status: 'expired' }))).status,
      ).toBe(200);
      expect(await unlocksOf(l.id)).toBe(1);
      const link = await api.openPayLink(b.token);
      expect(link.status).toBe(200); // still theirs, no new session
      expect((await api.getLead(l.id)).json.unlocks).toHaveLength(1);
    });

    it('honours a completion that arrives after its expiry while the lead has room', async () => {
      const { lead: l, buyers } = await leadWithOpenSessions(1);
      const b = buyers[0]!;
      const completed = app.stripe.completeSession(b.sessionId);
      const expired = sessionEvent('checkout.session.expired', b.sessionId, {
        status: 'expired',
        payment_status: 'unpaid',
      });
      expect((await deliver(expired)).json.outcome).toBe('offer_freed');
      expect((await deliver(completed)).json.outcome).toBe('unlocked');
      expect(await unlocksOf(l.id)).toBe(1);
      expect(details(b.phone)).toHaveLength(1);
    });

    it('refunds a late completion of an expired session once the offer was bought with a new one', async () => {
      const { lead: l, buyers } = await leadWithOpenSessions(1);
      const b = buyers[0]!;
      const lateCompletion = app.stripe.completeSession(b.sessionId);
      const lateIntent = app.stripe.sessions.get(b.sessionId)!.payment_intent!;
      await deliver(
        sessionEvent('checkout.session.expired', b.sessionId, {
          status: 'expired',
          payment_status: 'unpaid',
        }),
      );
      const link = await api.openPayLink(b.token);
      expect(link.status).toBe(303);
      const fresh = [...app.stripe.sessions.values()].find((s) => s.url === link.headers.location)!;
      expect((await deliver(app.stripe.completeSession(fresh.id))).json.outcome).toBe('unlocked');

      const res = await deliver(lateCompletion);
      expect(res.json.outcome).toBe('refund_queued');
      expect(app.stripe.refunds.filter((r) => r.payment_intent === lateIntent)).toHaveLength(1);
      expect(await unlocksOf(l.id)).toBe(1);
      expect(details(b.phone)).toHaveLength(1);
      expect(smsTo(b.phone).filter((m) => /refunded/i.test(m.text))).toHaveLength(1);
    });

    it('neither unlocks nor tells anyone when a delayed payment fails, and the link opens a new session', async () => {
      const { lead: l, buyers } = await leadWithOpenSessions(1);
      const b = buyers[0]!;
      expect(
        (await deliver(app.stripe.completeSession(b.sessionId, { paymentStatus: 'unpaid' }))).json.outcome,
      ).toBe('ignored');
      const sentBefore = smsTo(b.phone).length;
      expect((await deliver(app.stripe.failAsyncPayment(b.sessionId))).json.outcome).toBe('offer_freed');
      expect(await unlocksOf(l.id)).toBe(0);
      expect(smsTo(b.phone)).toHaveLength(sentBefore);
      const link = await api.openPayLink(b.token);
      expect(link.status).toBe(303);
      expect(link.headers.location).not.toBe(app.stripe.sessions.get(b.sessionId)!.url);
      const fresh = [...app.stripe.sessions.values()].find((s) => s.url === link.headers.location)!;
      expect(fresh.id).not.toBe(b.sessionId);
    });

    it('marks a dashboard refund on the unlock without reopening its slot', async () => {
      const { lead: l, buyers } = await leadWithOpenSessions(2, { maxUnlocks: 1 });
      const [a, other] = buyers as [(typeof buyers)[0], (typeof buyers)[0]];
      await deliver(app.stripe.completeSession(a.sessionId));
      const res = await deliver(chargeRefunded(app.stripe.sessions.get(a.sessionId)!.payment_intent!));
      expect(res.json.outcome).toBe('refund_recorded');
      const view = (await api.getLead(l.id)).json;
      expect(view.status).toBe('full');
      expect(view.unlocks).toMatchObject([{ refunded: true }]);
      expect((await api.openPayLink(other.token)).status).toBe(410);
    });

    it('never unlocks a payment whose refund arrived before its completion', async () => {
      const { lead: l, buyers } = await leadWithOpenSessions(1);
      const b = buyers[0]!;
      const completed = app.stripe.completeSession(b.sessionId);
      const intent = app.stripe.sessions.get(b.sessionId)!.payment_intent!;
      const refundsBefore = app.stripe.refunds.length;
      expect((await deliver(chargeRefunded(intent))).json.outcome).toBe('refund_recorded');

      const res = await deliver(completed);
      expect(res.status).toBe(200);
      expect(res.json.outcome).toBe('already_refunded');
      expect(await unlocksOf(l.id)).toBe(0);
      expect(details(b.phone)).toHaveLength(0);
      expect(app.stripe.refunds.length).toBe(refundsBefore); // the money is back already
      const view = (await api.getLead(l.id)).json;
      expect(view.status).toBe('open');
      // They may still buy it: the link opens a new session.
      const link = await api.openPayLink(b.token);
      expect(link.status).toBe(303);
      const fresh = [...app.stripe.sessions.values()].find((s) => s.url === link.headers.location)!;
      expect((await deliver(app.stripe.completeSession(fresh.id))).json.outcome).toBe('unlocked');
      expect(details(b.phone)).toHaveLength(1);
    });

    it('answers 200 and changes nothing for a session it does not know or another integration made', async () => {
      const { lead: l, buyers } = await leadWithOpenSessions(1);
      const b = buyers[0]!;
      const completed = app.stripe.completeSession(b.sessionId);
      const object = completed.data.object;
      const unknown = app.stripe.event('checkout.session.completed', {
        ...object,
        id: 'cs_test_unknown',
        metadata: {
          leadId: '00000000-0000-4000-8000-000000000001',
          offerId: '00000000-0000-4000-8000-000000000002',
          providerId: '00000000-0000-4000-8000-000000000003',
        },
      });
      const foreign = app.stripe.event('checkout.session.completed', {
        ...object,
        id: 'cs_test_someone_else',
        metadata: { orderId: '1234' },
      });
      const foreignRefund = chargeRefunded('pi_someone_else');
      for (const [event, outcome] of [
        [unknown, 'ignored'],
        [foreign, 'ignored'],
        // Recorded, so that a completion arriving after it is not fulfilled; nothing of ours to refund.
        [foreignRefund, 'refund_recorded'],
      ] as const) {
        const res = await deliver(event);
        expect(res.status).toBe(200);
        expect(res.json.outcome).toBe(outcome);
      }
      expect(await unlocksOf(l.id)).toBe(0);
      expect(details(b.phone)).toHaveLength(0);
      // Our own completion still goes through.
      expect((await deliver(completed)).json.outcome).toBe('unlocked');
    });
  });

  describe(`pay link (${via})`, () => {
    it('answers 404 to an unknown token and 410 for an expired lead', async () => {
      expect((await api.openPayLink('AAAAAAAAAAAAAAAAAAAAAAAA')).status).toBe(404);
      expect((await api.openPayLink('x')).status).toBe(404);
      const { lead: l, buyers } = await leadWithOpenSessions(1);
      await app.db.query(`update leads set expires_at = now() - interval '1 second' where id = $1`, [l.id]);
      const res = await api.openPayLink(buyers[0]!.token);
      expect(res.status).toBe(410);
      expect(res.headers['content-type']).toContain('text/html');
    });

    it('shows a clear page when Stripe is down, and works once Stripe is back', async () => {
      const zip = uniqueZip();
      const p = await api.addProvider({ zipCodes: [zip] });
      const created = await api.postLead(lead({ zipCode: zip }));
      const before = app.textmagic.sent.length;
      await api.reply(p.phone, `YES ${created.json.code}`);
      const token = linkToken(app.textmagic.sent.slice(before).at(-1)!.text);

      app.stripe.fail(5, 503);
      const down = await api.openPayLink(token);
      expect(down.status).toBe(503);
      expect(down.text).toMatch(/try|again/i);
      app.stripe.heal();
      const up = await api.openPayLink(token);
      expect(up.status).toBe(303);
    });

    it('keeps Stripe expiry within 30 min – 24 h even when the lead expires sooner', async () => {
      const zip = uniqueZip();
      const p = await api.addProvider({ zipCodes: [zip] });
      const created = await api.postLead(lead({ zipCode: zip }));
      await app.db.query(`update leads set expires_at = now() + interval '10 minutes' where id = $1`, [
        created.json.id,
      ]);
      const before = app.textmagic.sent.length;
      await api.reply(p.phone, `YES ${created.json.code}`);
      const res = await api.openPayLink(linkToken(app.textmagic.sent.slice(before).at(-1)!.text));
      expect(res.status).toBe(303);
    });
  });
}
