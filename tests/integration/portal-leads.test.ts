/**
 * The portal's Leads and Returns (issue 24, sections 2 and 3): a signed-in provider's open offers
 * and purchases, buying by the path of `YES <code>` (saved card, pay link, budgets), returns by
 * the rules of `BAD <code>`, and another provider's ids answered 404 with nothing changed. Real
 * Postgres, the real Stripe SDK against the fake, TextMagic's fake; nothing of ours mocked.
 */
import { describe, expect, it } from 'vitest';
import { handler as portal } from '../../functions/portal';
import { handler as portalAccount } from '../../functions/portal-account';
import { handler as privacyFn } from '../../functions/privacy';
import { handler as returnsFn } from '../../functions/returns';
import { distinctClient } from '../../emulators/lead-body';
import { invoke, type Reply } from '../../emulators/events';
import type { CardBehaviour } from '../../emulators/fake-stripe';
import { ROUTES, type RouteSpec } from '../../lib/http/routes';
import { KEYS, PUBLIC_BASE_URL, useApp } from '../support/app';
import { api, lead, linkToken } from '../support/flow';
import { buyByLink, deliverEvent, smsSentTo, uniqueZip } from '../support/market';
import { portalCookieFor } from '../support/portal';
import { rowCounts } from '../support/writes';

const app = useApp();

type Provider = { id: string; phone: string; zip: string; cookie: string };

/** A client no other lead of the database has, with contact details to look for in responses. */
function client() {
  const { phone, email } = distinctClient();
  return { name: `Olive R${Math.random().toString(36).slice(2, 8)}`, phone, email };
}
type Client = ReturnType<typeof client>;

/** A provider of a zip of their own, signed in to the portal. */
async function provider(overrides: Record<string, unknown> = {}): Promise<Provider> {
  const zip = uniqueZip();
  const p = await api.addProvider({ zipCodes: [zip], ...overrides });
  return { ...p, zip, cookie: await portalCookieFor(p.id) };
}

/** A lead in `p`'s zip from client `c`; its offer to `p`. */
async function offered(p: Provider, c: Client = client(), body: Record<string, unknown> = {}) {
  const created = await api.postLead(lead({ zipCode: p.zip, ...c, ...body }));
  expect(created.status, created.text).toBe(201);
  const [offer] = await app.db.query<{ id: string }>(
    'select id from offers where lead_id = $1 and provider_id = $2',
    [created.json.id, p.id],
  );
  return {
    leadId: created.json.id as string,
    code: created.json.code as string,
    offerId: offer!.id,
    client: c,
  };
}

/** A portal request of `p`'s, from the portal's own origin. */
/** The functions serving the portal's JSON routes, by their name in the route table. */
const SERVES: Record<string, typeof portal> = { portal, portalAccount };

function call(
  p: { cookie: string },
  method: 'GET' | 'POST',
  path: string,
  opts: { pathParams?: Record<string, string>; query?: Record<string, string>; body?: unknown } = {},
  fn = portal,
): Promise<Reply> {
  return invoke(fn, {
    method,
    path,
    pathParams: opts.pathParams,
    query: opts.query,
    headers: {
      cookie: p.cookie,
      ...(method !== 'GET' && { origin: PUBLIC_BASE_URL }),
      ...(opts.body !== undefined && { 'content-type': 'application/json' }),
    },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
}

const leadsOf = (p: Provider, query?: Record<string, string>) =>
  call(p, 'GET', '/portal/api/leads', { query });
const buy = (p: Provider, offerId: string) =>
  call(p, 'POST', `/portal/api/offers/${offerId}/buy`, { pathParams: { id: offerId } });
const openReturn = (p: Provider, body: unknown) => call(p, 'POST', '/portal/api/returns', { body });
const returnsOf = (p: Provider) => call(p, 'GET', '/portal/api/returns');

type OpenItem = { offerId: string; code: string; description: string; payWith: string; priceCents: number };
type BoughtItem = {
  offerId: string;
  code: string;
  erased: boolean;
  client: { name: string; phone: string; email: string | null } | null;
  amountCents: number;
  paidWith: string;
  canOpen: boolean;
  openUntil: string;
  return: { status: string; note: string | null } | null;
};

/** The texts `phone` got since `since`. */
const textsTo = (phone: string, since: number) => smsSentTo(app, phone, since).map((m) => m.text);

/** A provider whose first purchase (by link) saved `card`; auto-pay on. */
async function withSavedCard(card: CardBehaviour = 'succeeds'): Promise<Provider> {
  const p = await provider();
  const first = await offered(p);
  const before = app.textmagic.sent.length;
  await api.reply(p.phone, `YES ${first.code}`);
  const pay = await api.openPayLink(linkToken(textsTo(p.phone, before).at(-1)!));
  const session = [...app.stripe.sessions.values()].find((s) => s.url === pay.headers.location)!;
  expect((await deliverEvent(app, app.stripe.completeSession(session.id, { card }))).json.outcome).toBe(
    'unlocked',
  );
  const [row] = await app.db.query<{ pm: string | null }>(
    'select saved_payment_method_id as pm from providers where id = $1',
    [p.id],
  );
  expect(row!.pm).toMatch(/^pm_/);
  return p;
}

/** `p` bought `o` through the pay link (YES, the link opened, Checkout completed). */
async function boughtByLink(p: Provider, c: Client = client()) {
  const o = await offered(p, c);
  await buyByLink(app, p.phone, o.code);
  return o;
}

describe('GET /portal/api/leads', () => {
  it('lists an offered lead with its teaser facts and price, never the client contact typed into it', async () => {
    const p = await provider({ autoPay: false });
    const c = client();
    const o = await offered(p, c, {
      description: `Water heater leaking. Call me on ${c.phone} or write to ${c.email}, ask for ${c.name}.`,
      budget: '$400',
    });
    const res = await leadsOf(p);
    expect(res.status, res.text).toBe(200);
    expect(res.json.bought).toEqual([]);
    const open = res.json.open as (OpenItem & Record<string, unknown>)[];
    expect(open).toHaveLength(1);
    const item = open[0]!;
    expect(item).toMatchObject({
      offerId: o.offerId,
      code: o.code,
      category: 'plumbing',
      categoryName: expect.any(String),
      zipCode: p.zip,
      city: 'Austin',
      budget: '$400',
      priceCents: 1500,
      currency: 'usd',
      payWith: 'pay_link',
      charging: false,
    });
    expect(item.description).toMatch(/^Water heater leaking\. Call me on \(contact removed\)/);
    expect(Date.parse(item.expiresAt as string)).toBeGreaterThan(Date.now());
    for (const secret of [c.name, c.phone, c.phone.slice(2), c.email]) expect(res.text).not.toContain(secret);
  });

  it('pages the bought leads by cursor, newest first, with the open ones on the first page only', async () => {
    const p = await provider({ autoPay: false });
    const first = await boughtByLink(p);
    const second = await boughtByLink(p);
    const open = await offered(p);
    const page1 = await leadsOf(p, { limit: '1' });
    expect(page1.status, page1.text).toBe(200);
    expect((page1.json.open as OpenItem[]).map((i) => i.offerId)).toEqual([open.offerId]);
    expect((page1.json.bought as BoughtItem[]).map((i) => i.offerId)).toEqual([second.offerId]);
    const page2 = await leadsOf(p, { limit: '1', cursor: page1.json.nextCursor as string });
    expect(page2.json.open).toEqual([]);
    expect((page2.json.bought as BoughtItem[]).map((i) => i.offerId)).toEqual([first.offerId]);
    expect(page2.json.nextCursor).toBeNull();
    const bad = await leadsOf(p, { cursor: 'not-a-cursor' });
    expect(bad.status).toBe(400);
  });
});

describe('POST /portal/api/offers/{id}/buy', () => {
  it('with a saved card and auto-pay: charges it as YES does, the details SMS arrives, the lead moves to bought', async () => {
    const p = await withSavedCard();
    const o = await offered(p);
    const before = (await leadsOf(p)).json.open as OpenItem[];
    expect(before.find((i) => i.offerId === o.offerId)?.payWith).toBe('saved_card');

    const res = await buy(p, o.offerId);
    expect(res.status, res.text).toBe(200);
    expect(res.json).toEqual({ status: 'charging' });
    // The queued Stripe task ran: one off-session charge of this offer, under the YES path's key.
    const charges = app.stripe.requests.filter(
      (r) => r.path === '/v1/payment_intents' && r.idempotencyKey === `charge:${o.offerId}:1`,
    );
    expect(charges.filter((r) => !r.replayed)).toHaveLength(1);
    expect(charges[0]!.params).toMatchObject({ amount: '1500', off_session: 'true', confirm: 'true' });
    // Until Stripe's event comes, the offer shows as being charged.
    const waiting = (await leadsOf(p)).json.open as (OpenItem & { charging: boolean })[];
    expect(waiting.find((i) => i.offerId === o.offerId)?.charging).toBe(true);

    const succeeded = app.stripe.events.find(
      (e) =>
        e.type === 'payment_intent.succeeded' &&
        (e.data.object.metadata as Record<string, string> | undefined)?.offerId === o.offerId,
    );
    const sent = app.textmagic.sent.length;
    expect((await deliverEvent(app, succeeded!)).json.outcome).toBe('unlocked');
    expect(textsTo(p.phone, sent).join('\n')).toContain(o.client.name);

    const after = await leadsOf(p);
    expect((after.json.open as OpenItem[]).map((i) => i.offerId)).not.toContain(o.offerId);
    const item = (after.json.bought as BoughtItem[]).find((i) => i.offerId === o.offerId);
    expect(item).toMatchObject({
      erased: false,
      client: { name: o.client.name, phone: o.client.phone, email: o.client.email },
      amountCents: 1500,
      paidWith: 'saved_card',
      canOpen: true,
      return: null,
    });
    // Bought already: said so, and no second charge.
    const again = await buy(p, o.offerId);
    expect(again.json).toEqual({ status: 'unlocked' });
    expect(
      app.stripe.requests.filter((r) => r.idempotencyKey?.startsWith(`charge:${o.offerId}:`)),
    ).toHaveLength(charges.length);
  });

  it('a saved card Stripe declines: the pay link at once, as the SMS after a refused charge gives', async () => {
    const p = await withSavedCard('declined');
    const o = await offered(p);
    const sent = app.textmagic.sent.length;
    const res = await buy(p, o.offerId);
    expect(res.status, res.text).toBe(200);
    const { payUrl } = res.json as { payUrl: string };
    expect(payUrl.startsWith(`${PUBLIC_BASE_URL}/p/`)).toBe(true);
    // The charge was tried once, and the SMS of a refused card carries the same link.
    expect(
      app.stripe.requests.filter((r) => r.idempotencyKey === `charge:${o.offerId}:1` && !r.replayed),
    ).toHaveLength(1);
    expect(textsTo(p.phone, sent).join('\n')).toContain(payUrl);
    const open = (await leadsOf(p)).json.open as OpenItem[];
    expect(open.find((i) => i.offerId === o.offerId)?.payWith).toBe('pay_link');
  });

  it('without a saved card: the pay link, whose Checkout unlocks it, details by SMS', async () => {
    const p = await provider();
    const o = await offered(p);
    const res = await buy(p, o.offerId);
    expect(res.status, res.text).toBe(200);
    const { payUrl } = res.json as { payUrl: string };
    expect(payUrl.startsWith(`${PUBLIC_BASE_URL}/p/`)).toBe(true);
    const pay = await api.openPayLink(linkToken(payUrl));
    expect(pay.status).toBe(303);
    const session = [...app.stripe.sessions.values()].find((s) => s.url === pay.headers.location)!;
    const sent = app.textmagic.sent.length;
    expect((await deliverEvent(app, app.stripe.completeSession(session.id))).json.outcome).toBe('unlocked');
    expect(textsTo(p.phone, sent).join('\n')).toContain(o.client.name);
    const bought = (await leadsOf(p)).json.bought as BoughtItem[];
    expect(bought.find((i) => i.offerId === o.offerId)?.client?.email).toBe(o.client.email);
    // The funnel counts it as a YES.
    const [offer] = await app.db.query<{ accepted_at: Date | null }>(
      'select accepted_at from offers where id = $1',
      [o.offerId],
    );
    expect(offer!.accepted_at).not.toBeNull();
  });

  it('a weekly cap set by PATCH /providers/{id} refuses the portal buy exactly as it refuses YES', async () => {
    const p = await provider();
    const o = await offered(p);
    expect((await api.patchProvider(p.id, { weeklySpendCapCents: 1000 })).status).toBe(200);
    const stripeCalls = app.stripe.requests.length;
    const counts = await rowCounts(app);
    const sent = app.textmagic.sent.length;
    const res = await buy(p, o.offerId);
    expect(res.status, res.text).toBe(409);
    expect(res.json.error).toMatchObject({ code: 'budget_refused', details: { cap: 'weekly_cap' } });
    expect(res.json.error.message).toMatch(/weekly spending cap/);
    expect(await rowCounts(app)).toEqual(counts);
    expect(app.textmagic.sent.length).toBe(sent);
    expect(app.stripe.requests.length).toBe(stripeCalls);

    await api.reply(p.phone, `YES ${o.code}`);
    expect(textsTo(p.phone, sent)).toEqual([res.json.error.message]);
    // The daily cap too, named as such.
    expect((await api.patchProvider(p.id, { weeklySpendCapCents: null, dailyLeadCap: 0 })).status).toBe(200);
    const daily = await buy(p, o.offerId);
    expect(daily.json.error).toMatchObject({ code: 'budget_refused', details: { cap: 'daily_cap' } });
  });

  it('a lead sold out or expired: 409 unavailable, nothing charged', async () => {
    const p = await provider();
    const o = await offered(p);
    await app.db.query(`update leads set expires_at = now() - interval '1 minute' where id = $1`, [o.leadId]);
    const stripeCalls = app.stripe.requests.length;
    const res = await buy(p, o.offerId);
    expect(res.status, res.text).toBe(409);
    expect(res.json.error.code).toBe('unavailable');
    expect(res.json.error.message).toContain(o.code);
    expect(app.stripe.requests.length).toBe(stripeCalls);
    expect((await leadsOf(p)).json.open).toEqual([]);
  });
});

describe('erased leads', () => {
  it('a bought lead erased at the client request shows as erased, with no details', async () => {
    const p = await provider({ autoPay: false });
    const o = await boughtByLink(p);
    const erased = await invoke(privacyFn, {
      method: 'POST',
      path: '/privacy/erasures',
      headers: { authorization: `Bearer ${KEYS.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ leadId: o.leadId }),
    });
    expect(erased.status, erased.text).toBe(200);
    const res = await leadsOf(p);
    const item = (res.json.bought as BoughtItem[]).find((i) => i.offerId === o.offerId);
    expect(item).toMatchObject({ erased: true, client: null, amountCents: 1500 });
    for (const secret of [o.client.name, o.client.phone, o.client.email])
      expect(res.text).not.toContain(secret);
  });
});

describe('returns', () => {
  it('opens a return once within the window, with the SMS a BAD gets; refuses the rest; lists it with the note', async () => {
    const p = await provider({ autoPay: false });
    const o = await boughtByLink(p);
    const sent = app.textmagic.sent.length;
    const res = await openReturn(p, { offerId: o.offerId, reason: 'wrong_area', text: 'Not my county' });
    expect(res.status, res.text).toBe(201);
    expect(res.json.return).toMatchObject({ offerId: o.offerId, status: 'open', reason: 'wrong_area' });
    expect(textsTo(p.phone, sent)).toHaveLength(1);
    expect(textsTo(p.phone, sent)[0]).toContain(o.code);

    // Once per purchase.
    const again = await openReturn(p, { offerId: o.offerId, reason: 'other' });
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe('already_returned');
    // An offer of theirs they did not buy.
    const unbought = await offered(p);
    const notBought = await openReturn(p, { offerId: unbought.offerId, reason: 'other' });
    expect(notBought.status).toBe(409);
    expect(notBought.json.error.code).toBe('not_bought');
    // Past the window.
    const old = await boughtByLink(p);
    await app.db.query(`update unlocks set created_at = now() - interval '15 days' where offer_id = $1`, [
      old.offerId,
    ]);
    const closed = await openReturn(p, { offerId: old.offerId, reason: 'other' });
    expect(closed.status).toBe(409);
    expect(closed.json.error).toMatchObject({
      code: 'window_closed',
      message: expect.stringContaining('14 days'),
    });
    // Bad input.
    const bad = await openReturn(p, { offerId: o.offerId, reason: 'because', extra: 1 });
    expect(bad.status).toBe(400);
    // None of the refusals opened a return.
    const [mine] = await app.db.query<{ n: string }>(
      'select count(*) as n from lead_returns where provider_id = $1',
      [p.id],
    );
    expect(Number(mine!.n)).toBe(1);

    const leads = (await leadsOf(p)).json.bought as BoughtItem[];
    expect(leads.find((i) => i.offerId === o.offerId)).toMatchObject({
      canOpen: false,
      return: { status: 'open', reason: 'wrong_area', text: 'Not my county' },
    });
    expect(leads.find((i) => i.offerId === old.offerId)).toMatchObject({ canOpen: false, return: null });

    // The operator declines it with a note: the portal shows it.
    const declined = await invoke(returnsFn, {
      method: 'POST',
      path: `/returns/${res.json.return.id}/decline`,
      pathParams: { id: res.json.return.id },
      headers: { authorization: `Bearer ${KEYS.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ note: 'The client confirmed the address.' }),
    });
    expect(declined.status, declined.text).toBe(200);
    const list = await returnsOf(p);
    expect(list.status, list.text).toBe(200);
    expect(list.json.returns).toEqual([
      expect.objectContaining({
        id: res.json.return.id,
        offerId: o.offerId,
        code: o.code,
        status: 'declined',
        reason: 'wrong_area',
        text: 'Not my county',
        note: 'The client confirmed the address.',
        decidedAt: expect.any(String),
      }),
    ]);
  });
});

describe('safety: another provider ids', () => {
  it('every id-bearing portal route answers 404 to provider B for provider A ids, changes nothing, shows none of A clients', async () => {
    const a = await provider({ autoPay: false });
    const aOpen = await offered(a);
    const aBought = await boughtByLink(a);
    const returned = await openReturn(a, { offerId: aBought.offerId, reason: 'other' });
    expect(returned.status).toBe(201);
    const [ids] = await app.db.query<{ unlock_id: string; return_id: string }>(
      `select u.id as unlock_id, r.id as return_id from unlocks u join lead_returns r on r.unlock_id = u.id
        where u.offer_id = $1`,
      [aBought.offerId],
    );
    const aIds = [
      aOpen.offerId,
      aBought.offerId,
      aOpen.leadId,
      aBought.leadId,
      ids!.unlock_id,
      ids!.return_id,
    ];

    // B has leads of their own (so their lists are not empty), one bought.
    const b = await provider({ autoPay: false });
    await offered(b);
    await boughtByLink(b);

    const answers: Reply[] = [];
    const portalRoutes: readonly RouteSpec[] = ROUTES.filter((r: RouteSpec) => r.who === 'portal');
    expect(
      portalRoutes.every((r) => SERVES[r.fn]),
      'a portal route of a function this test does not call',
    ).toBe(true);
    const idBearing = portalRoutes.filter(
      (r) =>
        r.path.includes('{') || Object.values(r.example.body ?? {}).some((v) => /^\{\w+\}$/.test(String(v))),
    );
    expect(idBearing.length).toBeGreaterThanOrEqual(2);
    for (const r of idBearing) {
      for (const id of aIds) {
        const params = Object.fromEntries(
          (r.path.match(/\{(\w+)\}/g) ?? []).map((m) => [m.slice(1, -1), id]),
        );
        const body =
          r.example.body &&
          Object.fromEntries(
            Object.entries(r.example.body).map(([k, v]) => [k, /^\{\w+\}$/.test(String(v)) ? id : v]),
          );
        const offers = await app.db.query('select * from offers where provider_id = $1 order by id', [a.id]);
        const counts = await rowCounts(app);
        const sent = app.textmagic.sent.length;
        const stripeCalls = app.stripe.requests.length;
        const res = await invoke(SERVES[r.fn]!, {
          method: r.method,
          path: r.path.replace(/\{(\w+)\}/g, (_, k: string) => params[k]!),
          pathParams: params,
          headers: {
            cookie: b.cookie,
            ...(r.method !== 'GET' && { origin: PUBLIC_BASE_URL }),
            ...(body && { 'content-type': 'application/json' }),
          },
          body: body && JSON.stringify(body),
        });
        answers.push(res);
        expect(res.status, `${r.method} ${r.path} with ${id}: ${res.text}`).toBe(404);
        expect(res.json.error.code).toBe('not_found');
        expect(await rowCounts(app)).toEqual(counts);
        expect(app.textmagic.sent.length).toBe(sent);
        expect(app.stripe.requests.length).toBe(stripeCalls);
        expect(await app.db.query('select * from offers where provider_id = $1 order by id', [a.id])).toEqual(
          offers,
        );
      }
    }
    // B's lists: theirs alone.
    for (const r of portalRoutes.filter((r) => r.method === 'GET')) {
      const res = await call(b, 'GET', r.path, {}, SERVES[r.fn]);
      expect(res.status, res.text).toBe(200);
      answers.push(res);
    }
    expect((await leadsOf(b)).json.bought).toHaveLength(1);
    for (const res of answers) {
      for (const secret of [aOpen.client, aBought.client].flatMap((c) => [
        c.name,
        c.phone,
        c.phone.slice(2),
        c.email,
      ]))
        expect(res.text).not.toContain(secret);
      for (const id of aIds) expect(res.text).not.toContain(id);
    }
    // A's own view still has it all.
    const mine = await leadsOf(a);
    expect(mine.text).toContain(aBought.client.name);
    expect((mine.json.open as OpenItem[]).map((i) => i.offerId)).toEqual([aOpen.offerId]);
  });
});
