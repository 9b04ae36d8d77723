/**
 * Prices that follow the market (issue 23 §2): an unsold lead drops to its category's aged price
 * after some hours, once, with one more teaser round to the providers not offered it yet and to
 * those offered who did not answer (caps and teaser hours applied); every offer is charged the
 * price its latest teaser showed, by pay link or saved card, and a provider who opened a pay link
 * before the drop pays what it shows. Driven through the public routes and the scheduled
 * dispatcher; "hours pass" by moving the lead's `ages_at` to now (Postgres' clock cannot be moved),
 * after checking it was set from the rule.
 */
import { randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler as dispatcher } from '../../functions/sms-dispatcher';
import { handler as statsRoute } from '../../functions/stats';
import { invoke } from '../../emulators/events';
import { KEYS, useApp } from '../support/app';
import { api, lead, linkToken } from '../support/flow';
import { distinctClient } from '../../emulators/lead-body';
import { deliverEvent, smsSentTo, uniqueZip } from '../support/market';
import { nextEight, zoneAt } from '../support/time-zones';

// Teasers at any hour: quiet hours have their own test below, with zones picked for it. Duplicates
// on, as deployed: each lead is a client of its own unless a test says otherwise.
const app = useApp({ env: { TEASER_HOURS: '00:00-24:00', DUPLICATE_WINDOW_DAYS: '30' } });

beforeEach(() => app.textmagic.reset());

/** A category of its own, added by `POST /categories` with these fields. */
async function newCategory(fields: Record<string, unknown>) {
  const slug = `cat-${randomBytes(4).toString('hex')}`;
  const res = await api.categories('POST', { slug, name: slug, priceCents: 2000, ...fields });
  expect(res.status, res.text).toBe(201);
  return slug;
}

/** A category with an aged price after `hours`. */
const agingCategory = (rule: { hours: number; priceCents: number }) =>
  newCategory({ agedAfterHours: rule.hours, agedPriceCents: rule.priceCents });

async function postLead(body: Record<string, unknown>) {
  const res = await api.postLead(lead({ ...distinctClient(), ...body }));
  expect(res.status, res.text).toBe(201);
  return res.json as { id: string; code: string; offeredTo: number; priceCents: number };
}

/** The hours pass: the lead's aging is due now; then the dispatcher's minute runs. */
async function ageNow(leadId: string) {
  await app.db.query(`update leads set ages_at = now() where id = $1 and ages_at is not null`, [leadId]);
  await dispatcher();
}

const texts = (phone: string, since = 0) => smsSentTo(app, phone, since).map((m) => m.text);
const teasers = (phone: string, since = 0) => texts(phone, since).filter((t) => /Reply YES/.test(t));

const offerPrices = async (leadId: string) =>
  Object.fromEntries(
    (
      await app.db.query<{ provider_id: string; price_cents: number }>(
        'select provider_id, price_cents from offers where lead_id = $1',
        [leadId],
      )
    ).map((o) => [o.provider_id, o.price_cents]),
  );

/** `phone` replies YES to `code` and opens the pay link it gets: that SMS and the Checkout Session. */
async function openLink(phone: string, code: string) {
  const before = app.textmagic.sent.length;
  await api.reply(phone, `YES ${code}`);
  const sms = texts(phone, before).at(-1)!;
  const pay = await api.openPayLink(linkToken(sms));
  expect(pay.status).toBe(303);
  const session = [...app.stripe.sessions.values()].find((s) => s.url === pay.headers.location)!;
  return { sms, session };
}

async function pay(sessionId: string) {
  const res = await deliverEvent(app, app.stripe.completeSession(sessionId));
  expect(res.json.outcome, res.text).toBe('unlocked');
}

/** `GET /stats`'s `aged` for today (UTC). */
async function agedToday() {
  const res = await invoke(statsRoute, {
    method: 'GET',
    path: '/stats',
    headers: { authorization: `Bearer ${KEYS.admin}` },
  });
  expect(res.status, res.text).toBe(200);
  return res.json.aged as {
    leads: number;
    unlocks: number;
    revenue: Record<string, { grossCents: number; netCents: number }>;
  };
}

const unlockAmounts = async (leadId: string) =>
  (
    await app.db.query<{ provider_id: string; amount_cents: number }>(
      'select provider_id, amount_cents from unlocks where lead_id = $1 order by created_at',
      [leadId],
    )
  ).map((u) => [u.provider_id, u.amount_cents]);

describe('an unsold lead at its aged price', () => {
  it('drops once, re-teases who did not answer and teases who was not offered, each charged what they were shown', async () => {
    const category = await agingCategory({ hours: 4, priceCents: 900 });
    const zip = uniqueZip();
    const provider = (extra: Record<string, unknown> = {}) =>
      api.addProvider({ categories: [category], zipCodes: [zip], ...extra });
    const opener = await provider(); // answers and opens the link before the drop
    const silent = await provider(); // never answers
    const tight = await provider({ weeklySpendCapCents: 1000 }); // the full price does not fit, the aged one does
    const tiny = await provider({ weeklySpendCapCents: 500 }); // neither fits

    const created = await postLead({ category, zipCode: zip, priceCents: 2000 });
    expect(created.priceCents).toBe(2000);
    expect(created.offeredTo).toBe(2);
    expect(teasers(silent.phone)).toEqual([expect.stringContaining('$20.00')]);
    expect(teasers(tight.phone)).toEqual([]);

    // The rule as it stood is kept with the lead: a later change moves neither the time nor the price.
    const [times] = await app.db.query<{ late: number }>(
      `select extract(epoch from ages_at - created_at)::int as late from leads where id = $1`,
      [created.id],
    );
    expect(times!.late).toBe(4 * 3600);
    const patched = await api.categories('PATCH', { agedAfterHours: 1, agedPriceCents: 500 }, category);
    expect(patched.json).toMatchObject({ agedAfterHours: 1, agedPriceCents: 500 });
    const before = await api.getLead(created.id);
    expect(before.json).toMatchObject({ priceCents: 2000, agedAt: null, aging: { priceCents: 900 } });

    const opened = await openLink(opener.phone, created.code);
    expect(opened.sms).toContain('$20.00');
    expect(opened.session.amount_total).toBe(2000);

    const statsBefore = await agedToday();
    // A provider added since is matched by the aged round too.
    const newcomer = await provider();
    const mark = app.textmagic.sent.length;
    await ageNow(created.id);

    const view = await api.getLead(created.id);
    expect(view.json.priceCents).toBe(900);
    expect(view.json.agedAt).toEqual(expect.any(String));
    expect(view.json.aging).toBeNull();
    for (const p of [silent, tight, newcomer]) {
      expect(teasers(p.phone, mark), p.phone).toEqual([expect.stringContaining('$9.00')]);
    }
    expect(teasers(opener.phone, mark)).toEqual([]);
    expect(teasers(tiny.phone)).toEqual([]);
    expect(await offerPrices(created.id)).toEqual({
      [opener.id]: 2000,
      [silent.id]: 900,
      [tight.id]: 900,
      [newcomer.id]: 900,
    });
    // One aged round: the next minutes send nothing more.
    const after = app.textmagic.sent.length;
    await ageNow(created.id);
    await dispatcher();
    expect(app.textmagic.sent.length).toBe(after);

    // The opener pays what their Checkout shows; the re-teased pay the aged price by link.
    await pay(opened.session.id);
    const reteased = await openLink(silent.phone, created.code);
    expect(reteased.sms).toContain('$9.00');
    expect(reteased.session.amount_total).toBe(900);
    await pay(reteased.session.id);
    const capped = await openLink(tight.phone, created.code);
    expect(capped.session.amount_total).toBe(900);
    await pay(capped.session.id);
    expect(await unlockAmounts(created.id)).toEqual([
      [opener.id, 2000],
      [silent.id, 900],
      [tight.id, 900],
    ]);
    // What the aged lead earned after its drop, in GET /stats.
    const stats = await agedToday();
    expect(stats.leads - statsBefore.leads).toBe(1);
    expect(stats.unlocks - statsBefore.unlocks).toBe(3);
    expect(stats.revenue.usd!.grossCents - (statsBefore.revenue.usd?.grossCents ?? 0)).toBe(3800);
  });

  it('does not age a lead that sold, nor one whose rule was not below its price', async () => {
    const category = await agingCategory({ hours: 2, priceCents: 900 });
    const zip = uniqueZip();
    const buyer = await api.addProvider({ categories: [category], zipCodes: [zip] });
    const sold = await postLead({ category, zipCode: zip, priceCents: 2000, maxUnlocks: 2 });
    await pay((await openLink(buyer.phone, sold.code)).session.id);
    const cheap = await postLead({
      category,
      zipCode: zip,
      priceCents: 800,
      phone: '(512) 555-0177',
      email: 'other@example.com',
    });
    expect((await api.getLead(cheap.id)).json.aging).toBeNull();

    await ageNow(sold.id);
    const view = await api.getLead(sold.id);
    expect(view.json).toMatchObject({ priceCents: 2000, agedAt: null, aging: null });
    expect(await offerPrices(sold.id)).toEqual({ [buyer.id]: 2000 });
  });

  it('holds the aged teaser of a provider outside their teaser hours for their next, priced already', async () => {
    const category = await agingCategory({ hours: 4, priceCents: 900 });
    const zip = uniqueZip();
    const created = await postLead({ category, zipCode: zip, priceCents: 2000 });
    expect(created.offeredTo).toBe(0);
    const night = zoneAt(2);
    const sleeper = await api.addProvider({
      categories: [category],
      zipCodes: [zip],
      timeZone: night.zone,
      teaserHours: '08:00-21:00',
    });
    const awake = await api.addProvider({ categories: [category], zipCodes: [zip] });
    await ageNow(created.id);

    expect(teasers(awake.phone)).toEqual([expect.stringContaining('$9.00')]);
    expect(teasers(sleeper.phone)).toEqual([]);
    const held = await app.db.query<{
      dedupe_key: string;
      recipients: string[];
      next_attempt_at: Date;
      status: string;
    }>(
      `select dedupe_key, recipients, next_attempt_at, status from sms_messages
       where lead_id = $1 and kind = 'teaser' and status = 'queued'`,
      [created.id],
    );
    expect(held).toEqual([
      {
        dedupe_key: `teaser:${created.id}:aged:${Date.parse(nextEight(night.offsetHours)) / 1000}`,
        recipients: [sleeper.phone],
        next_attempt_at: new Date(nextEight(night.offsetHours)),
        status: 'queued',
      },
    ]);
    expect(await offerPrices(created.id)).toEqual({ [sleeper.id]: 900, [awake.id]: 900 });
  });

  it('teases an aged duplicate to nobody who was offered its original', async () => {
    const category = await agingCategory({ hours: 4, priceCents: 900 });
    const zip = uniqueZip();
    const first = await api.addProvider({ categories: [category], zipCodes: [zip] });
    const client = distinctClient();
    const original = await postLead({ category, zipCode: zip, priceCents: 2000, ...client });
    expect(original.offeredTo).toBe(1);
    const duplicate = await postLead({ category, zipCode: zip, priceCents: 2000, ...client });
    expect(duplicate.offeredTo).toBe(0);
    const second = await api.addProvider({ categories: [category], zipCodes: [zip] });
    const mark = app.textmagic.sent.length;
    await ageNow(duplicate.id);
    expect(teasers(second.phone, mark)).toEqual([expect.stringContaining('$9.00')]);
    expect(teasers(first.phone, mark)).toEqual([]);
    expect(await offerPrices(duplicate.id)).toEqual({ [second.id]: 900 });
  });

  it('charges a saved card the aged price', async () => {
    const category = await agingCategory({ hours: 4, priceCents: 700 });
    const zip = uniqueZip();
    const p = await api.addProvider({ categories: [category], zipCodes: [zip] });
    // Their first purchase, by link, saves their card.
    const first = await postLead({ category, zipCode: zip, priceCents: 2000, phone: '(512) 555-0166' });
    await pay((await openLink(p.phone, first.code)).session.id);

    const created = await postLead({ category, zipCode: zip, priceCents: 2000 });
    await ageNow(created.id);
    expect(teasers(p.phone).at(-1)).toContain('$7.00');
    const before = app.textmagic.sent.length;
    await api.reply(p.phone, `YES ${created.code}`);
    expect(texts(p.phone, before)).toEqual([expect.stringMatching(/charging \$7\.00 to your saved card/)]);
    const charge = app.stripe.requests
      .filter((r) => r.method === 'POST' && r.path === '/v1/payment_intents')
      .find((r) => (r.params.metadata as Record<string, string>).leadId === created.id)!;
    expect(charge.params.amount).toBe('700');
    const succeeded = app.stripe.events.find(
      (e) =>
        e.type === 'payment_intent.succeeded' &&
        (e.data.object.metadata as Record<string, string> | undefined)?.leadId === created.id,
    )!;
    expect((await deliverEvent(app, succeeded)).json.outcome).toBe('unlocked');
    expect(await unlockAmounts(created.id)).toEqual([[p.id, 700]]);
  });
});

describe('prices by zip prefix', () => {
  it('prices a lead at its longest matching prefix, else the category, unless the request sets it', async () => {
    const category = await newCategory({
      zipPrices: [
        { zipPrefix: '787', priceCents: 1800 },
        { zipPrefix: '78701', priceCents: 2500 },
      ],
    });
    const list = await api.categories('GET');
    expect(list.json.categories.find((c: { slug: string }) => c.slug === category)).toMatchObject({
      priceCents: 2000,
      zipPrices: [
        { zipPrefix: '787', priceCents: 1800 },
        { zipPrefix: '78701', priceCents: 2500 },
      ],
      agedAfterHours: null,
      agedPriceCents: null,
    });
    const pro = await api.addProvider({ categories: [category], zipCodes: ['78701'] });
    let client = 0;
    const post = (zipCode: string, extra: Record<string, unknown> = {}) =>
      postLead({ category, zipCode, phone: `(512) 555-01${String(++client).padStart(2, '0')}`, ...extra });

    const exact = await post('78701');
    expect(exact.priceCents).toBe(2500);
    expect(teasers(pro.phone).at(-1)).toContain('$25.00');
    expect(await offerPrices(exact.id)).toEqual({ [pro.id]: 2500 });
    expect((await post('78745')).priceCents).toBe(1800);
    expect((await post('90210')).priceCents).toBe(2000);
    expect((await post('78701', { priceCents: 999 })).priceCents).toBe(999);

    // A change applies to the next lead at once, whatever this container kept of the catalogue.
    const patched = await api.categories(
      'PATCH',
      { zipPrices: [{ zipPrefix: '7870', priceCents: 3100 }] },
      category,
    );
    expect(patched.status, patched.text).toBe(200);
    expect((await post('78701')).priceCents).toBe(3100);
    expect(teasers(pro.phone).at(-1)).toContain('$31.00');
    expect((await post('78745')).priceCents).toBe(2000);
    await app.db.query(`update category_prices set price_cents = 3300 where category_slug = $1`, [category]);
    expect((await post('78702')).priceCents).toBe(3300);
  });

  it('refuses rules that cannot hold, naming the field, and changes nothing', async () => {
    const category = await newCategory({ zipPrices: [{ zipPrefix: '1', priceCents: 900 }] });
    const refused = async (body: Record<string, unknown>, field: string) => {
      const res = await api.categories('PATCH', body, category);
      expect(res.status, res.text).toBe(400);
      expect(JSON.stringify(res.json.error.details)).toContain(field);
    };
    await refused({ zipPrices: [{ zipPrefix: 'ABC', priceCents: 900 }] }, 'zipPrefix');
    await refused({ zipPrices: [{ zipPrefix: '123456', priceCents: 900 }] }, 'zipPrefix');
    await refused(
      {
        zipPrices: [
          { zipPrefix: '12', priceCents: 900 },
          { zipPrefix: '12', priceCents: 800 },
        ],
      },
      'zipPrices',
    );
    await refused({ agedAfterHours: 24 }, 'agedPriceCents');
    await refused({ agedAfterHours: 24, agedPriceCents: 2000 }, 'agedPriceCents');
    await refused({ agedAfterHours: 0, agedPriceCents: 500 }, 'agedAfterHours');
    const [row] = (await api.categories('GET')).json.categories.filter(
      (c: { slug: string }) => c.slug === category,
    );
    expect(row).toMatchObject({
      zipPrices: [{ zipPrefix: '1', priceCents: 900 }],
      agedAfterHours: null,
      agedPriceCents: null,
    });
    // Cleared with null and [].
    await api.categories('PATCH', { agedAfterHours: 24, agedPriceCents: 500 }, category);
    const cleared = await api.categories(
      'PATCH',
      { zipPrices: [], agedAfterHours: null, agedPriceCents: null },
      category,
    );
    expect(cleared.json).toMatchObject({ zipPrices: [], agedAfterHours: null, agedPriceCents: null });
  });
});
