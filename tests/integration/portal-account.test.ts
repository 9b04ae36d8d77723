/**
 * The provider portal's Settings, Spending, saved card and How they compare (issue 24 section 2's
 * last three bullets, functions/portal-account.ts): driven as the provider's browser would (the
 * `lu_portal` cookie, our Origin on changes), and seen where a provider would notice it: the next
 * YES by SMS, the teasers they get, Stripe's stand-in, the admin API.
 */
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { handler as portalAccount } from '../../functions/portal-account';
import { invoke, type Reply } from '../../emulators/events';
import { PUBLIC_BASE_URL, useApp } from '../support/app';
import { api, lead, linkToken } from '../support/flow';
import { buyByLink as buyByLinkThen, deliverEvent, smsSentTo, uniqueZip } from '../support/market';
import { portalCookieFor } from '../support/portal';
import { writesNothing } from '../support/writes';

const app = useApp({ env: { PORTAL_MAX_WEEKLY_SPEND_CAP: '500', PORTAL_MAX_DAILY_LEAD_CAP: '20' } });
const ORIGIN = new URL(PUBLIC_BASE_URL).origin;

/** A portal request as the provider's browser sends it: the cookie, and our Origin on a change. */
function portal(
  cookie: string,
  method: string,
  path: string,
  body?: unknown,
  query?: Record<string, string>,
): Promise<Reply> {
  return invoke(portalAccount, {
    method,
    path,
    headers: {
      cookie,
      ...(method !== 'GET' && { origin: ORIGIN }),
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    ...(query && { query }),
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
}

/** A provider in a zip of their own, signed in to the portal. */
async function signedIn(overrides: Record<string, unknown> = {}) {
  const zip = uniqueZip();
  const provider = await api.addProvider({ zipCodes: [zip], ...overrides });
  return { ...provider, zip, cookie: await portalCookieFor(provider.id) };
}

/** A lead in `zip`, teased to its providers. */
async function postLead(zip: string, body: Record<string, unknown> = {}) {
  const res = await api.postLead(lead({ zipCode: zip, ...body }));
  expect(res.status, res.text).toBe(201);
  return res.json as { id: string; code: string; offeredTo: number };
}

/** The PaymentIntent a Checkout Session was paid with, in the Stripe stand-in. */
const intentOf = (sessionId: string) =>
  app.stripe.paymentIntents.get(app.stripe.sessions.get(sessionId)!.payment_intent as string)!;

/** Stripe's `charge.succeeded` of a payment (the stand-in made it), delivered to the webhook. */
async function deliverReceipt(sessionOrIntent: string) {
  const pi = sessionOrIntent.startsWith('pi_') ? sessionOrIntent : intentOf(sessionOrIntent).id;
  const event = app.stripe.events.find(
    (e) =>
      e.type === 'charge.succeeded' && (e.data.object as { payment_intent?: string }).payment_intent === pi,
  )!;
  expect(event, `no charge.succeeded for ${pi}`).toBeDefined();
  const res = await deliverEvent(app, event);
  expect(res.json.outcome, res.text).toBe('receipt_recorded');
}

/** `buyByLink`, with the payment's `charge.succeeded` delivered before its completion when asked. */
async function buyByLink(phone: string, code: string, opts: { receiptFirst?: boolean } = {}) {
  if (!opts.receiptFirst) return buyByLinkThen(app, phone, code);
  const before = app.textmagic.sent.length;
  await api.reply(phone, `YES ${code}`);
  const pay = await api.openPayLink(linkToken(app.textmagic.sent.slice(before).at(-1)!.text));
  const session = [...app.stripe.sessions.values()].find((s) => s.url === pay.headers.location)!;
  const completed = app.stripe.completeSession(session.id);
  await deliverReceipt(session.id);
  expect((await deliverEvent(app, completed)).json.outcome).toBe('unlocked');
  return session.id;
}

/** The text of the last SMS `phone` got since `since`. */
const lastSms = (phone: string, since: number) => smsSentTo(app, phone, since).at(-1)?.text ?? '';

describe('Settings: GET and PATCH /portal/api/account', () => {
  it("shows the provider's own settings, the weekly cap as money, and the operator's limits", async () => {
    const p = await signedIn({ weeklySpendCapCents: 13700, dailyLeadCap: 4, autoPay: false, language: 'es' });
    const res = await portal(p.cookie, 'GET', '/portal/api/account');
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({
      name: 'Pat Plumber',
      phone: p.phone,
      categories: ['plumbing'],
      zipCodes: [p.zip],
      language: 'es',
      timeZone: null,
      teaserHours: null,
      weeklySpendCap: { cents: 13700, currency: 'usd' },
      dailyLeadCap: 4,
      autoPay: false,
      card: { saved: false },
      optedOut: false,
      limits: { weeklySpendCap: { cents: 50000, currency: 'usd' }, dailyLeadCap: 20 },
    });
    expect(res.json).not.toHaveProperty('id');
  });

  it('a weekly cap set in the portal (in dollars) is the one the admin API shows and the next YES is refused by', async () => {
    const p = await signedIn({ autoPay: false });
    const offered = await postLead(p.zip);
    expect(offered.offeredTo).toBe(1);
    const res = await portal(p.cookie, 'PATCH', '/portal/api/account', { weeklySpendCap: 10.5 });
    expect(res.status, res.text).toBe(200);
    expect(res.json.weeklySpendCap).toEqual({ cents: 1050, currency: 'usd' });
    expect((await api.getProvider(p.id)).json.provider.weeklySpendCapCents).toBe(1050);

    const before = app.textmagic.sent.length;
    await api.reply(p.phone, `YES ${offered.code}`);
    expect(lastSms(p.phone, before)).toMatch(/over your weekly spending cap/);
    expect(app.stripe.sessions.size).toBe(0);

    // Raised again in the portal: the same YES now gets its pay link.
    expect(
      (await portal(p.cookie, 'PATCH', '/portal/api/account', { weeklySpendCap: 137 })).json.weeklySpendCap,
    ).toEqual({ cents: 13700, currency: 'usd' });
    const after = app.textmagic.sent.length;
    await api.reply(p.phone, `YES ${offered.code}`);
    expect(lastSms(p.phone, after)).toMatch(/\/p\//);
  });

  it('a daily lead cap of 0, teaser hours, zone, language and auto-pay: each as the admin API would set it, the cap refusing the next YES in Spanish', async () => {
    const p = await signedIn({ autoPay: false });
    const offered = await postLead(p.zip);
    const res = await portal(p.cookie, 'PATCH', '/portal/api/account', {
      dailyLeadCap: 0,
      teaserHours: '07:30-19:00',
      timeZone: 'europe/berlin',
      language: 'es',
      autoPay: true,
    });
    expect(res.status, res.text).toBe(200);
    const admin = (await api.getProvider(p.id)).json.provider;
    expect(admin).toMatchObject({
      dailyLeadCap: 0,
      teaserHours: '07:30-19:00',
      timeZone: 'Europe/Berlin',
      language: 'es',
      autoPay: true,
    });
    const before = app.textmagic.sent.length;
    await api.reply(p.phone, `YES ${offered.code}`);
    expect(lastSms(p.phone, before)).toMatch(/tope diario/);
  });

  it('bad input is a 400 naming each field, and changes nothing', async () => {
    const p = await signedIn({ weeklySpendCapCents: 5000, dailyLeadCap: 2 });
    const before = (await portal(p.cookie, 'GET', '/portal/api/account')).json;
    const cases: Array<[unknown, string, string?]> = [
      [{ weeklySpendCap: 501 }, 'weeklySpendCap', "operator's limit"],
      [{ weeklySpendCap: null }, 'weeklySpendCap', 'no cap is not allowed'],
      [{ weeklySpendCap: 12.345 }, 'weeklySpendCap', 'decimals'],
      [{ weeklySpendCap: '137' }, 'weeklySpendCap'],
      [{ weeklySpendCap: -1 }, 'weeklySpendCap'],
      [{ dailyLeadCap: 21 }, 'dailyLeadCap', "operator's limit"],
      [{ dailyLeadCap: 1.5 }, 'dailyLeadCap'],
      [{ teaserHours: '9 to 5' }, 'teaserHours'],
      [{ timeZone: 'Mars/Olympus' }, 'timeZone'],
      [{ language: 'xx' }, 'language'],
      [{ autoPay: 'yes' }, 'autoPay'],
      [{ categories: ['movers'] }, 'categories', 'not a known field'],
      [{ weeklySpendCapCents: 1 }, 'weeklySpendCapCents', 'not a known field'],
      [{}, '(body)', 'at least one'],
    ];
    for (const [body, field, message] of cases) {
      const res = await writesNothing(app, () => portal(p.cookie, 'PATCH', '/portal/api/account', body));
      expect(res.status, JSON.stringify(body)).toBe(400);
      const detail = (res.json.error.details as Array<{ field: string; message: string }>).find(
        (d) => d.field === field,
      );
      expect(detail, `${JSON.stringify(body)}: ${res.text}`).toBeDefined();
      if (message) expect(detail!.message).toContain(message);
    }
    expect((await portal(p.cookie, 'GET', '/portal/api/account')).json).toEqual(before);
  });

  it('without a session, or from another origin, nothing is read or changed', async () => {
    const p = await signedIn();
    expect((await portal('', 'GET', '/portal/api/account')).status).toBe(401);
    const foreign = await invoke(portalAccount, {
      method: 'PATCH',
      path: '/portal/api/account',
      headers: { cookie: p.cookie, origin: 'https://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify({ dailyLeadCap: 1 }),
    });
    expect(foreign.status).toBe(403);
    expect((await api.getProvider(p.id)).json.provider.dailyLeadCap).toBeNull();
  });
});

describe('STOP: POST /portal/api/stop', () => {
  it('opts out as an SMS STOP does: the consent record, one confirmation, no more teasers, the cookie dead', async () => {
    const p = await signedIn();
    const other = await portalCookieFor(p.id); // a second device
    const before = app.textmagic.sent.length;
    const res = await portal(p.cookie, 'POST', '/portal/api/stop');
    expect(res.status, res.text).toBe(200);
    expect(res.json).toEqual({ optedOut: true });
    expect(res.headers['set-cookie']).toMatch(/^lu_portal=; Max-Age=0;.*Path=\/portal/);
    const sent = smsSentTo(app, p.phone, before);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.text).toMatch(/unsubscribed.*Reply START/);

    const admin = (await api.getProvider(p.id)).json.provider;
    expect(admin.optedOut).toBe(true);
    expect(admin.consent.optOutText).toBe('STOP (portal)');
    expect(Date.parse(admin.consent.optedOutAt)).toBeGreaterThan(Date.now() - 60_000);

    // Neither this session nor another of theirs opens anything any more.
    expect((await portal(p.cookie, 'GET', '/portal/api/account')).status).toBe(401);
    expect((await portal(other, 'GET', '/portal/api/account')).status).toBe(401);
    // And no teaser for the next lead in their area.
    const next = await postLead(p.zip);
    expect(next.offeredTo).toBe(0);
    expect(smsSentTo(app, p.phone, before)).toHaveLength(1);

    // START stays SMS-only, and brings them back (but not the old sessions).
    await api.reply(p.phone, 'START');
    expect((await api.getProvider(p.id)).json.provider.optedOut).toBe(false);
    expect((await portal(p.cookie, 'GET', '/portal/api/account')).status).toBe(401);
  });

  it('needs our own Origin: from elsewhere it is a 403 and they stay opted in', async () => {
    const p = await signedIn();
    const res = await writesNothing(app, () =>
      invoke(portalAccount, { method: 'POST', path: '/portal/api/stop', headers: { cookie: p.cookie } }),
    );
    expect(res.status).toBe(403);
    expect((await portal(p.cookie, 'GET', '/portal/api/account')).json.optedOut).toBe(false);
  });
});

describe('Spending: GET /portal/api/spending', () => {
  it("shows this week's spend net of refunds and today's leads against the caps, each payment and refund with Stripe's receipt", async () => {
    const p = await signedIn({ autoPay: false, weeklySpendCapCents: 10_000, dailyLeadCap: 5 });
    const first = await postLead(p.zip);
    const firstSession = await buyByLink(p.phone, first.code);
    await deliverReceipt(firstSession);
    const second = await postLead(p.zip);
    // Stripe does not order events: this receipt comes before the payment's completion.
    const secondSession = await buyByLink(p.phone, second.code, { receiptFirst: true });
    // The second is refunded from Stripe's dashboard: `charge.refunded` carries its Charge.
    const pi = app.stripe.paymentIntents.get(
      app.stripe.sessions.get(secondSession)!.payment_intent as string,
    )!;
    const refunded = await deliverEvent(
      app,
      app.stripe.event('charge.refunded', {
        id: pi.charge,
        object: 'charge',
        payment_intent: pi.id,
        refunded: true,
        amount_refunded: pi.amount,
        receipt_url: `${app.stripe.url}/receipts/payment/${pi.charge}`,
      }),
    );
    expect(refunded.status).toBe(200);

    const res = await portal(p.cookie, 'GET', '/portal/api/spending');
    expect(res.status, res.text).toBe(200);
    const usd = (cents: number) => ({ cents, currency: 'usd' });
    expect(res.json).toMatchObject({
      timeZone: 'America/Chicago',
      week: { spent: usd(1500), cap: usd(10_000), atCap: false },
      today: { leads: 1, cap: 5, atCap: false },
      nextCursor: null,
    });
    const receipt = (sessionId: string) => {
      const intent = app.stripe.paymentIntents.get(
        app.stripe.sessions.get(sessionId)!.payment_intent as string,
      )!;
      return `${app.stripe.url}/receipts/payment/${intent.charge}`;
    };
    expect(res.json.entries).toEqual([
      {
        type: 'refund',
        amount: usd(1500),
        at: expect.any(String),
        leadCode: second.code,
        paidWith: 'checkout',
        receiptUrl: receipt(secondSession),
      },
      {
        type: 'payment',
        amount: usd(1500),
        at: expect.any(String),
        leadCode: second.code,
        paidWith: 'checkout',
        receiptUrl: receipt(secondSession),
      },
      {
        type: 'payment',
        amount: usd(1500),
        at: expect.any(String),
        leadCode: first.code,
        paidWith: 'checkout',
        receiptUrl: receipt(firstSession),
      },
    ]);
    // A page at a time: every entry once, in the same order.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Reply = await portal(p.cookie, 'GET', '/portal/api/spending', undefined, {
        limit: '1',
        ...(cursor && { cursor }),
      });
      expect(page.status, page.text).toBe(200);
      seen.push(
        ...page.json.entries.map((e: { type: string; leadCode: string }) => `${e.type} ${e.leadCode}`),
      );
      cursor = page.json.nextCursor;
    } while (cursor);
    expect(seen).toEqual(
      res.json.entries.map((e: { type: string; leadCode: string }) => `${e.type} ${e.leadCode}`),
    );
  });

  it('a bad cursor or limit is a 400 naming it', async () => {
    const p = await signedIn();
    for (const [query, field] of [
      [{ cursor: 'nope' }, 'cursor'],
      [{ limit: '0' }, 'limit'],
      [{ limit: '101' }, 'limit'],
    ] as const) {
      const res = await portal(p.cookie, 'GET', '/portal/api/spending', undefined, query);
      expect(res.status).toBe(400);
      expect(res.json.error.details.map((d: { field: string }) => d.field)).toContain(field);
    }
  });
});

/** The provider's row as stored (their Customer and saved card). */
async function stored(id: string) {
  const [row] = await app.db.query<{
    stripe_customer_id: string | null;
    saved_payment_method_id: string | null;
  }>('select stripe_customer_id, saved_payment_method_id from providers where id = $1', [id]);
  return row!;
}

/** A provider signed in whose first purchase, by link, saved a card (auto-pay on). */
async function withSavedCard() {
  const p = await signedIn();
  const first = await postLead(p.zip);
  await buyByLink(p.phone, first.code);
  const row = await stored(p.id);
  expect(row.saved_payment_method_id).toMatch(/^pm_/);
  return { ...p, customer: row.stripe_customer_id!, card: row.saved_payment_method_id! };
}

/** POST /portal/api/card, then the provider saves a card on Stripe's page: the webhook's answer. */
async function replaceCard(cookie: string) {
  const res = await portal(cookie, 'POST', '/portal/api/card');
  expect(res.status, res.text).toBe(200);
  const session = [...app.stripe.sessions.values()].find((s) => s.url === res.json.url)!;
  expect(session).toBeDefined();
  const completed = await deliverEvent(app, app.stripe.completeSession(session.id));
  expect(completed.json.outcome, completed.text).toBe('card_setup');
  return session;
}

describe('the saved card: POST /portal/api/card and /portal/api/card/remove', () => {
  it('a card replaced through setup-mode Checkout is the one charged on the next YES, the old one detached', async () => {
    const p = await withSavedCard();
    const session = await replaceCard(p.cookie);
    expect(session).toMatchObject({
      mode: 'setup',
      customer: p.customer,
      currency: 'usd',
      success_url: `${PUBLIC_BASE_URL}/portal/settings?card=saved`,
      cancel_url: `${PUBLIC_BASE_URL}/portal/settings?card=cancelled`,
    });
    const row = await stored(p.id);
    expect(row.saved_payment_method_id).toMatch(/^pm_/);
    expect(row.saved_payment_method_id).not.toBe(p.card);
    expect(app.stripe.paymentMethods.get(row.saved_payment_method_id!)!.customer).toBe(p.customer);
    expect(app.stripe.paymentMethods.get(p.card)!.customer).toBeNull(); // detached at Stripe
    expect((await portal(p.cookie, 'GET', '/portal/api/account')).json.card).toEqual({ saved: true });

    const next = await postLead(p.zip);
    const before = app.textmagic.sent.length;
    await api.reply(p.phone, `YES ${next.code}`);
    expect(smsSentTo(app, p.phone, before)[0]!.text).toMatch(/charging .* to your saved card/);
    const charge = [...app.stripe.paymentIntents.values()].find((pi) => pi.metadata.leadId === next.id)!;
    expect(charge.payment_method).toBe(row.saved_payment_method_id);
    // Paid off-session: Spending shows it with its receipt, from Stripe's charge.succeeded.
    await deliverReceipt(charge.id);
    const succeeded = app.stripe.events.find(
      (e) => e.type === 'payment_intent.succeeded' && (e.data.object as { id: string }).id === charge.id,
    )!;
    expect((await deliverEvent(app, succeeded)).json.outcome).toBe('unlocked');
    const [latest] = (await portal(p.cookie, 'GET', '/portal/api/spending')).json.entries;
    expect(latest).toMatchObject({
      type: 'payment',
      leadCode: next.code,
      paidWith: 'saved_card',
      receiptUrl: `${app.stripe.url}/receipts/payment/${charge.charge}`,
    });
  });

  it('a provider with no Customer yet gets one, made as the pay path makes it', async () => {
    const p = await signedIn();
    expect((await stored(p.id)).stripe_customer_id).toBeNull();
    await replaceCard(p.cookie);
    const row = await stored(p.id);
    expect(app.stripe.customers.get(row.stripe_customer_id!)!.metadata).toEqual({ providerId: p.id });
    expect(app.stripe.paymentMethods.get(row.saved_payment_method_id!)!.customer).toBe(
      row.stripe_customer_id,
    );
  });

  it('removal detaches the card at Stripe and the next YES gets a pay link', async () => {
    const p = await withSavedCard();
    const res = await portal(p.cookie, 'POST', '/portal/api/card/remove');
    expect(res.status, res.text).toBe(200);
    expect(res.json).toEqual({ card: { saved: false } });
    expect(app.stripe.paymentMethods.get(p.card)!.customer).toBeNull();
    expect((await stored(p.id)).saved_payment_method_id).toBeNull();
    expect((await portal(p.cookie, 'GET', '/portal/api/account')).json).toMatchObject({
      card: { saved: false },
      autoPay: true,
    });
    const next = await postLead(p.zip);
    const before = app.textmagic.sent.length;
    await api.reply(p.phone, `YES ${next.code}`);
    expect(lastSms(p.phone, before)).toMatch(/\/p\//);
    // Again: nothing saved, nothing asked of Stripe.
    const detaches = () => app.stripe.requests.filter((r) => r.path.endsWith('/detach')).length;
    const count = detaches();
    expect((await portal(p.cookie, 'POST', '/portal/api/card/remove')).status).toBe(200);
    expect(detaches()).toBe(count);
  });

  it('when Stripe is down the card stays and the answer is a 503', async () => {
    const p = await withSavedCard();
    app.stripe.fail(2, 503);
    const res = await portal(p.cookie, 'POST', '/portal/api/card/remove');
    app.stripe.heal();
    expect(res.status).toBe(503);
    expect(res.json.error.code).toBe('payments_unavailable');
    expect((await stored(p.id)).saved_payment_method_id).toBe(p.card);
  });

  it("the Stripe stand-in holds setup mode and detach to Stripe's rules", async () => {
    const stripe = new Stripe(app.stripe.secretKey, {
      host: '127.0.0.1',
      port: app.stripe.port,
      protocol: 'http',
      maxNetworkRetries: 0,
    });
    const base = { mode: 'setup' as const, success_url: `${PUBLIC_BASE_URL}/portal/settings` };
    await expect(stripe.checkout.sessions.create(base)).rejects.toMatchObject({
      message: 'Missing required param: currency.',
    });
    await expect(
      stripe.checkout.sessions.create({
        ...base,
        currency: 'usd',
        line_items: [
          { quantity: 1, price_data: { currency: 'usd', unit_amount: 100, product_data: { name: 'x' } } },
        ],
      }),
    ).rejects.toMatchObject({
      message: 'You can not pass `line_items` in `setup` mode.',
      param: 'line_items',
    });
    const ok = await stripe.checkout.sessions.create({ ...base, currency: 'usd' });
    expect(ok).toMatchObject({ mode: 'setup', payment_status: 'no_payment_required', amount_total: null });

    const p = await withSavedCard();
    await stripe.paymentMethods.detach(p.card);
    await expect(stripe.paymentMethods.detach(p.card)).rejects.toMatchObject({
      message: 'The payment method you provided is not attached to a customer so detachment is impossible.',
    });
  });
});

describe('How they compare: GET /portal/api/compare', () => {
  /** Offer of `providerId` for lead `leadId` answered `seconds` after its teaser. */
  const replyAfter = (providerId: string, leadId: string, seconds: number) =>
    app.db.query(
      `update offers set teaser_at = accepted_at - make_interval(secs => $3) where provider_id = $1 and lead_id = $2`,
      [providerId, leadId, seconds],
    );

  it("their response rate and median reply time beside their peers' medians, never a peer's own", async () => {
    const me = await signedIn({ autoPay: false });
    const names = ['Peer One', 'Peer Two', 'Peer Three'];
    const peers = [];
    for (const name of names) peers.push(await api.addProvider({ name, zipCodes: [me.zip], autoPay: false }));
    // Elsewhere: the same trade in another area, answering everything at once; not a peer.
    const outsider = await api.addProvider({ name: 'Far Away', zipCodes: [uniqueZip()], autoPay: false });
    const leads = [await postLead(me.zip), await postLead(me.zip)];
    const far = await postLead((await api.getProvider(outsider.id)).json.provider.zipCodes[0]);
    await api.reply(outsider.phone, `YES ${far.code}`);

    // Me: YES to both, after 10 and 20 minutes. Peer One: both (2 and 4 minutes); Peer Two: one
    // (5 minutes); Peer Three: none.
    for (const [i, l] of leads.entries()) {
      await api.reply(me.phone, `YES ${l.code}`);
      await replyAfter(me.id, l.id, 600 * (i + 1));
      await api.reply(peers[0]!.phone, `YES ${l.code}`);
      await replyAfter(peers[0]!.id, l.id, 120 * (i + 1));
    }
    await api.reply(peers[1]!.phone, `YES ${leads[0]!.code}`);
    await replyAfter(peers[1]!.id, leads[0]!.id, 300);

    const res = await portal(me.cookie, 'GET', '/portal/api/compare');
    expect(res.status, res.text).toBe(200);
    expect(res.json).toEqual({
      days: 30,
      you: { offersReceived: 2, answered: 2, responseRate: 1, medianReplySeconds: 900 },
      // Rates 1, 0.5, 0: median 0.5. Reply medians 180 (Peer One) and 300 (Peer Two): 240.
      peers: { responseRate: 0.5, medianReplySeconds: 240 },
    });
    for (const p of [...peers, outsider]) expect(res.text).not.toContain(p.id);
    for (const name of [...names, 'Far Away']) expect(res.text).not.toContain(name);
  });

  it('with fewer than three peers, no peer figure; with no offer, no rate', async () => {
    const me = await signedIn();
    await api.addProvider({ zipCodes: [me.zip] });
    const res = await portal(me.cookie, 'GET', '/portal/api/compare');
    expect(res.json).toEqual({
      days: 30,
      you: { offersReceived: 0, answered: 0, responseRate: null, medianReplySeconds: null },
      peers: null,
    });
  });
});

describe("one provider's session never reaches another's data", () => {
  it("B sees and changes only B: A's settings, spending (even through A's cursor), card and opt-in stay A's", async () => {
    const a = await withSavedCard();
    const second = await postLead(a.zip);
    await api.patchProvider(a.id, { autoPay: false });
    await buyByLink(a.phone, second.code);
    await api.patchProvider(a.id, { autoPay: true, weeklySpendCapCents: 20_000 });
    const b = await signedIn();
    const aBefore = (await portal(a.cookie, 'GET', '/portal/api/account')).json;
    const aSpending = (await portal(a.cookie, 'GET', '/portal/api/spending', undefined, { limit: '1' })).json;
    expect(aSpending.nextCursor).not.toBeNull();

    const mine = await portal(b.cookie, 'GET', '/portal/api/account');
    expect(mine.json.phone).toBe(b.phone);
    expect(mine.text).not.toContain(a.phone);
    const spending = await portal(b.cookie, 'GET', '/portal/api/spending', undefined, {
      cursor: aSpending.nextCursor,
    });
    expect(spending.status).toBe(200);
    expect(spending.json.entries).toEqual([]);
    expect(spending.json.week.spent.cents).toBe(0);
    for (const code of [second.code]) expect(spending.text).not.toContain(code);
    expect((await portal(b.cookie, 'GET', '/portal/api/compare')).json.you.offersReceived).toBe(0);

    expect((await portal(b.cookie, 'PATCH', '/portal/api/account', { dailyLeadCap: 1 })).status).toBe(200);
    expect((await portal(b.cookie, 'POST', '/portal/api/card/remove')).status).toBe(200);
    expect((await portal(b.cookie, 'POST', '/portal/api/stop')).status).toBe(200);
    expect((await portal(a.cookie, 'GET', '/portal/api/account')).json).toEqual(aBefore);
    expect(app.stripe.paymentMethods.get(a.card)!.customer).toBe(a.customer);
  });
});
