/**
 * One reply buys (issue 12): a provider's first Checkout saves their card at Stripe; later, a
 * `YES <code>` charges it off-session at once and the webhook unlocks as for a Checkout. Real
 * Postgres, the real Stripe SDK against the fake, nothing of ours mocked.
 */
import pg from 'pg';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { handler as dispatcher } from '../../functions/sms-dispatcher';
import { handler as providersRoute } from '../../functions/providers';
import { RETURN_URL_REQUIRED, type CardBehaviour, type StripeEvent } from '../../emulators/fake-stripe';
import { invoke } from '../../emulators/events';
import { KEYS, useApp } from '../support/app';
import { api, lead, linkToken } from '../support/flow';
import { countRows, deliverEvent, smsSentTo, uniqueZip } from '../support/market';
import { fitsOneSegment } from '../../lib/sms/segments';
import { languageModule } from '../../lib/sms/language';

const app = useApp({ env: { LEAD_MAX_OFFERS: '60', DATABASE_POOL_MAX: '10' } });
const count = (sql: string, params: unknown[] = []) => countRows(app, sql, params);
const DETAILS = 'Jane Client';

type Buyer = { id: string; phone: string; zip: string; pm: string; customer: string };

/** The texts `phone` got since `since`. */
const textsTo = (phone: string, since: number) => smsSentTo(app, phone, since).map((m) => m.text);

async function newLead(zip: string, body: Record<string, unknown> = {}) {
  const created = await api.postLead(lead({ zipCode: zip, ...body }));
  expect(created.status, created.text).toBe(201);
  return created.json as { id: string; code: string };
}

/** `phone` replies; returns what they were sent back (the charge and its SMS run inline). */
async function text(phone: string, body: string): Promise<string[]> {
  const before = app.textmagic.sent.length;
  const res = await api.reply(phone, body);
  expect(res.status).toBe(200);
  return textsTo(phone, before);
}

/** Pays lead `code` through the link (YES, open, Checkout completed with `card`); returns the session id. */
async function payByLink(phone: string, code: string, card?: CardBehaviour): Promise<string> {
  const [answer] = await text(phone, `YES ${code}`);
  const pay = await api.openPayLink(linkToken(answer!));
  expect(pay.status).toBe(303);
  const session = [...app.stripe.sessions.values()].find((s) => s.url === pay.headers.location)!;
  const res = await deliverEvent(app, app.stripe.completeSession(session.id, card ? { card } : {}));
  expect(res.json.outcome, res.text).toBe('unlocked');
  return session.id;
}

async function providerRow(id: string) {
  const [row] = await app.db.query<{
    saved_payment_method_id: string | null;
    stripe_customer_id: string | null;
    auto_pay: boolean;
    opted_out: boolean;
  }>('select saved_payment_method_id, stripe_customer_id, auto_pay, opted_out from providers where id = $1', [
    id,
  ]);
  return row!;
}

/** A provider whose first purchase (by link) saved `card`. */
async function buyerWithCard(card: CardBehaviour = 'succeeds', zip = uniqueZip()): Promise<Buyer> {
  const p = await api.addProvider({ zipCodes: [zip] });
  const first = await newLead(zip, { maxUnlocks: 50 });
  await payByLink(p.phone, first.code, card);
  const row = await providerRow(p.id);
  expect(row.saved_payment_method_id).toMatch(/^pm_/);
  expect(row.stripe_customer_id).toMatch(/^cus_/);
  return { ...p, zip, pm: row.saved_payment_method_id!, customer: row.stripe_customer_id! };
}

/** The events the fake produced for lead `leadId`'s saved-card charges. */
const chargeEvents = (leadId: string, type: string) =>
  app.stripe.events.filter(
    (e) =>
      e.type === type && (e.data.object.metadata as Record<string, string> | undefined)?.leadId === leadId,
  );

const chargeRequests = () =>
  app.stripe.requests.filter((r) => r.method === 'POST' && r.path === '/v1/payment_intents');

const patchProvider = api.patchProvider;

const chargesOf = (leadId: string) =>
  chargeRequests().filter(
    (r) => (r.params.metadata as Record<string, string> | undefined)?.leadId === leadId,
  );

/** Makes the queued Stripe follow-ups due and runs the dispatcher once. */
async function runDispatcher() {
  await app.db.query(`update stripe_tasks set next_attempt_at = now() where status = 'queued'`);
  await dispatcher();
}

describe('the first Checkout saves the card', () => {
  it('creates one Customer per provider, and asks Checkout to save the card, saying so on the page', async () => {
    const zip = uniqueZip();
    const p = await api.addProvider({ zipCodes: [zip] });
    const l = await newLead(zip);
    const [answer] = await text(p.phone, `YES ${l.code}`);
    const token = linkToken(answer!);
    expect((await api.openPayLink(token)).status).toBe(303);

    const customers = app.stripe.requests.filter((r) => r.path === '/v1/customers');
    expect(customers.at(-1)!.idempotencyKey).toBe(`customer:${p.id}`);
    const row = await providerRow(p.id);
    expect(app.stripe.customers.get(row.stripe_customer_id!)!.metadata).toEqual({ providerId: p.id });

    const create = app.stripe.requests.filter((r) => r.path === '/v1/checkout/sessions').at(-1)!;
    expect(create.params.customer).toBe(row.stripe_customer_id);
    expect(create.params.payment_intent_data).toMatchObject({ setup_future_usage: 'off_session' });
    expect(create.params.locale).toBe('en');
    expect(create.params.custom_text).toEqual({
      submit: { message: languageModule('en').checkout.saveCardNotice },
    });
    expect(languageModule('en').checkout.saveCardNotice).toMatch(/YES/);
    expect(languageModule('en').checkout.saveCardNotice).toMatch(/AUTO OFF/);

    // Paid: the card the session saved is the provider's, auto-pay on by default.
    const session = [...app.stripe.sessions.values()].find((s) => s.customer === row.stripe_customer_id)!;
    expect((await deliverEvent(app, app.stripe.completeSession(session.id))).json.outcome).toBe('unlocked');
    const after = await providerRow(p.id);
    const pm = app.stripe.paymentMethods.get(after.saved_payment_method_id!)!;
    expect(pm.customer).toBe(row.stripe_customer_id);
    expect(after.auto_pay).toBe(true);

    // A later Checkout (auto-pay off) reuses the customer and does not save the card again.
    await patchProvider(p.id, { autoPay: false });
    const next = await newLead(zip);
    const [link] = await text(p.phone, `YES ${next.code}`);
    expect((await api.openPayLink(linkToken(link!))).status).toBe(303);
    const second = app.stripe.requests.filter((r) => r.path === '/v1/checkout/sessions').at(-1)!;
    expect(second.params.customer).toBe(row.stripe_customer_id);
    expect(second.params.payment_intent_data).not.toHaveProperty('setup_future_usage');
    expect(second.params).not.toHaveProperty('custom_text');
    expect(app.stripe.requests.filter((r) => r.path === '/v1/customers' && !r.replayed)).toHaveLength(
      customers.filter((r) => !r.replayed).length,
    );
  });
});

describe('one YES buys with the saved card', () => {
  it('charges off-session at once, and payment_intent.succeeded unlocks: details once', async () => {
    const b = await buyerWithCard();
    const l = await newLead(b.zip);
    const answer = await text(b.phone, `YES ${l.code}`);
    expect(answer).toHaveLength(1);
    expect(answer[0]).toMatch(/charging \$15\.00 to your saved card/);
    expect(answer[0]).not.toContain(DETAILS);

    const [offer] = await app.db.query<{ id: string }>(
      'select id from offers where lead_id = $1 and provider_id = $2',
      [l.id, b.id],
    );
    const [charge] = chargeRequests().slice(-1);
    expect(charge!.idempotencyKey).toBe(`charge:${offer!.id}:1`);
    expect(charge!.params).toMatchObject({
      amount: '1500',
      currency: 'usd',
      customer: b.customer,
      payment_method: b.pm,
      off_session: 'true',
      confirm: 'true',
      metadata: {
        leadId: l.id,
        providerId: b.id,
        offerId: offer!.id,
        offSession: 'true',
        chargeAttempt: '1',
      },
    });
    expect(charge!.status).toBe(200);

    const [succeeded] = chargeEvents(l.id, 'payment_intent.succeeded');
    const before = app.textmagic.sent.length;
    const res = await deliverEvent(app, succeeded!);
    expect(res.json.outcome, res.text).toBe('unlocked');
    expect(textsTo(b.phone, before).filter((m) => m.includes(DETAILS))).toHaveLength(1);
    expect((await deliverEvent(app, succeeded!)).json.outcome).toBe('duplicate');
    expect(await count('select count(*) as n from unlocks where lead_id = $1', [l.id])).toBe(1);
    const view = await api.getLead(l.id);
    expect(view.json.unlocks).toHaveLength(1);

    // Asking again: the details again, no second charge.
    const again = await text(b.phone, `YES ${l.code}`);
    expect(again.join('\n')).toContain(DETAILS);
    expect(chargeRequests().filter((r) => r.idempotencyKey?.startsWith(`charge:${offer!.id}:`))).toHaveLength(
      1,
    );
  });

  it('ignores payment_intent.succeeded of a Checkout Session (checkout.session.completed unlocks)', async () => {
    const zip = uniqueZip();
    const p = await api.addProvider({ zipCodes: [zip] });
    const l = await newLead(zip);
    const sessionId = await payByLink(p.phone, l.code);
    const pi = app.stripe.paymentIntents.get(app.stripe.sessions.get(sessionId)!.payment_intent!)!;
    const event = app.stripe.event('payment_intent.succeeded', {
      id: pi.id,
      object: 'payment_intent',
      amount: pi.amount,
      amount_received: pi.amount,
      currency: pi.currency,
      metadata: pi.metadata,
      status: 'succeeded',
    });
    expect((await deliverEvent(app, event)).json.outcome).toBe('ignored');
    expect(await count('select count(*) as n from unlocks where lead_id = $1', [l.id])).toBe(1);
  });

  it('a second YES while the charge is in flight charges nothing more', async () => {
    const b = await buyerWithCard();
    const l = await newLead(b.zip);
    await Promise.all([api.reply(b.phone, `YES ${l.code}`), api.reply(b.phone, `Y ${l.code}`)]);
    // This lead's only: another test's charge may still be on its way to the fake. A request the
    // SDK retried under load (the same key, answered from Stripe's record) is not a second charge.
    const forLead = chargesOf(l.id);
    expect(new Set(forLead.map((r) => r.idempotencyKey)).size).toBe(1);
    expect(forLead.filter((r) => !r.replayed)).toHaveLength(1);
    expect(chargeEvents(l.id, 'payment_intent.succeeded')).toHaveLength(1);
  });

  it('ten YES sent quickly while the charge is in flight: one charge and one "charging" SMS', async () => {
    const b = await buyerWithCard();
    const l = await newLead(b.zip);
    const before = app.textmagic.sent.length;
    // The charge is held at Stripe (its answer comes late), so every YES finds it in flight.
    app.stripe.fail(1, { delayMs: 800 });
    await Promise.all(Array.from({ length: 10 }, () => api.reply(b.phone, `YES ${l.code}`)));
    const texts = textsTo(b.phone, before);
    expect(texts.filter((t) => /charging \$15\.00/.test(t))).toHaveLength(1);
    expect(chargesOf(l.id).filter((r) => !r.replayed)).toHaveLength(1);
  });

  it('two YES that both waited for the provider: the second reads the charge the first queued, one charge', async () => {
    const b = await buyerWithCard();
    const l = await newLead(b.zip);
    // Another session holds the provider's row, so both replies start (and take their snapshot)
    // before either is written, and queue on the lock.
    const holder = new pg.Client({ connectionString: app.db.url });
    await holder.connect();
    try {
      await holder.query('begin');
      await holder.query('select 1 from providers where id = $1 for update', [b.id]);
      const both = Promise.all([api.reply(b.phone, `YES ${l.code}`), api.reply(b.phone, `YES ${l.code}`)]);
      for (let i = 0; i < 300; i++) {
        const [w] = await app.db.query<{ n: string }>(
          `select count(*) as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()`,
        );
        if (Number(w!.n) >= 2) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      await holder.query('commit');
      expect((await both).map((r) => r.status)).toEqual([200, 200]);
    } finally {
      await holder.end();
    }
    expect(
      await count(`select count(*) as n from stripe_tasks where kind = 'charge' and lead_id = $1`, [l.id]),
    ).toBe(1);
    expect(new Set(chargesOf(l.id).map((r) => r.idempotencyKey)).size).toBe(1);
    expect(chargeEvents(l.id, 'payment_intent.succeeded')).toHaveLength(1);
  });
});

describe('a card that does not go through', () => {
  for (const [card, code] of [
    ['declined', 'card_declined'],
    ['authentication_required', 'authentication_required'],
  ] as const) {
    it(`${code}: the usual pay link, with wording saying the card did not go through`, async () => {
      const b = await buyerWithCard(card);
      const l = await newLead(b.zip);
      const answer = await text(b.phone, `YES ${l.code}`);
      const [charge] = chargeRequests().slice(-1);
      expect(charge!.status).toBe(402);
      expect(answer).toHaveLength(2);
      expect(answer[0]).toMatch(/charging/);
      const failed = answer[1]!;
      expect(failed).toMatch(/your saved card did not go through/);
      expect(fitsOneSegment(failed)).toBe(true);
      const token = linkToken(failed);
      expect((await api.openPayLink(token)).status).toBe(303);

      // Stripe's own event of the failure changes nothing more: one SMS per attempt.
      const [event] = chargeEvents(l.id, 'payment_intent.payment_failed');
      expect((event!.data.object.last_payment_error as { code: string }).code).toBe(code);
      const before = app.textmagic.sent.length;
      expect((await deliverEvent(app, event!)).json.outcome).toBe('charge_failed');
      expect(textsTo(b.phone, before)).toHaveLength(0);

      // The card is kept; a YES to this lead now sends the plain link instead of charging again.
      const charges = chargeRequests().length;
      const again = await text(b.phone, `YES ${l.code}`);
      expect(linkToken(again[0]!)).toBe(token);
      expect(chargeRequests().length).toBe(charges);
      expect((await providerRow(b.id)).saved_payment_method_id).toBe(b.pm);
      expect(await count('select count(*) as n from unlocks where lead_id = $1', [l.id])).toBe(0);
    });
  }

  it('paying by link after a decline saves the new card, which the next YES charges', async () => {
    const b = await buyerWithCard('declined');
    const l = await newLead(b.zip);
    const answer = await text(b.phone, `YES ${l.code}`);
    const pay = await api.openPayLink(linkToken(answer.at(-1)!));
    expect(pay.status).toBe(303);
    const create = app.stripe.requests.filter((r) => r.path === '/v1/checkout/sessions').at(-1)!;
    expect(create.params.payment_intent_data).toMatchObject({ setup_future_usage: 'off_session' });
    const session = [...app.stripe.sessions.values()].find((s) => s.url === pay.headers.location)!;
    expect((await deliverEvent(app, app.stripe.completeSession(session.id))).json.outcome).toBe('unlocked');
    const pm = (await providerRow(b.id)).saved_payment_method_id;
    expect(pm).toMatch(/^pm_/);
    expect(pm).not.toBe(b.pm);

    const next = await newLead(b.zip);
    expect((await text(b.phone, `YES ${next.code}`))[0]).toMatch(/charging/);
    expect(chargeRequests().at(-1)).toMatchObject({ status: 200, params: { payment_method: pm } });
  });

  it('payment_intent.payment_failed naming an attempt we never made (past int4): ignored, nothing sent', async () => {
    const b = await buyerWithCard('declined');
    const l = await newLead(b.zip);
    await api.reply(b.phone, `YES ${l.code}`);
    const [real] = chargeEvents(l.id, 'payment_intent.payment_failed');
    const before = app.textmagic.sent.length;
    for (const chargeAttempt of ['+999999999999999', '0', '-1', '1.5']) {
      const pi = real!.data.object as { metadata: Record<string, string> };
      const forged = app.stripe.event('payment_intent.payment_failed', {
        ...real!.data.object,
        metadata: { ...pi.metadata, chargeAttempt },
      });
      const res = await deliverEvent(app, forged);
      expect(res.status, chargeAttempt).toBe(200);
      expect(res.json.outcome).toBe('ignored');
    }
    expect(textsTo(b.phone, before)).toEqual([]);
  });

  it('payment_intent.payment_failed arriving before the create call is answered: one SMS', async () => {
    const b = await buyerWithCard('declined');
    const l = await newLead(b.zip);
    app.stripe.fail(1, 'lost-reply');
    const before = app.textmagic.sent.length;
    await api.reply(b.phone, `YES ${l.code}`);
    const [event] = chargeEvents(l.id, 'payment_intent.payment_failed');
    expect((await deliverEvent(app, event!)).json.outcome).toBe('charge_failed');
    await runDispatcher();
    const got = textsTo(b.phone, before);
    expect(got.filter((m) => /did not go through/.test(m))).toHaveLength(1);
    expect(chargeEvents(l.id, 'payment_intent.payment_failed')).toHaveLength(1);
  });
});

describe('AUTO OFF, AUTO ON, STOP and the admin switch', () => {
  it('AUTO OFF sends the link, AUTO ON charges again; each confirmed once', async () => {
    const b = await buyerWithCard();
    const off = await text(b.phone, 'auto off');
    expect(off).toHaveLength(1);
    expect(off[0]).toMatch(/auto-pay is off/i);
    expect(fitsOneSegment(off[0]!)).toBe(true);
    expect((await providerRow(b.id)).auto_pay).toBe(false);

    const l1 = await newLead(b.zip);
    const charges = chargeRequests().length;
    const link = await text(b.phone, `YES ${l1.code}`);
    expect(link[0]).toContain('/p/');
    expect(chargeRequests().length).toBe(charges);

    const on = await text(b.phone, 'AUTO ON');
    expect(on).toHaveLength(1);
    expect(on[0]).toMatch(/auto-pay is on/i);
    expect(fitsOneSegment(on[0]!)).toBe(true);
    const l2 = await newLead(b.zip);
    expect((await text(b.phone, `YES ${l2.code}`))[0]).toMatch(/charging/);
    expect(chargeRequests().length).toBe(charges + 1);
    expect(chargeEvents(l2.id, 'payment_intent.succeeded')).toHaveLength(1);
  });

  it('AUTO OFF while a charge waits for a retry: the retry charges nothing and sends the link', async () => {
    const b = await buyerWithCard();
    const l = await newLead(b.zip);
    app.stripe.fail(1, 503);
    await api.reply(b.phone, `YES ${l.code}`);
    expect(chargesOf(l.id).filter((r) => r.status === 200)).toHaveLength(0);
    await text(b.phone, 'AUTO OFF');
    const before = app.textmagic.sent.length;
    await runDispatcher();
    expect(chargesOf(l.id).filter((r) => r.status === 200)).toHaveLength(0);
    const got = textsTo(b.phone, before);
    expect(got).toHaveLength(1);
    expect(got[0]).toContain(`/p/`);
    expect(got[0]).toContain(l.code);
    // The link works as for any provider paying by link.
    const pay = await api.openPayLink(linkToken(got[0]!));
    expect(pay.status).toBe(303);
  });

  it('STOP changes nothing about the saved card', async () => {
    const b = await buyerWithCard();
    await text(b.phone, 'STOP');
    const row = await providerRow(b.id);
    expect(row).toMatchObject({ opted_out: true, auto_pay: true, saved_payment_method_id: b.pm });
    await text(b.phone, 'START');
    const l = await newLead(b.zip);
    expect((await text(b.phone, `YES ${l.code}`))[0]).toMatch(/charging/);
  });

  it('PATCH /providers/{id} autoPay switches it; the list shows it and whether a card is saved', async () => {
    const b = await buyerWithCard();
    const res = await patchProvider(b.id, { autoPay: false });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ autoPay: false, savedCard: true });
    expect(JSON.stringify(res.json)).not.toContain(b.pm);
    const l = await newLead(b.zip);
    expect((await text(b.phone, `YES ${l.code}`))[0]).toContain('/p/');
    expect((await patchProvider(b.id, { autoPay: true })).json.autoPay).toBe(true);

    for (const bad of ['yes', 1, null, 'true']) {
      const refused = await patchProvider(b.id, { autoPay: bad });
      expect(refused.status).toBe(400);
      expect(JSON.stringify(refused.json.error.details)).toContain('autoPay');
    }
    expect((await providerRow(b.id)).auto_pay).toBe(true);
  });
});

describe('before the charge, and faults around it', () => {
  for (const state of ['full', 'expired'] as const) {
    it(`a lead ${state} by the time the charge runs: "no longer available", no charge`, async () => {
      const b = await buyerWithCard();
      const l = await newLead(b.zip);
      app.stripe.fail(1, 503);
      const before = app.textmagic.sent.length;
      await api.reply(b.phone, `YES ${l.code}`);
      expect(
        await count(
          `select count(*) as n from stripe_tasks where kind = 'charge' and lead_id = $1 and status = 'queued'`,
          [l.id],
        ),
      ).toBe(1);
      await app.db.query(
        state === 'full'
          ? 'update leads set unlock_count = max_unlocks where id = $1'
          : `update leads set expires_at = now() - interval '1 minute' where id = $1`,
        [l.id],
      );
      const charges = chargeRequests().filter((r) => r.status === 200).length;
      await runDispatcher();
      expect(chargeRequests().filter((r) => r.status === 200).length).toBe(charges);
      expect(chargeEvents(l.id, 'payment_intent.succeeded')).toHaveLength(0);
      const got = textsTo(b.phone, before);
      expect(got.at(-1)).toBe(`Sorry, lead ${l.code} is no longer available.`);
      expect(
        await count(
          `select count(*) as n from stripe_tasks where kind = 'charge' and lead_id = $1 and status = 'done'`,
          [l.id],
        ),
      ).toBe(1);
    });
  }

  const chargeTask = async (leadId: string) =>
    (
      await app.db.query<{ status: string; result: unknown }>(
        `select status, result from stripe_tasks where kind = 'charge' and lead_id = $1`,
        [leadId],
      )
    )[0]!;

  it('the webhook arriving before our own answer to the create call: unlocked once, no second charge', async () => {
    const b = await buyerWithCard();
    const l = await newLead(b.zip);
    app.stripe.fail(1, 'lost-reply');
    await api.reply(b.phone, `YES ${l.code}`);
    expect((await chargeTask(l.id)).status).toBe('queued');

    const [succeeded] = chargeEvents(l.id, 'payment_intent.succeeded');
    const before = app.textmagic.sent.length;
    expect((await deliverEvent(app, succeeded!)).json.outcome).toBe('unlocked');
    expect(textsTo(b.phone, before).filter((m) => m.includes(DETAILS))).toHaveLength(1);

    // The follow-up's retry finds the offer bought: it settles without calling Stripe again.
    await runDispatcher();
    expect(chargesOf(l.id)).toHaveLength(1);
    expect(await chargeTask(l.id)).toMatchObject({ status: 'done', result: { skipped: 'stale' } });
    expect(chargeEvents(l.id, 'payment_intent.succeeded')).toHaveLength(1);
    expect(await count('select count(*) as n from unlocks where lead_id = $1', [l.id])).toBe(1);
  });

  it('an answer lost at Stripe: the retry replays the first answer (same key), never a second charge', async () => {
    const b = await buyerWithCard();
    const l = await newLead(b.zip);
    app.stripe.fail(1, 'lost-reply');
    await api.reply(b.phone, `YES ${l.code}`);
    await runDispatcher();
    const tries = chargesOf(l.id);
    expect(tries).toHaveLength(2);
    expect(tries[1]!.replayed).toBe(true);
    expect(new Set(tries.map((r) => r.idempotencyKey)).size).toBe(1);
    expect((await chargeTask(l.id)).status).toBe('done');
    const succeeded = chargeEvents(l.id, 'payment_intent.succeeded');
    expect(succeeded).toHaveLength(1);
    expect((await deliverEvent(app, succeeded[0]!)).json.outcome).toBe('unlocked');
  });

  it('a charge Stripe refuses outright (400): the pay link at once, the follow-up failed for the operator', async () => {
    const b = await buyerWithCard();
    const l = await newLead(b.zip);
    // Below Stripe's minimum charge: refused as an invalid request that is not about the card.
    await app.db.query('update offers set price_cents = 10 where lead_id = $1', [l.id]);
    const answer = await text(b.phone, `YES ${l.code}`);
    expect(chargeRequests().at(-1)!.status).toBe(400);
    expect(answer.at(-1)).toMatch(/did not go through.*\/p\//);
    expect((await chargeTask(l.id)).status).toBe('failed');
    // The card is not what Stripe refused: it stays saved.
    expect((await providerRow(b.id)).saved_payment_method_id).toBe(b.pm);
    // A YES now sends the plain link, and charges nothing.
    const charges = chargeRequests().length;
    expect((await text(b.phone, `YES ${l.code}`))[0]).toMatch(/pay \$0\.10/);
    expect(chargeRequests().length).toBe(charges);
  });

  it('a 500 Stripe answers the charge (and would answer again under its key): the pay link at once, never a second charge attempt', async () => {
    const b = await buyerWithCard();
    const l = await newLead(b.zip);
    app.stripe.fail(1, 500);
    const answer = await text(b.phone, `YES ${l.code}`);
    expect(chargesOf(l.id).map((r) => r.status)).toEqual([500]);
    expect(answer.at(-1)).toMatch(/did not go through.*\/p\//);
    expect((await chargeTask(l.id)).status).toBe('failed');
    await runDispatcher();
    expect(chargesOf(l.id)).toHaveLength(1);
    // The card itself was not refused: it stays saved.
    expect((await providerRow(b.id)).saved_payment_method_id).toBe(b.pm);
  });

  it('a customer deleted at Stripe before we heard: resource_missing forgets it and its card; the next YES gets the link, whose Checkout makes a new Customer', async () => {
    const b = await buyerWithCard();
    app.stripe.customers.delete(b.customer); // deleted in the Dashboard, its event not delivered
    const l = await newLead(b.zip);
    const answer = await text(b.phone, `YES ${l.code}`);
    const refused = chargeRequests().at(-1)!;
    expect(refused.status).toBe(400);
    expect(answer.at(-1)).toMatch(/did not go through.*\/p\//);
    expect(await providerRow(b.id)).toMatchObject({
      stripe_customer_id: null,
      saved_payment_method_id: null,
    });
    // Another lead: the YES sends the link and charges nothing (the card is gone with its customer).
    const next = await newLead(b.zip);
    const charges = chargeRequests().length;
    expect((await text(b.phone, `YES ${next.code}`))[0]).toMatch(/pay \$15\.00.*\/p\//);
    expect(chargeRequests().length).toBe(charges);
    // Paying by link makes a new Customer, under a key of its own: the provider's first key
    // replays the deleted customer for 24 hours.
    const customersOf = () =>
      [...app.stripe.customers.values()].filter((c) => c.metadata.providerId === b.id);
    await payByLink(b.phone, next.code);
    expect(customersOf()).toHaveLength(1);
    const creates = app.stripe.requests.filter((r) => r.path === '/v1/customers' && !r.replayed);
    expect(creates.at(-1)!.idempotencyKey).toBe(`customer:${b.id}:after:${b.customer}`);
    const row = await providerRow(b.id);
    expect(row.stripe_customer_id).toMatch(/^cus_/);
    expect(row.stripe_customer_id).not.toBe(b.customer);
    expect(row.saved_payment_method_id).toMatch(/^pm_/);
  });

  it('customer.deleted forgets the customer and its saved card', async () => {
    const b = await buyerWithCard();
    const customer = app.stripe.customers.get(b.customer)!;
    const res = await deliverEvent(app, app.stripe.event('customer.deleted', { ...customer, deleted: true }));
    expect(res.json.outcome).toBe('customer_removed');
    expect(await providerRow(b.id)).toMatchObject({
      stripe_customer_id: null,
      saved_payment_method_id: null,
    });
    const l = await newLead(b.zip);
    const charges = chargeRequests().length;
    expect((await text(b.phone, `YES ${l.code}`))[0]).toContain('/p/');
    expect(chargeRequests().length).toBe(charges);
  });

  it('a card removed at Stripe: payment_method.detached forgets it, the next YES gets the link', async () => {
    const b = await buyerWithCard();
    const event = app.stripe.detachPaymentMethod(b.pm);
    expect((await deliverEvent(app, event)).json.outcome).toBe('card_removed');
    expect((await providerRow(b.id)).saved_payment_method_id).toBeNull();
    const l = await newLead(b.zip);
    const charges = chargeRequests().length;
    expect((await text(b.phone, `YES ${l.code}`))[0]).toContain('/p/');
    expect(chargeRequests().length).toBe(charges);
  });

  it('a card removed at Stripe before we heard: the charge is refused, the card forgotten, the link sent', async () => {
    const b = await buyerWithCard();
    app.stripe.detachPaymentMethod(b.pm); // its event not delivered yet
    const l = await newLead(b.zip);
    const answer = await text(b.phone, `YES ${l.code}`);
    const [charge] = chargeRequests().slice(-1);
    expect(charge!.status).toBe(400);
    expect(answer.at(-1)).toMatch(/did not go through.*\/p\//);
    expect((await providerRow(b.id)).saved_payment_method_id).toBeNull();
    // Their next Checkout saves a card again.
    const next = await newLead(b.zip);
    await payByLink(b.phone, next.code);
    expect((await providerRow(b.id)).saved_payment_method_id).toMatch(/^pm_/);
  });
});

describe('the race', () => {
  it('50 providers with saved cards reply YES at once to a lead with maxUnlocks 3: 3 unlocks, every other charge refunded', async () => {
    const zip = uniqueZip();
    const people = [];
    for (let i = 0; i < 50; i++) people.push(await api.addProvider({ zipCodes: [zip] }));
    const first = await newLead(zip, { maxUnlocks: 50 });
    for (const p of people) await payByLink(p.phone, first.code);
    const saved = await count(
      'select count(*) as n from providers where id = any($1) and saved_payment_method_id is not null',
      [people.map((p) => p.id)],
    );
    expect(saved).toBe(50);

    const l = await newLead(zip, { maxUnlocks: 3 });
    const replies = await Promise.all(people.map((p) => api.reply(p.phone, `YES ${l.code}`)));
    expect(replies.map((r) => r.status)).toEqual(Array(50).fill(200));
    const succeeded = chargeEvents(l.id, 'payment_intent.succeeded');
    expect(succeeded).toHaveLength(50);

    // Stripe delivers all 50 at once.
    const results = await Promise.all(succeeded.map((e: StripeEvent) => deliverEvent(app, e)));
    const outcomes = results.map((r) => r.json.outcome);
    expect(outcomes.filter((o) => o === 'unlocked')).toHaveLength(3);
    expect(outcomes.filter((o) => o === 'refund_queued')).toHaveLength(47);
    expect(await count('select count(*) as n from unlocks where lead_id = $1', [l.id])).toBe(3);

    // Every charge either unlocked or refunded, none both, none twice.
    const intents = succeeded.map((e) => e.data.object.id as string);
    const unlocked = new Set(
      (
        await app.db.query<{ payment_intent_id: string }>(
          'select payment_intent_id from unlocks where lead_id = $1',
          [l.id],
        )
      ).map((r) => r.payment_intent_id),
    );
    const refunds = app.stripe.refunds
      .filter((r) => intents.includes(r.payment_intent))
      .map((r) => r.payment_intent);
    expect(new Set(refunds).size).toBe(refunds.length);
    expect(refunds.length).toBeLessThanOrEqual(47);
    for (const pi of intents) expect(unlocked.has(pi) !== refunds.includes(pi)).toBe(true);
    expect((await api.getLead(l.id)).json.status).toBe('full');
  }, 120_000);
});

describe('the fake checks PaymentIntents as Stripe does', () => {
  const sdk = () =>
    new Stripe(app.stripe.secretKey, {
      host: '127.0.0.1',
      port: app.stripe.port,
      protocol: 'http',
      maxNetworkRetries: 0,
    });

  const err = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (e: unknown) => e as Stripe.errors.StripeError,
    );
  /** What we send for a saved card charged off-session (lib/stripe.ts). */
  const noRedirects = { automatic_payment_methods: { enabled: true, allow_redirects: 'never' as const } };

  it('refuses to confirm off-session without a return_url while redirect-based methods are allowed, as Stripe does since 2023-08-16', async () => {
    const a = await buyerWithCard();
    const charge = { amount: 1500, currency: 'usd', customer: a.customer, payment_method: a.pm };
    // The request lib/stripe.ts sent before: confirm + off_session, nothing about redirects.
    const bare = await err(sdk().paymentIntents.create({ ...charge, off_session: true, confirm: true }));
    expect(bare).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(bare!.statusCode).toBe(400);
    expect(bare!.message).toBe(RETURN_URL_REQUIRED);
    const redirecting = await err(
      sdk().paymentIntents.create({
        ...charge,
        off_session: true,
        confirm: true,
        automatic_payment_methods: { enabled: true },
      }),
    );
    expect(redirecting!.message).toBe(RETURN_URL_REQUIRED);
    // Either documented shape goes through: no redirects, or a return_url.
    for (const shape of [noRedirects, { return_url: 'https://example.com/back' }]) {
      const pi = await sdk().paymentIntents.create({ ...charge, ...shape, off_session: true, confirm: true });
      expect(pi.status).toBe('succeeded');
    }
    // Not confirmed now: nothing to redirect yet.
    expect((await sdk().paymentIntents.create(charge)).status).toBe('requires_confirmation');
  });

  it('refuses off_session without confirm, and a payment method the customer does not own', async () => {
    const a = await buyerWithCard();
    const b = await buyerWithCard();
    const noConfirm = await err(
      sdk().paymentIntents.create({
        amount: 1500,
        currency: 'usd',
        customer: a.customer,
        payment_method: a.pm,
        off_session: true,
      }),
    );
    expect(noConfirm).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(noConfirm!.statusCode).toBe(400);
    expect(noConfirm!.param).toBe('off_session');
    const foreign = await err(
      sdk().paymentIntents.create({
        amount: 1500,
        currency: 'usd',
        customer: a.customer,
        payment_method: b.pm,
        off_session: true,
        confirm: true,
        ...noRedirects,
      }),
    );
    expect(foreign).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(foreign!.param).toBe('payment_method');
  });

  it('answers 402 card errors with the PaymentIntent, and replays idempotent requests', async () => {
    const a = await buyerWithCard('authentication_required');
    const params = {
      amount: 1500,
      currency: 'usd',
      customer: a.customer,
      payment_method: a.pm,
      off_session: true,
      confirm: true,
      ...noRedirects,
    };
    const key = `test-${a.id}`;
    const first = await sdk()
      .paymentIntents.create(params, { idempotencyKey: key })
      .catch((e: unknown) => e as Stripe.errors.StripeCardError);
    expect(first).toBeInstanceOf(Stripe.errors.StripeCardError);
    const e = first as Stripe.errors.StripeCardError;
    expect(e.statusCode).toBe(402);
    expect(e.code).toBe('authentication_required');
    expect(e.payment_intent?.status).toBe('requires_payment_method');
    const replay = (await sdk()
      .paymentIntents.create(params, { idempotencyKey: key })
      .catch((x: unknown) => x)) as Stripe.errors.StripeCardError;
    expect(replay.payment_intent?.id).toBe(e.payment_intent?.id);
    const other = (await sdk()
      .paymentIntents.create({ ...params, amount: 1600 }, { idempotencyKey: key })
      .catch((x: unknown) => x)) as Stripe.errors.StripeError;
    expect(other).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);

    const ok = await buyerWithCard();
    const okParams = { ...params, customer: ok.customer, payment_method: ok.pm };
    const one = await sdk().paymentIntents.create(okParams, { idempotencyKey: `ok-${ok.id}` });
    const two = await sdk().paymentIntents.create(okParams, { idempotencyKey: `ok-${ok.id}` });
    expect(one.status).toBe('succeeded');
    expect(two.id).toBe(one.id);
    expect(await sdk().paymentIntents.retrieve(one.id)).toMatchObject({
      customer: ok.customer,
      payment_method: ok.pm,
    });
    expect(await sdk().customers.retrieve(ok.customer)).toMatchObject({ id: ok.customer });
    expect(await sdk().paymentMethods.retrieve(ok.pm)).toMatchObject({ customer: ok.customer, type: 'card' });
    const detached = await sdk().paymentMethods.detach(ok.pm);
    expect(detached.customer).toBeNull();
  });
});

describe('budgets with a saved card', () => {
  const chargesFor = (leadId: string) =>
    chargeRequests().filter((r) => (r.params.metadata as Record<string, string>)?.leadId === leadId);

  it('a provider at the weekly cap: no teaser for a new lead; reached after the teaser, a YES gets the refusal and no charge', async () => {
    const b = await buyerWithCard();
    // Spent 15.00 this week (the first lead): a cap of 15.00 leaves nothing.
    expect((await patchProvider(b.id, { weeklySpendCapCents: 1500 })).status).toBe(200);
    const before = app.textmagic.sent.length;
    const unseen = await newLead(b.zip);
    expect(textsTo(b.phone, before)).toEqual([]);
    expect(await count('select count(*) as n from offers where lead_id = $1', [unseen.id])).toBe(0);

    // Teased under a higher cap, which is then lowered before the YES.
    expect((await patchProvider(b.id, { weeklySpendCapCents: 3000 })).status).toBe(200);
    const l = await newLead(b.zip);
    expect((await patchProvider(b.id, { weeklySpendCapCents: 2000 })).status).toBe(200);
    const answer = await text(b.phone, `YES ${l.code}`);
    expect(answer).toHaveLength(1);
    expect(answer[0]).toMatch(/weekly spending cap/);
    expect(chargesFor(l.id)).toHaveLength(0);
    expect(
      await count(`select count(*) as n from stripe_tasks where kind = 'charge' and lead_id = $1`, [l.id]),
    ).toBe(0);
  });

  it('the cap reached mid-race: YES to two leads at once, room for one: one charge, one refusal', async () => {
    const b = await buyerWithCard();
    expect((await patchProvider(b.id, { weeklySpendCapCents: 3000 })).status).toBe(200);
    const [l1, l2] = [await newLead(b.zip), await newLead(b.zip)];
    const before = app.textmagic.sent.length;
    const replies = await Promise.all([
      api.reply(b.phone, `YES ${l1.code}`),
      api.reply(b.phone, `YES ${l2.code}`),
    ]);
    expect(replies.map((r) => r.status)).toEqual([200, 200]);
    await runDispatcher();
    const charged = [...chargesFor(l1.id), ...chargesFor(l2.id)];
    expect(charged).toHaveLength(1);
    const texts = textsTo(b.phone, before);
    expect(texts.filter((m) => /weekly spending cap/.test(m))).toHaveLength(1);
    // The one charged unlocks; the budget holds: 30.00 spent of 30.00.
    const leadId = (charged[0]!.params.metadata as Record<string, string>).leadId!;
    const [succeeded] = chargeEvents(leadId, 'payment_intent.succeeded');
    expect((await deliverEvent(app, succeeded!)).json.outcome).toBe('unlocked');
    const view = await invoke(providersRoute, {
      method: 'GET',
      path: `/providers/${b.id}`,
      pathParams: { id: b.id },
      headers: { authorization: `Bearer ${KEYS.admin}` },
    });
    expect(view.json.budget).toMatchObject({ weekSpentCents: 3000, atWeeklyCap: true });
  });
});

describe('in Spanish', () => {
  it("a Spanish provider's first Checkout: Stripe's page in Spanish, saying in Spanish that it saves the card", async () => {
    const zip = uniqueZip();
    const p = await api.addProvider({ zipCodes: [zip], language: 'es' });
    const l = await newLead(zip);
    const [answer] = await text(p.phone, `SI ${l.code}`);
    expect((await api.openPayLink(linkToken(answer!))).status).toBe(303);
    const create = app.stripe.requests.filter((r) => r.path === '/v1/checkout/sessions').at(-1)!;
    expect(create.params.locale).toBe('es');
    const notice = languageModule('es').checkout.saveCardNotice;
    expect(create.params.custom_text).toEqual({ submit: { message: notice } });
    expect(notice).toMatch(/SI/);
    expect(notice).toMatch(/AUTO OFF/);
  });

  it('SI <code> charges the saved card with a Spanish SMS, and the details follow in Spanish', async () => {
    const b = await buyerWithCard();
    expect(await text(b.phone, 'ESPAÑOL')).toEqual([expect.stringMatching(/en español/)]);
    const l = await newLead(b.zip);
    const answer = await text(b.phone, `SÍ ${l.code}`);
    expect(answer).toEqual([
      `Lead ${l.code}: cobrando $15.00 a su tarjeta guardada. Si se aprueba le enviamos los datos del cliente; si no, un enlace de pago. AUTO OFF: pagar con enlace.`,
    ]);
    const [succeeded] = chargeEvents(l.id, 'payment_intent.succeeded');
    const before = app.textmagic.sent.length;
    expect((await deliverEvent(app, succeeded!)).json.outcome).toBe('unlocked');
    const details = textsTo(b.phone, before);
    expect(details).toHaveLength(1);
    expect(details[0]).toMatch(new RegExp(`^El lead ${l.code} es suyo\\.\\nCliente: ${DETAILS}\\n`));
  });

  it('a declined card: the Spanish pay link; AUTO OFF confirmed in Spanish', async () => {
    const b = await buyerWithCard('declined');
    await text(b.phone, 'espanol');
    const l = await newLead(b.zip);
    const answer = await text(b.phone, `si ${l.code}`);
    expect(answer).toHaveLength(2);
    expect(answer[0]).toMatch(/cobrando/);
    expect(answer[1]).toMatch(
      new RegExp(`^Lead ${l.code}: su tarjeta guardada fue rechazada\\. Pague \\$15\\.00`),
    );
    expect(fitsOneSegment(answer[1]!)).toBe(true);
    expect((await api.openPayLink(linkToken(answer[1]!))).status).toBe(303);
    expect(await text(b.phone, 'AUTO OFF')).toEqual([
      expect.stringMatching(/^Lead Unlock: auto-pago apagado/),
    ]);
  });
});
