/**
 * `GET /providers/{id}`: a provider's page, what they received, answered, bought and spent, and
 * `GET /leads/{id}`'s timeline, driven through the public routes and the fakes.
 */
import { describe, expect, it } from 'vitest';
import { handler as providers } from '../../functions/providers';
import { KEYS, tmDigits, useApp } from '../support/app';
import { invoke, type Reply } from '../../emulators/events';
import { api, lead } from '../support/flow';
import { deliverEvent, uniqueZip, buyByLink } from '../support/market';
import { writesNothing } from '../support/writes';

const app = useApp();
const admin = { authorization: `Bearer ${KEYS.admin}` };
const UNKNOWN_UUID = '00000000-0000-4000-8000-000000000000';

const getProvider = (id: string, headers: Record<string, string> = admin) =>
  invoke(providers, { method: 'GET', path: `/providers/${id}`, pathParams: { id }, headers });

function expectError(res: Reply, status: number, code: string) {
  expect(res.status, res.text).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(res.json.error).toMatchObject({ code, message: expect.any(String) });
}

/** `phone` buys lead `code` by link (`buyByLink`); the Checkout Session's id. */
const buy = (phone: string, code: string) => buyByLink(app, phone, code);

/** A refund made from Stripe's dashboard, as Stripe reports it. */
async function refundFromDashboard(sessionId: string) {
  const intent = app.stripe.sessions.get(sessionId)!.payment_intent as string;
  const res = await deliverEvent(
    app,
    app.stripe.event('charge.refunded', {
      id: `ch_${intent}`,
      object: 'charge',
      payment_intent: intent,
      refunded: true,
      amount_refunded: 1500,
    }),
  );
  expect(res.status).toBe(200);
}

describe('GET /providers/{id}', () => {
  it('teasers received, YES replies, purchases, spend net of refunds, response rate, reply time, newest purchases', async () => {
    const zip = uniqueZip();
    const pat = await api.addProvider({ name: 'Pat Plumber', zipCodes: [zip] });
    // Every purchase here goes through the pay link: the card the first one saves is not charged.
    await app.db.query('update providers set auto_pay = false where id = $1', [pat.id]);
    const leads = [];
    for (const price of [1500, 2500, 1500]) {
      const created = await api.postLead(lead({ zipCode: zip, priceCents: price }));
      expect(created.status).toBe(201);
      leads.push(created.json as { id: string; code: string });
    }
    // Bought the first, bought and was refunded the second, never answered the third.
    await buy(pat.phone, leads[0]!.code);
    const refunded = await buy(pat.phone, leads[1]!.code);
    await refundFromDashboard(refunded);

    const res = await getProvider(pat.id);
    expect(res.status, res.text).toBe(200);
    expect(Object.keys(res.json).sort()).toEqual(['budget', 'provider', 'purchases', 'stats', 'teaserHours']);
    // No caps: this week's spend and today's purchases net of the refund, in DEFAULT_TIME_ZONE.
    expect(res.json.budget).toMatchObject({
      weeklySpendCapCents: null,
      dailyLeadCap: null,
      timeZone: 'America/Chicago',
      weekSpentCents: 1500,
      todayPurchases: 1,
      atCap: false,
    });
    // The provider as the list shows it.
    const list = await invoke(providers, { method: 'GET', path: '/providers', headers: admin });
    expect(res.json.provider).toEqual(list.json.providers.find((p: { id: string }) => p.id === pat.id));
    expect(res.json.stats).toEqual({
      teasersReceived: 3,
      yesReplies: 2,
      purchases: 2,
      spend: { usd: 1500 },
      refunds: 1,
      responseRate: 2 / 3,
      medianReplySeconds: expect.any(Number),
      lastActivityAt: expect.any(String),
    });
    expect(res.json.stats.medianReplySeconds).toBeGreaterThanOrEqual(0);
    expect(new Date(res.json.stats.lastActivityAt).toISOString()).toBe(res.json.stats.lastActivityAt);
    expect(res.json.purchases).toEqual([
      {
        unlockId: expect.any(String),
        leadId: leads[1]!.id,
        code: leads[1]!.code,
        category: 'plumbing',
        zipCode: zip,
        amountCents: 2500,
        currency: 'usd',
        refunded: true,
        createdAt: expect.any(String),
      },
      expect.objectContaining({ leadId: leads[0]!.id, amountCents: 1500, refunded: false }),
    ]);
    // Nothing of the clients' own details on the provider's page.
    expect(res.text).not.toContain('Jane Client');
  });

  it('a provider with nothing yet: zeros, no spend, no rate, no reply time, no activity', async () => {
    const quiet = await api.addProvider({ zipCodes: [uniqueZip()] });
    const res = await getProvider(quiet.id);
    expect(res.status, res.text).toBe(200);
    expect(res.json.stats).toEqual({
      teasersReceived: 0,
      yesReplies: 0,
      purchases: 0,
      spend: {},
      refunds: 0,
      responseRate: null,
      medianReplySeconds: null,
      lastActivityAt: null,
    });
    expect(res.json.purchases).toEqual([]);
  });

  it('a teaser that never went out is not received; a provider who opted out shows it', async () => {
    const zip = uniqueZip();
    const sam = await api.addProvider({ zipCodes: [zip] });
    app.textmagic.fail(1, 400);
    expect((await api.postLead(lead({ zipCode: zip }))).status).toBe(201);
    await api.reply(sam.phone, 'STOP');
    const res = await getProvider(sam.id);
    expect(res.json.provider.optedOut).toBe(true);
    expect(res.json.stats).toMatchObject({ teasersReceived: 0, yesReplies: 0, responseRate: null });
    // The offer and the STOP are activity.
    expect(res.json.stats.lastActivityAt).toEqual(expect.any(String));
  });

  it('404 for an unknown or malformed id; 401 and 403 without the right key; nothing written', async () => {
    for (const id of [UNKNOWN_UUID, 'nope', '1', `${UNKNOWN_UUID}x`]) {
      expectError(await writesNothing(app, () => getProvider(id)), 404, 'not_found');
    }
    const p = await api.addProvider({ zipCodes: [uniqueZip()] });
    expectError(await getProvider(p.id, {}), 401, 'unauthorized');
    expectError(await getProvider(p.id, { authorization: `Bearer ${KEYS.lead}` }), 403, 'forbidden');
  });
});

describe("GET /leads/{id}: the lead's timeline", () => {
  type Event = {
    at: string;
    kind: string;
    providerId: string | null;
    providerName: string | null;
    smsId?: number;
    detail?: Record<string, unknown>;
  };

  it('every event in time order: created, teasers per provider with delivery, reply text, link, checkout, paid, SMS, full', async () => {
    const zip = uniqueZip();
    const pat = await api.addProvider({ name: 'Pat Plumber', zipCodes: [zip] });
    const sam = await api.addProvider({ name: 'Sam Pipes', zipCodes: [zip] });
    const before = app.textmagic.sent.length;
    const created = await api.postLead(lead({ zipCode: zip, maxUnlocks: 1 }));
    const teaser = app.textmagic.sent[before]!;
    const samIndex = teaser.phones.indexOf(tmDigits(sam.phone));
    await api.deliveryReport({
      id: teaser.messageIds[samIndex]!,
      sessionId: teaser.sessionId,
      status: 'd',
      receiver: tmDigits(sam.phone),
    });
    await buy(pat.phone, created.json.code);

    const res = await api.getLead(created.json.id);
    expect(res.status, res.text).toBe(200);
    const timeline: Event[] = res.json.timeline;
    expect([...timeline].sort((a, b) => a.at.localeCompare(b.at))).toEqual(timeline);
    const kinds = timeline.map((e) => e.kind);
    expect(kinds[0]).toBe('created');
    const teasers = timeline.filter((e) => e.kind === 'teaser');
    expect(teasers).toHaveLength(2);
    const teaserPat = teasers.find((e) => e.providerId === pat.id);
    const teaserSam = teasers.find((e) => e.providerId === sam.id);
    expect(teaserPat).toMatchObject({
      providerId: pat.id,
      providerName: 'Pat Plumber',
      detail: { status: 'sent', delivery: null, needsAttention: false },
    });
    expect(teaserSam).toMatchObject({ providerId: sam.id, detail: { status: 'sent', delivery: 'd' } });
    expect(teaserPat!.smsId).toBe(teaserSam!.smsId);

    const reply = timeline.find((e) => e.kind === 'reply')!;
    expect(reply).toMatchObject({
      providerId: pat.id,
      providerName: 'Pat Plumber',
      detail: { text: `YES ${created.json.code}`, outcome: 'yes' },
    });
    for (const kind of ['link_opened', 'checkout_created', 'paid']) {
      expect(
        timeline.find((e) => e.kind === kind),
        kind,
      ).toMatchObject({ providerId: pat.id });
    }
    expect(timeline.find((e) => e.kind === 'paid')!.detail).toMatchObject({
      amountCents: 1500,
      currency: 'usd',
      unlockId: res.json.unlocks[0].id,
    });
    const sms = timeline.filter((e) => e.kind === 'sms').map((e) => e.detail!.smsKind);
    expect(sms).toEqual(expect.arrayContaining(['pay_link', 'details']));
    expect(timeline.filter((e) => e.kind === 'full')).toEqual([
      { at: timeline.find((e) => e.kind === 'paid')!.at, kind: 'full', providerId: null, providerName: null },
    ]);
    // In the order they happened.
    const order = ['created', 'teaser', 'reply', 'link_opened', 'checkout_created', 'paid'].map((k) =>
      kinds.indexOf(k),
    );
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(kinds.indexOf('full')).toBeGreaterThanOrEqual(kinds.indexOf('paid'));
    // No SMS body in the timeline: the details SMS carries the client's phone and description.
    const text = JSON.stringify(timeline);
    expect(text).not.toContain(res.json.phone);
    expect(text).not.toContain(res.json.description);
    // The other fields as they were.
    expect(res.json.smsNeedingAttention).toBe(0);
    expect(res.json.offers).toHaveLength(2);
  });

  it('a dashboard refund and an expired lead', async () => {
    const zip = uniqueZip();
    const pat = await api.addProvider({ zipCodes: [zip] });
    const created = await api.postLead(lead({ zipCode: zip }));
    const session = await buy(pat.phone, created.json.code);
    await refundFromDashboard(session);
    await app.db.query(`update leads set expires_at = now() - interval '1 minute' where id = $1`, [
      created.json.id,
    ]);
    const res = await api.getLead(created.json.id);
    expect(res.json.status).toBe('expired');
    const timeline: Event[] = res.json.timeline;
    expect(timeline.find((e) => e.kind === 'refunded')).toMatchObject({
      providerId: pat.id,
      detail: { pastCap: false, amountCents: 1500, currency: 'usd' },
    });
    expect(timeline.filter((e) => e.kind === 'expired')).toEqual([
      { at: res.json.expiresAt, kind: 'expired', providerId: null, providerName: null },
    ]);
    expect(timeline.some((e) => e.kind === 'full')).toBe(false);
  });
});

describe('GET /providers/{id}/sms', () => {
  const thread = (id: string, query: Record<string, string> = {}, headers: Record<string, string> = admin) =>
    invoke(providers, {
      method: 'GET',
      path: `/providers/${id}/sms`,
      pathParams: { id },
      query,
      headers,
    });
  type Message = {
    direction: 'in' | 'out';
    id: string;
    at: string;
    text: string;
    leadId: string | null;
    kind?: string;
    status?: string;
    outcome?: string;
  };

  it('what was written to their phone and what they replied, as stored, newest first; nobody else’s', async () => {
    const zip = uniqueZip();
    const pat = await api.addProvider({ name: 'Pat Plumber', zipCodes: [zip] });
    const sam = await api.addProvider({ name: 'Sam Pipes', zipCodes: [zip] });
    const created = await api.postLead(lead({ zipCode: zip }));
    expect(created.status, created.text).toBe(201);
    const code = created.json.code as string;
    expect((await api.reply(pat.phone, `YES ${code}`)).status).toBe(200);
    expect((await api.reply(sam.phone, 'HELP')).status).toBe(200);

    const res = await thread(pat.id);
    expect(res.status, res.text).toBe(200);
    const messages = res.json.messages as Message[];
    expect(messages.map((m) => [m.direction, m.kind ?? m.outcome])).toEqual([
      ['out', 'pay_link'],
      ['in', 'yes'],
      ['out', 'teaser'],
      // Their opt-in confirmation, first of all.
      ['out', 'opted_in'],
    ]);
    // Each text as it went to TextMagic, or as the provider typed it.
    const sent = app.textmagic.sent.filter((s) => s.phones.includes(tmDigits(pat.phone)));
    expect(messages.filter((m) => m.direction === 'out').map((m) => m.text)).toEqual(
      sent.map((s) => s.text).reverse(),
    );
    expect(messages[1]).toMatchObject({ text: `YES ${code}`, leadId: created.json.id });
    expect(messages[0]).toMatchObject({ status: 'sent', leadId: created.json.id });
    expect(res.json.nextCursor).toBeNull();
    // Sam: the same teaser, his HELP and its answer; nothing of Pat's.
    const his = (await thread(sam.id)).json.messages as Message[];
    expect(his.map((m) => [m.direction, m.kind ?? m.outcome])).toEqual([
      ['out', 'help'],
      ['in', 'help'],
      ['out', 'teaser'],
      ['out', 'opted_in'],
    ]);
    expect(his[2]!.id).toBe(messages[2]!.id);
    expect(his.some((m) => m.text === `YES ${code}` || m.kind === 'pay_link')).toBe(false);
  });

  it('a page at a time: cursor and limit; bad ones are 400, an unknown provider 404, no key 401', async () => {
    const zip = uniqueZip();
    const pat = await api.addProvider({ zipCodes: [zip] });
    for (const text of ['HELP', 'what?', 'hello'])
      expect((await api.reply(pat.phone, text)).status).toBe(200);
    const all = (await thread(pat.id)).json.messages as Message[];
    // Each reply; the help answer once a day; first of all, their opt-in confirmation.
    expect(all.map((m) => m.direction)).toEqual(['in', 'in', 'out', 'in', 'out']);
    const seen: Message[] = [];
    let cursor: string | null = null;
    do {
      const page = await thread(pat.id, { limit: '1', ...(cursor ? { cursor } : {}) });
      expect(page.status, page.text).toBe(200);
      expect(page.json.messages).toHaveLength(1);
      seen.push(...(page.json.messages as Message[]));
      cursor = page.json.nextCursor as string | null;
    } while (cursor);
    expect(seen).toEqual(all);

    const badQueries: Array<Record<string, string>> = [
      { limit: '0' },
      { limit: '101' },
      { cursor: 'nope' },
      { cursor: 'MTIzLmFiYw' },
    ];
    for (const query of badQueries) {
      const bad = await thread(pat.id, query);
      expectError(bad, 400, 'validation_failed');
    }
    expectError(await thread(UNKNOWN_UUID), 404, 'not_found');
    expectError(await thread('not-a-uuid'), 404, 'not_found');
    expectError(await thread(pat.id, {}, {}), 401, 'unauthorized');
  });
});
