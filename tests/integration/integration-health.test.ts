/**
 * `GET /health/integrations`: Stripe and TextMagic reached with the configured keys (cached a
 * minute, never a key in the answer), the outbox, the dispatcher's last run, the Stripe
 * follow-ups; and the fakes' account reads rejecting what Stripe and TextMagic reject.
 */
import { afterEach, describe, expect, it } from 'vitest';
import Stripe from 'stripe';
import { handler as integrationHealth } from '../../functions/integration-health';
import { resetIntegrationChecks } from '../../lib/reports/integration-health';
import { resetConfig } from '../../lib/config';
import { getDb } from '../../lib/db/client';
import { resetStripe } from '../../lib/stripe';
import { dispatchDue } from '../../lib/messaging/dispatch';
import { KEYS, useApp } from '../support/app';
import { invoke, type Reply } from '../../emulators/events';
import { api, lead } from '../support/flow';
import { deliverEvent, openSessions, uniqueZip } from '../support/market';
import { writesNothing } from '../support/writes';

const app = useApp();
const admin = { authorization: `Bearer ${KEYS.admin}` };

const health = (headers: Record<string, string> = admin) =>
  invoke(integrationHealth, { method: 'GET', path: '/health/integrations', headers });

/** Runs `fn` with these variables changed (undefined: unset), then puts them back. */
async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (v: Record<string, string | undefined>) => {
    for (const [k, val] of Object.entries(v)) {
      if (val === undefined) delete process.env[k];
      else process.env[k] = val;
    }
    resetConfig();
    resetStripe();
    resetIntegrationChecks();
  };
  apply(vars);
  try {
    return await fn();
  } finally {
    apply(saved);
  }
}

const balanceReads = () => app.stripe.requests.filter((r) => r.path === '/v1/balance').length;

/** No key, nor its prefix, nor its last characters, anywhere in the answer. */
function expectNoSecrets(res: Reply, ...keys: string[]) {
  for (const key of [app.stripe.secretKey, app.textmagic.apiKey, ...keys]) {
    expect(res.text).not.toContain(key);
    expect(res.text).not.toContain(key.slice(-4));
  }
  expect(res.text).not.toMatch(/sk_(test|live)_|rk_(test|live)_/);
}

afterEach(() => {
  app.stripe.heal();
  app.textmagic.heal();
  resetIntegrationChecks();
});

describe('GET /health/integrations', () => {
  it('both reached with the configured keys; the answer has the plan’s shape and no key', async () => {
    resetIntegrationChecks();
    const res = await health();
    expect(res.status, res.text).toBe(200);
    expect(Object.keys(res.json).sort()).toEqual(
      ['dispatcher', 'outbox', 'stripe', 'stripeFollowUps', 'textmagic'].sort(),
    );
    for (const name of ['stripe', 'textmagic']) {
      expect(res.json[name], name).toEqual({
        ok: true,
        checkedAt: expect.any(String),
        latencyMs: expect.any(Number),
      });
      expect(new Date(res.json[name].checkedAt).toISOString()).toBe(res.json[name].checkedAt);
    }
    expect(res.json.outbox).toEqual({ due: expect.any(Number), oldestDueAgeSeconds: null });
    expect(res.json.stripeFollowUps).toEqual({ pending: 0, oldestAgeSeconds: null });
    expectNoSecrets(res);
  });

  it('each check is cached: a second look within the minute calls neither service', async () => {
    resetIntegrationChecks();
    await health();
    const [stripeBefore, tmBefore] = [balanceReads(), app.textmagic.requests];
    const again = await health();
    expect(again.json.stripe.ok).toBe(true);
    expect(balanceReads()).toBe(stripeBefore);
    expect(app.textmagic.requests).toBe(tmBefore);
  });

  it('wrong keys: ok false with the status, never the key; still a 200 of ours', async () => {
    const res = await withEnv(
      { STRIPE_SECRET_KEY: 'sk_test_wrongkey_5678', TEXTMAGIC_API_KEY: 'wrong-tm-key-9876' },
      () => health(),
    );
    expect(res.status, res.text).toBe(200);
    expect(res.json.stripe).toMatchObject({ ok: false, error: 'Stripe answered 401' });
    expect(res.json.textmagic).toMatchObject({ ok: false, error: 'TextMagic answered 401' });
    expectNoSecrets(res, 'sk_test_wrongkey_5678', 'wrong-tm-key-9876');
  });

  it('not configured: ok false, "not configured", and no call made', async () => {
    const [stripeBefore, tmBefore] = [balanceReads(), app.textmagic.requests];
    const res = await withEnv(
      { STRIPE_SECRET_KEY: undefined, TEXTMAGIC_USERNAME: undefined, TEXTMAGIC_API_KEY: undefined },
      () => health(),
    );
    expect(res.status, res.text).toBe(200);
    expect(res.json.stripe).toMatchObject({ ok: false, error: 'not configured (STRIPE_SECRET_KEY)' });
    expect(res.json.textmagic).toMatchObject({
      ok: false,
      error: 'not configured (TEXTMAGIC_USERNAME, TEXTMAGIC_API_KEY)',
    });
    expect(balanceReads()).toBe(stripeBefore);
    expect(app.textmagic.requests).toBe(tmBefore);
  });

  it('a service down or silent: ok false with a short error, not a 5xx of ours', async () => {
    resetIntegrationChecks();
    app.stripe.fail(1, 503);
    app.textmagic.fail(1, 'timeout');
    const res = await health();
    expect(res.status, res.text).toBe(200);
    expect(res.json.stripe).toMatchObject({ ok: false, error: 'Stripe answered 503' });
    expect(res.json.textmagic).toMatchObject({ ok: false, error: 'TextMagic did not answer within 1000 ms' });

    resetIntegrationChecks();
    app.stripe.fail(1, 'timeout');
    app.textmagic.fail(1, 503);
    const next = await health();
    expect(next.json.stripe).toMatchObject({ ok: false, error: 'Stripe did not answer within 1000 ms' });
    expect(next.json.textmagic).toMatchObject({ ok: false, error: 'TextMagic answered 503' });
  });

  it('the outbox’s due SMS, the dispatcher’s last run and the pending Stripe follow-ups', async () => {
    const first = await health();
    expect(first.json.dispatcher).toEqual({ lastRunAt: null, ageSeconds: null });

    // A teaser TextMagic could not take, due again (as its backoff would make it) a while ago
    // (the fault after the provider's opt-in confirmation, which goes out when they are added).
    const zip = uniqueZip();
    await api.addProvider({ zipCodes: [zip] });
    app.textmagic.fail(1, 503);
    const created = await api.postLead(lead({ zipCode: zip }));
    await app.db.query(
      `update sms_messages set next_attempt_at = now() - interval '120 seconds' where lead_id = $1`,
      [created.json.id],
    );
    const due = await health();
    expect(due.json.outbox.due).toBeGreaterThanOrEqual(1);
    expect(due.json.outbox.oldestDueAgeSeconds).toBeGreaterThanOrEqual(120);

    // Stripe follow-ups that keep failing (the other session of a lead sold once, and reading
    // the card the buyer's first Checkout saved).
    const { buyers } = await openSessions(app, 2, { maxUnlocks: 1 });
    app.stripe.fail(10, 503);
    await deliverEvent(app, app.stripe.completeSession(buyers[0]!.sessionId));
    const pending = await health();
    expect(pending.json.stripeFollowUps).toEqual({ pending: 2, oldestAgeSeconds: expect.any(Number) });
    app.stripe.heal();

    await dispatchDue(await getDb());
    const after = await health();
    expect(after.json.dispatcher).toEqual({ lastRunAt: expect.any(String), ageSeconds: expect.any(Number) });
    expect(after.json.outbox).toEqual({ due: 0, oldestDueAgeSeconds: null });
  });

  it('401 without the admin key, 403 with a wrong one; nothing written', async () => {
    const none = await writesNothing(app, () => health({}));
    expect(none.status).toBe(401);
    expect(none.json.error.code).toBe('unauthorized');
    const wrong = await health({ authorization: `Bearer ${KEYS.lead}` });
    expect(wrong.status).toBe(403);
    expect(wrong.json.error.code).toBe('forbidden');
  });
});

describe('the fakes’ account reads reject what Stripe and TextMagic reject', () => {
  const sdk = (key: string) => {
    const u = new URL(app.stripe.url);
    return new Stripe(key, {
      host: u.hostname,
      port: Number(u.port),
      protocol: 'http',
      maxNetworkRetries: 0,
    });
  };

  it('Stripe GET /v1/balance: the Balance object with the key, 401 with a wrong key or none', async () => {
    const balance = await sdk(app.stripe.secretKey).balance.retrieve();
    expect(balance).toMatchObject({
      object: 'balance',
      livemode: false,
      available: [{ amount: expect.any(Number), currency: expect.any(String) }],
      pending: [{ amount: expect.any(Number), currency: expect.any(String) }],
    });
    const err = await sdk('sk_test_notthekey_1234')
      .balance.retrieve()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect((err as Stripe.errors.StripeError).statusCode).toBe(401);
    expect((err as Error).message).toMatch(/^Invalid API Key provided: sk_test_\*+1234$/);

    const bare = await fetch(`${app.stripe.url}/v1/balance`);
    expect(bare.status).toBe(401);
    expect(((await bare.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
    const unknown = await fetch(`${app.stripe.url}/v1/balance?color=red`, {
      headers: { authorization: `Bearer ${app.stripe.secretKey}` },
    });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('parameter_unknown');
  });

  it('TextMagic GET /api/v2/user: the User object with the credentials, 401 without them', async () => {
    const ok = await fetch(`${app.textmagic.url}/user`, {
      headers: { 'X-TM-Username': app.textmagic.username, 'X-TM-Key': app.textmagic.apiKey },
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({
      id: expect.any(Number),
      username: app.textmagic.username,
      status: 'A',
      balance: expect.any(Number),
      currency: { id: 'USD' },
    });
    for (const headers of [
      { 'X-TM-Username': app.textmagic.username, 'X-TM-Key': 'wrong' },
      { 'X-TM-Username': 'someone-else', 'X-TM-Key': app.textmagic.apiKey },
      {} as Record<string, string>,
    ]) {
      const res = await fetch(`${app.textmagic.url}/user`, { headers });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ code: 401, message: 'Unauthorized' });
    }
    const post = await fetch(`${app.textmagic.url}/user`, {
      method: 'POST',
      headers: { 'X-TM-Username': app.textmagic.username, 'X-TM-Key': app.textmagic.apiKey },
    });
    expect(post.status).toBe(404);
  });
});
