import { beforeAll, describe, expect, it } from 'vitest';
import { handler as leadRoute } from '../../functions/lead';
import { handler as statsRoute } from '../../functions/stats';
import { KEYS, useApp } from '../support/app';
import { invoke, type Reply } from '../../emulators/events';
import { api, lead, linkToken } from '../support/flow';
import { deliverEvent, uniqueZip } from '../support/market';
import { writesNothing } from '../support/writes';

// The operator's reports: GET /stats (the funnel) and GET /leads (the list), over a small market
// built through the real routes, its leads then placed on known days.
const app = useApp();
const admin = { authorization: `Bearer ${KEYS.admin}` };

const getStats = (query: Record<string, string>, headers: Record<string, string> = admin) =>
  invoke(statsRoute, { method: 'GET', path: '/stats', query, headers });
const listLeads = (query: Record<string, string>, headers: Record<string, string> = admin) =>
  invoke(leadRoute, { method: 'GET', path: '/leads', query, headers });

const fieldsOf = (res: Reply): string[] =>
  [...new Set<string>(res.json?.error?.details?.map((d: { field: string }) => d.field) ?? [])].sort();

type Provider = { id: string; phone: string };
const PRICE = 1500;

/** YES to the lead's code; the pay link the provider got back. */
async function yes(p: Provider, code: string): Promise<string> {
  const before = app.textmagic.sent.length;
  const res = await api.reply(p.phone, `YES ${code}`);
  expect(res.status).toBe(200);
  return linkToken(app.textmagic.sent.slice(before).at(-1)!.text);
}
/** Opens the pay link; the Checkout Session it made. */
async function open(token: string): Promise<string> {
  const pay = await api.openPayLink(token);
  expect(pay.status).toBe(303);
  return [...app.stripe.sessions.values()].find((s) => s.url === pay.headers.location)!.id;
}
async function pay(sessionId: string): Promise<string> {
  const res = await deliverEvent(app, app.stripe.completeSession(sessionId));
  expect(res.json.outcome).toBe('unlocked');
  return app.stripe.sessions.get(sessionId)!.payment_intent as string;
}
async function refund(paymentIntent: string) {
  const res = await deliverEvent(
    app,
    app.stripe.event('charge.refunded', {
      id: `ch_${paymentIntent}`,
      object: 'charge',
      payment_intent: paymentIntent,
      refunded: true,
      amount_refunded: PRICE,
    }),
  );
  expect(res.json.outcome).toBe('refund_recorded');
}

const m: Record<string, { id: string; code: string }> = {};
const post = async (name: string, body: Record<string, unknown>, offeredTo: number) => {
  const res = await api.postLead(lead({ priceCents: PRICE, ...body }));
  expect(res.status, res.text).toBe(201);
  expect(res.json.offeredTo).toBe(offeredTo);
  m[name] = { id: res.json.id, code: res.json.code };
};
const setCreated = (name: string, at: string) =>
  app.db.query('update leads set created_at = $2 where id = $1', [m[name]!.id, at]);
/** Pins the teaser's send time and the unlocks' times: the median is then known exactly. */
const setTimes = async (name: string, teaserAt: string, paidAfterSeconds: number[]) => {
  await app.db.query(`update sms_messages set sent_at = $2 where lead_id = $1 and kind = 'teaser'`, [
    m[name]!.id,
    teaserAt,
  ]);
  const unlocks = await app.db.query<{ id: string }>(
    'select id from unlocks where lead_id = $1 order by created_at, id',
    [m[name]!.id],
  );
  for (const [i, u] of unlocks.entries()) {
    await app.db.query(
      `update unlocks set created_at = $2::timestamptz + $3 * interval '1 second' where id = $1`,
      [u.id, teaserAt, paidAfterSeconds[i]],
    );
  }
};

const zero = {
  leads: 0,
  teasersSent: 0,
  yesReplies: 0,
  linksOpened: 0,
  checkoutsCreated: 0,
  paidUnlocks: 0,
  savedCardUnlocks: 0,
  refunds: 0,
  conversion: {
    teaserToYes: null,
    yesToLinkOpened: null,
    linkToCheckout: null,
    checkoutToPaid: null,
    teaserToPaid: null,
  },
  medianTeaserToPaymentSeconds: null,
};
const usd = (gross: number, refunded: number) => ({
  usd: { grossCents: gross, refundedCents: refunded, netCents: gross - refunded },
});

beforeAll(async () => {
  const [plumbZip, elecZip] = [uniqueZip(), uniqueZip()];
  // A pays twice, by link both times (the card the first saves is not charged: auto-pay off).
  const a = await api.addProvider({ name: 'A', zipCodes: [plumbZip], autoPay: false });
  const b = await api.addProvider({ name: 'B', zipCodes: [plumbZip] });
  const c = await api.addProvider({ name: 'C', categories: ['electrical'], zipCodes: [elecZip] });

  // p1: two providers say YES and open their link; A pays, B does not.
  await post('p1', { zipCode: plumbZip, name: 'Bob Builder' }, 2);
  const p1a = await open(await yes(a, m.p1!.code));
  await open(await yes(b, m.p1!.code));
  await pay(p1a);
  // p2: A says YES, opens, pays and is refunded from the dashboard; B says YES only.
  await post('p2', { zipCode: plumbZip, name: 'Carla Stone' }, 2);
  const p2a = await open(await yes(a, m.p2!.code));
  await yes(b, m.p2!.code);
  await refund(await pay(p2a));
  // e1: offered to C, who never answers.
  await post('e1', { zipCode: elecZip, category: 'Electrical', name: 'Dan 100%_Sure' }, 1);
  // e2: C buys the only unlock: the lead is full.
  await post('e2', { zipCode: elecZip, category: 'Electrical', maxUnlocks: 1, name: 'Eve Volt' }, 1);
  await pay(await open(await yes(c, m.e2!.code)));
  // x1: nobody to offer it to, and expired.
  await post('x1', { zipCode: uniqueZip(), name: 'Fay Nobody' }, 0);
  await app.db.query(`update leads set expires_at = now() - interval '1 minute' where id = $1`, [m.x1!.id]);

  await setCreated('p1', '2026-03-10T09:00:00Z');
  await setCreated('p2', '2026-03-10T23:59:59.999999Z');
  await setCreated('e1', '2026-03-08T00:00:00Z');
  await setCreated('e2', '2026-03-09T12:00:00Z');
  await setCreated('x1', '2026-03-05T12:00:00Z');
  await setTimes('p1', '2026-03-10T09:00:05Z', [60]);
  await setTimes('p2', '2026-03-11T00:00:05Z', [600]);
  await setTimes('e2', '2026-03-09T12:00:05Z', [120]);
}, 60_000);

describe('GET /stats', () => {
  it('the funnel per day: every day of the range, zeros included, and the total', async () => {
    const res = await getStats({ from: '2026-03-07', to: '2026-03-11' });
    expect(res.status, res.text).toBe(200);
    expect(res.json.from).toBe('2026-03-07');
    expect(res.json.to).toBe('2026-03-11');
    expect(res.json.groupBy).toBe('day');
    expect(res.json.groups.map((g: { key: string }) => g.key)).toEqual([
      '2026-03-07',
      '2026-03-08',
      '2026-03-09',
      '2026-03-10',
      '2026-03-11',
    ]);
    const [d7, d8, d9, d10, d11] = res.json.groups.map((g: { funnel: unknown }) => g.funnel);
    expect(d7).toEqual({ ...zero, revenue: usd(0, 0) });
    expect(d11).toEqual({ ...zero, revenue: usd(0, 0) });
    expect(d8).toEqual({
      ...zero,
      leads: 1,
      teasersSent: 1,
      conversion: { ...zero.conversion, teaserToYes: 0, teaserToPaid: 0 },
      revenue: usd(0, 0),
    });
    expect(d9).toEqual({
      leads: 1,
      teasersSent: 1,
      yesReplies: 1,
      linksOpened: 1,
      checkoutsCreated: 1,
      paidUnlocks: 1,
      savedCardUnlocks: 0,
      refunds: 0,
      revenue: usd(PRICE, 0),
      conversion: {
        teaserToYes: 1,
        yesToLinkOpened: 1,
        linkToCheckout: 1,
        checkoutToPaid: 1,
        teaserToPaid: 1,
      },
      medianTeaserToPaymentSeconds: 120,
    });
    expect(d10).toEqual({
      leads: 2,
      teasersSent: 4,
      yesReplies: 4,
      linksOpened: 3,
      checkoutsCreated: 3,
      paidUnlocks: 2,
      savedCardUnlocks: 0,
      refunds: 1,
      revenue: usd(2 * PRICE, PRICE),
      conversion: {
        teaserToYes: 1,
        yesToLinkOpened: 0.75,
        linkToCheckout: 1,
        checkoutToPaid: 0.6667,
        teaserToPaid: 0.5,
      },
      medianTeaserToPaymentSeconds: 330,
    });
    expect(res.json.total).toEqual({
      leads: 4,
      teasersSent: 6,
      yesReplies: 5,
      linksOpened: 4,
      checkoutsCreated: 4,
      paidUnlocks: 3,
      savedCardUnlocks: 0,
      refunds: 1,
      revenue: usd(3 * PRICE, PRICE),
      conversion: {
        teaserToYes: 0.8333,
        yesToLinkOpened: 0.8,
        linkToCheckout: 1,
        checkoutToPaid: 0.75,
        teaserToPaid: 0.5,
      },
      medianTeaserToPaymentSeconds: 120,
    });
  });

  it('per category: the categories that had leads, each with its funnel', async () => {
    const res = await getStats({ from: '2026-03-01', to: '2026-03-11', groupBy: 'category' });
    expect(res.status, res.text).toBe(200);
    expect(res.json.groupBy).toBe('category');
    const groups = Object.fromEntries(
      res.json.groups.map((g: { key: string; funnel: unknown }) => [g.key, g.funnel]),
    );
    expect(Object.keys(groups)).toEqual(['electrical', 'plumbing']);
    expect(groups.electrical).toMatchObject({ leads: 2, teasersSent: 2, yesReplies: 1, paidUnlocks: 1 });
    expect(groups.electrical.revenue).toEqual(usd(PRICE, 0));
    // x1 (plumbing, on 03-05, offered to nobody) counts as a lead with no teaser.
    expect(groups.plumbing).toMatchObject({ leads: 3, teasersSent: 4, paidUnlocks: 2, refunds: 1 });
    expect(groups.plumbing.revenue).toEqual(usd(2 * PRICE, PRICE));
    expect(groups.plumbing.medianTeaserToPaymentSeconds).toBe(330);
    expect(res.json.total).toMatchObject({ leads: 5, teasersSent: 6, paidUnlocks: 3 });
  });

  it('per provider: each provider offered a lead of the range, by name, with their own funnel', async () => {
    const res = await getStats({ from: '2026-03-01', to: '2026-03-11', groupBy: 'provider' });
    expect(res.status, res.text).toBe(200);
    expect(res.json.groupBy).toBe('provider');
    type Group = { key: string; name: string; funnel: Record<string, unknown> };
    const groups: Group[] = res.json.groups;
    expect(groups.map((g) => g.name)).toEqual(['A', 'B', 'C']);
    const [a, b, c] = groups as [Group, Group, Group];
    expect(a.funnel).toMatchObject({
      leads: 2,
      teasersSent: 2,
      yesReplies: 2,
      linksOpened: 2,
      checkoutsCreated: 2,
      paidUnlocks: 2,
      refunds: 1,
      revenue: usd(2 * PRICE, PRICE),
      medianTeaserToPaymentSeconds: 330,
    });
    expect(a.funnel.conversion).toMatchObject({ teaserToYes: 1, teaserToPaid: 1 });
    expect(b.funnel).toMatchObject({
      leads: 2,
      yesReplies: 2,
      linksOpened: 1,
      paidUnlocks: 0,
      revenue: usd(0, 0),
    });
    expect(b.funnel.conversion).toMatchObject({ teaserToYes: 1, yesToLinkOpened: 0.5, teaserToPaid: 0 });
    expect(c.funnel).toMatchObject({ leads: 2, teasersSent: 2, yesReplies: 1, paidUnlocks: 1 });
    expect(c.funnel.medianTeaserToPaymentSeconds).toBe(120);
    // The total is the leads' own: x1, offered to nobody, counts there and under no provider.
    expect(res.json.total).toMatchObject({ leads: 5, teasersSent: 6, paidUnlocks: 3 });
  });

  it('counts a lead on the day it was created, whatever the day of its payment', async () => {
    // p2 was created on 03-10 at 23:59:59.999999 and paid on 03-11.
    const res = await getStats({ from: '2026-03-11', to: '2026-03-11' });
    expect(res.json.total).toEqual({ ...zero, revenue: {} });
    const one = await getStats({ from: '2026-03-10', to: '2026-03-10' });
    expect(one.json.groups).toHaveLength(1);
    expect(one.json.total).toMatchObject({ leads: 2, refunds: 1 });
  });

  it('the counts the triggers kept through every step equal a recount from the tables', async () => {
    const snapshot = async () => {
      const funnels = await app.db.query('select * from lead_funnels order by lead_id');
      const stamps = await app.db.query(
        'select id, lead_day, lead_category, teaser_seconds from unlocks order by id',
      );
      return { funnels, stamps };
    };
    const kept = await snapshot();
    expect(kept.funnels.length).toBeGreaterThanOrEqual(Object.keys(m).length);
    expect(kept.stamps.some((s) => s.teaser_seconds !== null)).toBe(true);
    await app.db.query('select lead_funnels_rebuild()');
    expect(await snapshot()).toEqual(kept);
  });

  it('defaults to the last 30 days through today (UTC), by day', async () => {
    const res = await getStats({});
    expect(res.status, res.text).toBe(200);
    expect(res.json.groupBy).toBe('day');
    expect(res.json.groups).toHaveLength(30);
    expect(res.json.groups.at(-1).key).toBe(res.json.to);
    expect(res.json.groups[0].key).toBe(res.json.from);
    const empty = await getStats({ from: '', to: '', groupBy: '' });
    expect(empty.status).toBe(200);
    expect(empty.json.groups).toHaveLength(30);
  });

  it('400 naming each bad field, and nothing written', async () => {
    const cases: Array<[Record<string, string>, string[]]> = [
      [{ from: '2026-02-30' }, ['from']],
      [{ from: '2026-03-01T00:00:00Z', to: '2026-03-02' }, ['from']],
      [{ to: 'yesterday' }, ['to']],
      [{ groupBy: 'week' }, ['groupBy']],
      [{ from: '2026-03-10', to: '2026-03-09' }, ['to']],
      [{ from: '2025-01-01', to: '2026-01-02' }, ['to']],
      [{ from: 'x', to: 'y', groupBy: 'z' }, ['from', 'groupBy', 'to']],
    ];
    for (const [query, fields] of cases) {
      const res = await writesNothing(app, () => getStats(query));
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(res.json.error.code).toBe('validation_failed');
      expect(fieldsOf(res), JSON.stringify(query)).toEqual(fields);
    }
  });

  it('401 without the admin key, 403 with another key', async () => {
    expect((await getStats({}, {})).status).toBe(401);
    const wrong = await getStats({}, { authorization: `Bearer ${KEYS.lead}` });
    expect(wrong.status).toBe(403);
    expect(wrong.json.error.code).toEqual(expect.any(String));
  });
});

describe('GET /leads', () => {
  type Row = { id: string; code: string; status: string; createdAt: string };
  async function all(query: Record<string, string>, limit: number): Promise<Row[]> {
    const out: Row[] = [];
    let cursor: string | null = '';
    for (let pages = 0; cursor !== null; pages++) {
      expect(pages).toBeLessThan(100);
      const res = await listLeads({ ...query, limit: String(limit), ...(cursor ? { cursor } : {}) });
      expect(res.status, res.text).toBe(200);
      expect(res.json.leads.length).toBeLessThanOrEqual(limit);
      out.push(...res.json.leads);
      cursor = res.json.nextCursor;
    }
    return out;
  }
  const names = (rows: Row[]) => rows.map((r) => Object.entries(m).find(([, v]) => v.id === r.id)?.[0]);

  it('one row per lead, newest first, with its summary', async () => {
    const res = await listLeads({ from: '2026-03-01', to: '2026-03-11' });
    expect(res.status, res.text).toBe(200);
    expect(names(res.json.leads)).toEqual(['p2', 'p1', 'e2', 'e1', 'x1']);
    expect(res.json.nextCursor).toBeNull();
    const byName = Object.fromEntries(res.json.leads.map((r: Row) => [names([r])[0], r]));
    expect(byName.p2).toEqual({
      id: m.p2!.id,
      code: m.p2!.code,
      category: 'plumbing',
      zipCode: expect.any(String),
      status: 'open',
      offeredTo: 2,
      unlockCount: 1,
      maxUnlocks: expect.any(Number),
      revenueCents: 0,
      currency: 'usd',
      duplicateOf: null,
      unmatchedReason: null,
      createdAt: '2026-03-10T23:59:59.999Z',
    });
    expect(byName.p1).toMatchObject({ status: 'open', offeredTo: 2, unlockCount: 1, revenueCents: PRICE });
    expect(byName.e2).toMatchObject({ status: 'full', unlockCount: 1, maxUnlocks: 1, revenueCents: PRICE });
    expect(byName.x1).toMatchObject({
      status: 'expired',
      offeredTo: 0,
      revenueCents: 0,
      unmatchedReason: 'no_provider',
    });
  });

  it('pages through every lead once, even leads created in the same microsecond', async () => {
    for (let i = 0; i < 7; i++) {
      const res = await api.postLead(lead({ zipCode: uniqueZip(), name: `Twin ${i}` }));
      expect(res.status).toBe(201);
      await app.db.query('update leads set created_at = $2 where id = $1', [
        res.json.id,
        i < 5 ? '2026-02-01T10:00:00.123456Z' : '2026-02-01T10:00:00.123457Z',
      ]);
    }
    const expected = (
      await app.db.query<{ id: string }>('select id from leads order by created_at desc, id desc')
    ).map((r) => r.id);
    for (const limit of [1, 2, 3, 50]) {
      const rows = await all({}, limit);
      expect(
        rows.map((r) => r.id),
        `limit ${limit}`,
      ).toEqual(expected);
    }
    const twins = await all({ q: 'twin' }, 2);
    expect(twins).toHaveLength(7);
    expect(new Set(twins.map((r) => r.id)).size).toBe(7);
  });

  it('filters by status, category, zip, from and to, and q (code or name)', async () => {
    const march = { from: '2026-03-01', to: '2026-03-31' };
    const q = async (query: Record<string, string>) => names(await all({ ...march, ...query }, 2));
    expect(await q({ status: 'open' })).toEqual(['p2', 'p1', 'e1']);
    expect(await q({ status: 'full' })).toEqual(['e2']);
    expect(await q({ status: 'expired' })).toEqual(['x1']);
    expect(await q({ category: ' ELECTRICAL ' })).toEqual(['e2', 'e1']);
    const [zip] = await app.db.query<{ zip_code: string }>('select zip_code from leads where id = $1', [
      m.e1!.id,
    ]);
    expect(await q({ zipCode: zip!.zip_code.toLowerCase() })).toEqual(['e2', 'e1']);
    // A date `to` runs through the end of that day; a date-time up to that instant.
    expect(await q({ from: '2026-03-09', to: '2026-03-10' })).toEqual(['p2', 'p1', 'e2']);
    expect(await q({ from: '2026-03-09', to: '2026-03-10T23:59:59Z' })).toEqual(['p1', 'e2']);
    expect(await q({ from: '2026-03-10T09:00:00Z' })).toEqual(['p2', 'p1']);
    expect(await q({ from: '2026-03-10T10:00:00+01:00', to: '2026-03-10T09:00:00Z' })).toEqual(['p1']);
    expect(await q({ q: m.e1!.code })).toEqual(['e1']);
    expect(await q({ q: 'bob builder' })).toEqual(['p1']);
    expect(await q({ q: 'STONE' })).toEqual(['p2']);
    // like metacharacters are literal.
    expect(await q({ q: '%' })).toEqual(['e1']);
    expect(await q({ q: '0%_s' })).toEqual(['e1']);
    expect(await q({ q: '_' })).toEqual(['e1']);
    expect(await q({ status: 'open', category: 'plumbing', q: 'bob' })).toEqual(['p1']);
    expect(await q({ q: 'nobody at all' })).toEqual([]);
    // Empty parameters (a console form's empty fields) count as not given.
    expect(await q({ status: '', category: '', zipCode: '', q: '' })).toEqual(['p2', 'p1', 'e2', 'e1', 'x1']);
  });

  it('400 naming each bad field, and nothing written', async () => {
    const cases: Array<[Record<string, string>, string[]]> = [
      [{ limit: '0' }, ['limit']],
      [{ limit: '101' }, ['limit']],
      [{ limit: '2.5' }, ['limit']],
      [{ limit: 'ten' }, ['limit']],
      [{ cursor: 'not-a-cursor!' }, ['cursor']],
      [{ cursor: Buffer.from('123.not-a-uuid').toString('base64url') }, ['cursor']],
      [{ status: 'sold' }, ['status']],
      [{ from: '2026-13-01' }, ['from']],
      [{ to: '2026-03-10T25:00:00Z' }, ['to']],
      [{ from: '2026-03-10T10:00:00' }, ['from']],
      [{ from: '2026-03-10', to: '2026-03-09' }, ['to']],
      [{ q: 'a\u0000b' }, ['q']],
      [{ q: 'x'.repeat(201) }, ['q']],
      [{ limit: '-1', status: 'x', cursor: '$$', to: 'soon' }, ['cursor', 'limit', 'status', 'to']],
    ];
    for (const [query, fields] of cases) {
      const res = await writesNothing(app, () => listLeads(query));
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(res.json.error.code).toBe('validation_failed');
      expect(fieldsOf(res), JSON.stringify(query)).toEqual(fields);
    }
  });

  it('401 without the admin key, 403 with another key; no contact details in the list', async () => {
    expect((await listLeads({}, {})).status).toBe(401);
    expect((await listLeads({}, { authorization: `Bearer ${KEYS.lead}` })).status).toBe(403);
    const res = await listLeads({});
    expect(res.text).not.toContain('555-0142');
    expect(res.text).not.toContain('jane.client@example.com');
  });
});

describe('GET /stats with saved cards', () => {
  it('counts a purchase by the saved card apart: checkout-to-paid counts only payments through a Checkout', async () => {
    const zip = uniqueZip();
    const p = await api.addProvider({ zipCodes: [zip] });
    await post('byLink', { zipCode: zip }, 1);
    await pay(await open(await yes(p, m.byLink!.code)));
    await post('byCard', { zipCode: zip }, 1);
    const res = await api.reply(p.phone, `YES ${m.byCard!.code}`);
    expect(res.status).toBe(200);
    const charged = app.stripe.events.find(
      (e) =>
        e.type === 'payment_intent.succeeded' &&
        (e.data.object.metadata as Record<string, string>).leadId === m.byCard!.id,
    );
    expect((await deliverEvent(app, charged!)).json.outcome).toBe('unlocked');
    await setCreated('byLink', '2026-05-04T10:00:00Z');
    await setCreated('byCard', '2026-05-04T11:00:00Z');

    const stats = await getStats({ from: '2026-05-04', to: '2026-05-04' });
    expect(stats.json.total).toMatchObject({
      leads: 2,
      yesReplies: 2,
      linksOpened: 1,
      checkoutsCreated: 1,
      paidUnlocks: 2,
      savedCardUnlocks: 1,
      revenue: { usd: { grossCents: 2 * PRICE } },
    });
    expect(stats.json.total.conversion).toMatchObject({ checkoutToPaid: 1, teaserToPaid: 1 });
    await app.db.query('select lead_funnels_rebuild()');
    expect((await getStats({ from: '2026-05-04', to: '2026-05-04' })).json.total).toEqual(stats.json.total);
  });
});
