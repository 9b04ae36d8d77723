/**
 * The pay link against Stripe's idempotency rules, as the stand-in applies them: a key reused
 * with other parameters is refused (`idempotency_error`, 24 hours), and an answer Stripe gave under
 * a key, a 500 included, is given again to every retry under it. Every open of a link must end
 * in a working Checkout once Stripe answers, whatever happened to an earlier try, and a session
 * Stripe no longer has must not be handed out again.
 */
import { describe, expect, it } from 'vitest';
import { handler as dispatcher } from '../../functions/sms-dispatcher';
import { useApp } from '../support/app';
import { api, lead, linkToken } from '../support/flow';
import { deliverEvent, openSessions, smsSentTo, uniqueZip } from '../support/market';

const app = useApp();

/** `phone` says YES to a new lead in `zip`; its pay link's token, not opened yet. */
async function yesTo(phone: string, zip: string) {
  const created = await api.postLead(lead({ zipCode: zip }));
  expect(created.status).toBe(201);
  await api.reply(phone, `YES ${created.json.code}`);
  const token = linkToken(smsSentTo(app, phone).at(-1)!.text);
  return { lead: created.json as { id: string; code: string }, token };
}

/**
 * A provider with a pay link for a new lead, not opened yet. `customer`: they already have a
 * Stripe Customer (an earlier link opened), so the next request to Stripe is the session's create.
 */
async function linkFor(opts: { customer?: boolean } = { customer: true }) {
  const zip = uniqueZip();
  const p = await api.addProvider({ zipCodes: [zip] });
  if (opts.customer) expect((await api.openPayLink((await yesTo(p.phone, zip)).token)).status).toBe(303);
  return { provider: p, ...(await yesTo(p.phone, zip)) };
}

const sessionsOf = (offerMeta: { leadId: string }) =>
  [...app.stripe.sessions.values()].filter((s) => s.metadata.leadId === offerMeta.leadId);

const checkoutCreates = (leadId: string) =>
  app.stripe.requests.filter(
    (r) =>
      r.path === '/v1/checkout/sessions' &&
      (r.params.metadata as Record<string, string> | undefined)?.leadId === leadId,
  );

describe('a Checkout create whose answer was lost', () => {
  it('made at Stripe all the same: the next open gets that session, under the same key and the same parameters', async () => {
    const { lead: l, token } = await linkFor();
    // Stripe makes the session and the answer never comes, for the SDK's try and its retry.
    app.stripe.fail(2, 'lost-reply');
    const first = await api.openPayLink(token);
    expect(first.status).toBe(503);
    expect(sessionsOf({ leadId: l.id })).toHaveLength(1);
    // A second later (expires_at is in whole seconds): the provider opens the link again.
    await new Promise((r) => setTimeout(r, 1100));
    const again = await api.openPayLink(token);
    expect(again.status, again.text).toBe(303);
    const [session] = sessionsOf({ leadId: l.id });
    expect(again.headers.location).toBe(session!.url);
    const creates = checkoutCreates(l.id);
    expect(new Set(creates.map((r) => r.idempotencyKey)).size).toBe(1);
    expect(creates.at(-1)!.replayed).toBe(true);
    expect(creates.every((r) => r.status !== 400)).toBe(true);
    // And it stays the provider's session: a third open reuses it.
    expect((await api.openPayLink(token)).headers.location).toBe(session!.url);
  });

  it("a 500 Stripe keeps for the provider's customer key: a key of the attempt's own, and the link works at once", async () => {
    const { provider, lead: l, token } = await linkFor({ customer: false });
    app.stripe.fail(1, 500);
    const open = await api.openPayLink(token);
    expect(open.status, open.text).toBe(303);
    const creates = app.stripe.requests.filter(
      (r) =>
        r.path === '/v1/customers' &&
        (r.params.metadata as Record<string, string> | undefined)?.providerId === provider.id,
    );
    expect(creates.map((r) => r.status)).toEqual([500, 500, 200]); // the SDK's retry got it again
    expect(creates.at(-1)!.idempotencyKey).toMatch(
      new RegExp(`^customer:${provider.id}:in:[0-9a-f-]{36}:1$`),
    );
    expect(sessionsOf({ leadId: l.id })).toHaveLength(1);
  });

  it('a 500 Stripe keeps for the key: the next open starts a new attempt with a new key', async () => {
    const { lead: l, token } = await linkFor();
    app.stripe.fail(1, 500);
    const first = await api.openPayLink(token);
    expect(first.status).toBe(503);
    const again = await api.openPayLink(token);
    expect(again.status, again.text).toBe(303);
    const keys = checkoutCreates(l.id).map((r) => r.idempotencyKey);
    expect(keys[0]).toMatch(/^checkout:[0-9a-f-]{36}:1$/);
    expect(keys.at(-1)).toMatch(/^checkout:[0-9a-f-]{36}:2$/);
    expect(sessionsOf({ leadId: l.id })).toHaveLength(1);
  });

  it('the provider changed language meanwhile: the key met with other parameters, a new attempt at once', async () => {
    const { provider, lead: l, token } = await linkFor();
    app.stripe.fail(2, 'lost-reply');
    expect((await api.openPayLink(token)).status).toBe(503);
    expect((await api.patchProvider(provider.id, { language: 'es' })).status).toBe(200);
    const again = await api.openPayLink(token);
    expect(again.status, again.text).toBe(303);
    const creates = checkoutCreates(l.id);
    expect(creates.some((r) => r.status === 400)).toBe(true); // idempotency_error, once
    const used = app.stripe.sessions.get(
      [...app.stripe.sessions.values()].find((s) => s.url === again.headers.location)!.id,
    )!;
    expect(used.locale).toBe('es');
    expect(used.idempotencyKey).toMatch(/:2$/);
  });
});

describe('a stored session Stripe no longer has', () => {
  it('Stripe does not know it or its customer (the stand-in restarted, another account or mode): a new attempt and a new customer', async () => {
    const { lead: l, buyers } = await openSessions(app, 1);
    const [b] = buyers;
    const old = app.stripe.sessions.get(b!.sessionId)!;
    // What a restart of the sandbox's stand-in forgets (or what another account never had).
    app.stripe.sessions.clear();
    app.stripe.customers.clear();
    const again = await api.openPayLink(b!.token);
    expect(again.status, again.text).toBe(303);
    expect(again.headers.location).not.toBe(old.url);
    const [fresh] = sessionsOf({ leadId: l.id });
    expect(fresh!.url).toBe(again.headers.location);
    expect(app.stripe.customers.has(fresh!.customer as string)).toBe(true);
    // It pays like any other.
    const paid = await deliverEvent(app, app.stripe.completeSession(fresh!.id));
    expect(paid.json.outcome).toBe('unlocked');
  });

  it('Stripe expired it before its event reached us: a new attempt, not the dead page', async () => {
    const { lead: l, buyers } = await openSessions(app, 1);
    const [b] = buyers;
    app.stripe.expireSession(b!.sessionId); // checkout.session.expired not delivered yet
    const again = await api.openPayLink(b!.token);
    expect(again.status).toBe(303);
    const open = sessionsOf({ leadId: l.id }).filter((s) => s.status === 'open');
    expect(open).toHaveLength(1);
    expect(again.headers.location).toBe(open[0]!.url);
  });

  it('an open one is handed out again after one read at Stripe', async () => {
    const { buyers } = await openSessions(app, 1);
    const [b] = buyers;
    const before = app.stripe.requests.length;
    const again = await api.openPayLink(b!.token);
    expect(again.headers.location).toBe(app.stripe.sessions.get(b!.sessionId)!.url);
    expect(app.stripe.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /v1/checkout/sessions/${b!.sessionId}`,
    ]);
  });
});

describe('follow-ups after a 500 Stripe keeps for the key', () => {
  it('a refund whose first try got a 500 goes through on the next try (a key per try)', async () => {
    const { buyers } = await openSessions(app, 2, { maxUnlocks: 1 });
    const [first, second] = buyers.map((b) => app.stripe.completeSession(b.sessionId));
    expect((await deliverEvent(app, first!)).json.outcome).toBe('unlocked');
    const refunds = app.stripe.refunds.length;
    app.stripe.fail(1, 500); // the try right after commit (no SDK retry inside a request)
    const late = await deliverEvent(app, second!);
    expect(late.json.outcome).toBe('refund_queued');
    expect(app.stripe.refunds.length).toBe(refunds);
    await app.db.query(`update stripe_tasks set next_attempt_at = now() where status = 'queued'`);
    await dispatcher();
    expect(app.stripe.refunds.length).toBe(refunds + 1);
    const keys = app.stripe.requests.filter((r) => r.path === '/v1/refunds').map((r) => r.idempotencyKey);
    expect(keys.at(-1)).toBe(`refund:${buyers[1]!.sessionId}:2`);
  });
});
