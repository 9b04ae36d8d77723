/**
 * Budgets (issue 12): a provider's weekly spend cap and daily lead cap, in their own time zone.
 * At a cap, no teaser; a purchase that would pass one is refused before any charge (no pay link,
 * no Checkout Session at Stripe) with an SMS; refunds give the budget back; the admin API sets,
 * validates and shows them. Driven through the public routes and the fakes.
 * Providers here pay by link (`autoPay: false`): budgets with a saved card are in saved-cards.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { handler as providers } from '../../functions/providers';
import { invoke } from '../../emulators/events';
import { KEYS, phoneNumber, tmDigits, useApp } from '../support/app';
import { api, lead } from '../support/flow';
import { deliverEvent, smsSentTo, uniqueZip, buyByLink } from '../support/market';
import { writesNothing } from '../support/writes';

const app = useApp();
const admin = { authorization: `Bearer ${KEYS.admin}`, 'content-type': 'application/json' };

/** UTC+14 all year: its Monday 00:00 is Sunday 10:00 UTC. */
const KIRITIMATI = 'Pacific/Kiritimati';
/** UTC-11 all year: its midnight is 11:00 UTC. */
const PAGO_PAGO = 'Pacific/Pago_Pago';

const patch = api.patchProvider;
const create = (body: Record<string, unknown>) =>
  invoke(providers, { method: 'POST', path: '/providers', headers: admin, body: JSON.stringify(body) });
const detail = api.getProvider;

/** Posts a lead in `zip`; returns it with the phones (digits) its teaser went to. */
async function postLead(zip: string, body: Record<string, unknown> = {}) {
  const before = app.textmagic.sent.length;
  const res = await api.postLead(lead({ zipCode: zip, ...body }));
  expect(res.status, res.text).toBe(201);
  const teaser = app.textmagic.sent.slice(before).find((m) => /Reply YES/.test(m.text));
  return { ...(res.json as { id: string; code: string; offeredTo: number }), teasedTo: teaser?.phones ?? [] };
}

/** `phone` buys lead `code` by link (`buyByLink`); the Checkout Session's id. */
const buy = (phone: string, code: string) => buyByLink(app, phone, code);

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

/** The start of the current local week (`week`) or day in `zone`, as Postgres computes it. */
async function periodStart(unit: 'week' | 'day', zone: string): Promise<Date> {
  const [row] = await app.db.query<{ at: Date }>(
    `select date_trunc($1, now() at time zone $2) at time zone $2 as at`,
    [unit, zone],
  );
  return new Date(row!.at);
}

/** Weekday and time of `at` on the wall clock of `zone`, e.g. `Mon 00:00`. */
const wallClock = (at: Date, zone: string) =>
  new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(at);

/** Moves every unlock of the provider to `at`, as if bought then. */
const boughtAt = (providerId: string, at: Date) =>
  app.db.query('update unlocks set created_at = $2 where provider_id = $1', [providerId, at]);

/** The pay token of the provider's offer of a lead. */
async function tokenOf(leadId: string, providerId: string): Promise<string> {
  const [row] = await app.db.query<{ pay_token: string }>(
    'select pay_token from offers where lead_id = $1 and provider_id = $2',
    [leadId, providerId],
  );
  return row!.pay_token;
}

describe('weekly spend cap', () => {
  it('at the cap, no teaser; the week turning at Monday 00:00 in the provider zone gives teasers back', async () => {
    const zip = uniqueZip();
    const pat = await api.addProvider({
      autoPay: false,
      zipCodes: [zip],
      weeklySpendCapCents: 1500,
      timeZone: KIRITIMATI,
    });
    const sam = await api.addProvider({ autoPay: false, zipCodes: [zip] });
    const first = await postLead(zip);
    expect(first.offeredTo).toBe(2);
    await buy(pat.phone, first.code);

    // Spent 1500 of 1500 this week: the next lead goes to Sam only.
    const second = await postLead(zip);
    expect(second.offeredTo).toBe(1);
    expect(second.teasedTo).toEqual([tmDigits(sam.phone)]);
    const page = await detail(pat.id);
    expect(page.json.budget).toMatchObject({
      weeklySpendCapCents: 1500,
      timeZone: KIRITIMATI,
      weekSpentCents: 1500,
      atWeeklyCap: true,
      atCap: true,
    });

    // The local week starts Monday 00:00 in Kiritimati, which is Sunday 10:00 UTC (not UTC's week).
    const weekStart = await periodStart('week', KIRITIMATI);
    expect(wallClock(weekStart, KIRITIMATI)).toBe('Mon 00:00');
    expect(wallClock(weekStart, 'UTC')).toBe('Sun 10:00');
    expect(page.json.budget.weekStartedAt).toBe(weekStart.toISOString());

    // Bought at the week's first instant: still this week, still at the cap.
    await boughtAt(pat.id, weekStart);
    expect((await postLead(zip)).teasedTo).not.toContain(tmDigits(pat.phone));

    // Bought a second before it: last week's, so this week the cap is untouched.
    await boughtAt(pat.id, new Date(weekStart.getTime() - 1000));
    const next = await postLead(zip);
    expect(next.offeredTo).toBe(2);
    expect(next.teasedTo).toContain(tmDigits(pat.phone));
    expect((await detail(pat.id)).json.budget).toMatchObject({ weekSpentCents: 0, atCap: false });
  });

  it('no teaser for a lead whose price would pass the cap, a teaser for one that fits', async () => {
    const zip = uniqueZip();
    const pat = await api.addProvider({ autoPay: false, zipCodes: [zip], weeklySpendCapCents: 4000 });
    await buy(pat.phone, (await postLead(zip, { priceCents: 2000 })).code);
    expect((await postLead(zip, { priceCents: 2500 })).offeredTo).toBe(0);
    expect((await postLead(zip, { priceCents: 2000 })).offeredTo).toBe(1);
    expect((await detail(pat.id)).json.budget).toMatchObject({
      weekSpentCents: 2000,
      atWeeklyCap: false,
      timeZone: 'America/Chicago', // DEFAULT_TIME_ZONE
    });
  });

  it('a YES or a pay link that would pass the cap is refused with an SMS, and no Checkout is created', async () => {
    const zip = uniqueZip();
    const pat = await api.addProvider({ autoPay: false, zipCodes: [zip] });
    const a = await postLead(zip, { priceCents: 1500 });
    const b = await postLead(zip, { priceCents: 2500 });
    await buy(pat.phone, a.code);
    // The cap comes after both teasers: 1500 spent + 2500 would be 4000 > 3000.
    expect((await patch(pat.id, { weeklySpendCapCents: 3000 })).status).toBe(200);

    const sessions = app.stripe.sessions.size;
    let since = app.textmagic.sent.length;
    await api.reply(pat.phone, `YES ${b.code}`);
    const answers = smsSentTo(app, pat.phone, since);
    expect(answers.map((m) => m.text)).toEqual([
      `Lead Unlock: lead ${b.code} would take you over your weekly spending cap, so it can't be bought. Your cap resets Monday at midnight.`,
    ]);
    // YES alone, with one open offer: the same answer.
    since = app.textmagic.sent.length;
    await api.reply(pat.phone, 'YES');
    expect(smsSentTo(app, pat.phone, since).map((m) => m.text)).toEqual(answers.map((m) => m.text));

    // The link from the teaser era, opened anyway: a page, an SMS, and nothing at Stripe.
    since = app.textmagic.sent.length;
    const res = await api.openPayLink(await tokenOf(b.id, pat.id));
    expect(res.status).toBe(409);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toMatch(/weekly spending cap/);
    expect(smsSentTo(app, pat.phone, since).map((m) => m.text)).toEqual(answers.map((m) => m.text));
    // Opened again: no second SMS the same day.
    since = app.textmagic.sent.length;
    expect((await api.openPayLink(await tokenOf(b.id, pat.id))).status).toBe(409);
    expect(smsSentTo(app, pat.phone, since)).toEqual([]);
    expect(app.stripe.sessions.size).toBe(sessions);
    const [offer] = await app.db.query<{ checkout_session_id: string | null }>(
      'select checkout_session_id from offers where lead_id = $1',
      [b.id],
    );
    expect(offer!.checkout_session_id).toBeNull();

    // Raising the cap lets the purchase through.
    expect((await patch(pat.id, { weeklySpendCapCents: 4000 })).status).toBe(200);
    await buy(pat.phone, b.code);
  });

  it('an open Checkout Session is not handed out once the provider is over the cap', async () => {
    const zip = uniqueZip();
    const pat = await api.addProvider({ autoPay: false, zipCodes: [zip] });
    const a = await postLead(zip);
    const b = await postLead(zip);
    const token = await tokenOf(b.id, pat.id);
    expect((await api.openPayLink(token)).status).toBe(303);
    await buy(pat.phone, a.code);
    expect((await patch(pat.id, { weeklySpendCapCents: 2000 })).status).toBe(200);
    expect((await api.openPayLink(token)).status).toBe(409);
  });

  it('refunded purchases do not count', async () => {
    const zip = uniqueZip();
    const pat = await api.addProvider({
      autoPay: false,
      zipCodes: [zip],
      weeklySpendCapCents: 1500,
      dailyLeadCap: 1,
    });
    const session = await buy(pat.phone, (await postLead(zip)).code);
    expect((await postLead(zip)).offeredTo).toBe(0);
    await refundFromDashboard(session);
    expect((await postLead(zip)).offeredTo).toBe(1);
    expect((await detail(pat.id)).json.budget).toMatchObject({
      weekSpentCents: 0,
      todayPurchases: 0,
      atCap: false,
    });
  });
});

describe('purchases under way', () => {
  it('an open Checkout Session counts until it is paid or expires: a second lead that would pass the cap is refused', async () => {
    const zip = uniqueZip();
    const pat = await api.addProvider({ autoPay: false, zipCodes: [zip], weeklySpendCapCents: 3000 });
    const a = await postLead(zip, { priceCents: 2000 });
    const b = await postLead(zip, { priceCents: 2000 });
    const open = await api.openPayLink(await tokenOf(a.id, pat.id));
    expect(open.status).toBe(303);
    // 2000 under way + 2000 > 3000: no link, no session for b.
    let since = app.textmagic.sent.length;
    await api.reply(pat.phone, `YES ${b.code}`);
    expect(smsSentTo(app, pat.phone, since).map((m) => m.text)).toEqual([
      expect.stringMatching(/weekly spending cap/),
    ]);
    const sessions = app.stripe.sessions.size;
    expect((await api.openPayLink(await tokenOf(b.id, pat.id))).status).toBe(409);
    expect(app.stripe.sessions.size).toBe(sessions);
    // a's own link still opens its session.
    expect((await api.openPayLink(await tokenOf(a.id, pat.id))).status).toBe(303);

    // a's session expires unpaid: b fits again.
    const sessionA = [...app.stripe.sessions.values()].find((s) => s.url === open.headers.location)!;
    expect((await deliverEvent(app, app.stripe.expireSession(sessionA.id))).status).toBe(200);
    since = app.textmagic.sent.length;
    await api.reply(pat.phone, `YES ${b.code}`);
    expect(smsSentTo(app, pat.phone, since)[0]!.text).toMatch(/\/p\//);
    expect((await api.openPayLink(await tokenOf(b.id, pat.id))).status).toBe(303);
  });

  it('links of several leads opened at once: only as many Checkout Sessions as the caps allow', async () => {
    const zip = uniqueZip();
    const pat = await api.addProvider({ autoPay: false, zipCodes: [zip], weeklySpendCapCents: 5000 });
    const sam = await api.addProvider({ autoPay: false, zipCodes: [zip], dailyLeadCap: 2 });
    const leads: { id: string }[] = [];
    for (let i = 0; i < 6; i++) leads.push(await postLead(zip, { priceCents: 2000 }));
    const sessions = app.stripe.sessions.size;
    const opened = async (providerId: string) => {
      const tokens = await Promise.all(leads.map((l) => tokenOf(l.id, providerId)));
      return (await Promise.all(tokens.map((t) => api.openPayLink(t)))).map((r) => r.status).sort();
    };
    const [patStatuses, samStatuses] = await Promise.all([opened(pat.id), opened(sam.id)]);
    // Pat: 2 × 2000 fit in 5000, a third would not. Sam: 2 a day.
    expect(patStatuses).toEqual([303, 303, 409, 409, 409, 409]);
    expect(samStatuses).toEqual([303, 303, 409, 409, 409, 409]);
    expect(app.stripe.sessions.size).toBe(sessions + 4);
  });
});

describe('daily lead cap', () => {
  it('at the cap, no teaser and no purchase; the day turning at local midnight gives them back', async () => {
    const zip = uniqueZip();
    const pat = await api.addProvider({
      autoPay: false,
      zipCodes: [zip],
      dailyLeadCap: 1,
      timeZone: PAGO_PAGO,
    });
    const a = await postLead(zip);
    const b = await postLead(zip);
    await buy(pat.phone, a.code);
    // Bought one today: no teaser for a new lead...
    expect((await postLead(zip)).offeredTo).toBe(0);
    // ...and the lead offered before is refused, by SMS and at the link.
    const since = app.textmagic.sent.length;
    await api.reply(pat.phone, `YES ${b.code}`);
    expect(smsSentTo(app, pat.phone, since).map((m) => m.text)).toEqual([
      `Lead Unlock: you've reached your daily lead limit, so lead ${b.code} can't be bought today. Your limit resets at midnight.`,
    ]);
    const sessions = app.stripe.sessions.size;
    const res = await api.openPayLink(await tokenOf(b.id, pat.id));
    expect(res.status).toBe(409);
    expect(res.text).toMatch(/daily lead limit/);
    expect(app.stripe.sessions.size).toBe(sessions);
    const page = await detail(pat.id);
    expect(page.json.budget).toMatchObject({
      dailyLeadCap: 1,
      todayPurchases: 1,
      atDailyCap: true,
      atWeeklyCap: false,
      atCap: true,
    });

    // The local day starts at midnight in Pago Pago, 11:00 UTC.
    const dayStart = await periodStart('day', PAGO_PAGO);
    expect(wallClock(dayStart, PAGO_PAGO)).toMatch(/ 00:00$/);
    expect(wallClock(dayStart, 'UTC')).toMatch(/ 11:00$/);
    expect(page.json.budget.dayStartedAt).toBe(dayStart.toISOString());
    await boughtAt(pat.id, new Date(dayStart.getTime() - 1000));
    expect((await postLead(zip)).offeredTo).toBe(1);
    await buy(pat.phone, b.code);
  });
});

describe('admin API: budgets', () => {
  it('POST and PATCH set them, null clears them, GET shows them with the figures', async () => {
    const created = await create({
      name: 'Budget Plumber',
      phone: phoneNumber(),
      categories: ['plumbing'],
      zipCodes: [uniqueZip()],
      weeklySpendCapCents: 10000,
      dailyLeadCap: 3,
      timeZone: ' Europe/Berlin ',
    });
    expect(created.status, created.text).toBe(201);
    expect(created.json).toMatchObject({
      weeklySpendCapCents: 10000,
      dailyLeadCap: 3,
      timeZone: 'Europe/Berlin',
    });
    const id = created.json.id as string;
    const page = await detail(id);
    expect(page.json.provider).toMatchObject({ weeklySpendCapCents: 10000, dailyLeadCap: 3 });
    expect(page.json.budget).toEqual({
      weeklySpendCapCents: 10000,
      dailyLeadCap: 3,
      timeZone: 'Europe/Berlin',
      weekStartedAt: (await periodStart('week', 'Europe/Berlin')).toISOString(),
      dayStartedAt: (await periodStart('day', 'Europe/Berlin')).toISOString(),
      weekSpentCents: 0,
      todayPurchases: 0,
      atWeeklyCap: false,
      atDailyCap: false,
      atCap: false,
    });

    const changed = await patch(id, { weeklySpendCapCents: null, dailyLeadCap: 0 });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.json).toMatchObject({
      weeklySpendCapCents: null,
      dailyLeadCap: 0,
      timeZone: 'Europe/Berlin',
    });
    // A cap of 0: no purchases at all, so at the cap from the start.
    expect((await detail(id)).json.budget).toMatchObject({ atDailyCap: true, atCap: true });
    const cleared = await patch(id, { dailyLeadCap: null, timeZone: null });
    expect(cleared.json).toMatchObject({ weeklySpendCapCents: null, dailyLeadCap: null, timeZone: null });
    expect((await detail(id)).json.budget).toMatchObject({ timeZone: 'America/Chicago', atCap: false });
    // Budgets alone are a change.
    expect((await patch(id, { timeZone: 'Asia/Kolkata' })).json.timeZone).toBe('Asia/Kolkata');
    // Stored as the zone database spells it.
    expect((await patch(id, { timeZone: 'asia/TOKYO' })).json.timeZone).toBe('Asia/Tokyo');
  });

  it('bad caps and time zones: 400 naming every bad field, nothing written', async () => {
    const p = await api.addProvider({ zipCodes: [uniqueZip()] });
    const bad: [Record<string, unknown>, string[]][] = [
      [{ weeklySpendCapCents: -1 }, ['weeklySpendCapCents']],
      [{ weeklySpendCapCents: 12.5 }, ['weeklySpendCapCents']],
      [{ weeklySpendCapCents: '1000' }, ['weeklySpendCapCents']],
      [{ weeklySpendCapCents: 1e12 }, ['weeklySpendCapCents']],
      [{ dailyLeadCap: -3 }, ['dailyLeadCap']],
      [{ dailyLeadCap: true }, ['dailyLeadCap']],
      [{ dailyLeadCap: 10_001 }, ['dailyLeadCap']],
      [{ timeZone: 'Mars/Olympus_Mons' }, ['timeZone']],
      [{ timeZone: 'UTC+5' }, ['timeZone']],
      [{ timeZone: '+05:00' }, ['timeZone']],
      [{ timeZone: '' }, ['timeZone']],
      [{ timeZone: 'America/../etc/passwd' }, ['timeZone']],
      [{ timeZone: 42 }, ['timeZone']],
      [
        { weeklySpendCapCents: -1, dailyLeadCap: 'x', timeZone: 'Nowhere' },
        ['weeklySpendCapCents', 'dailyLeadCap', 'timeZone'],
      ],
    ];
    for (const [body, fields] of bad) {
      for (const res of [
        await writesNothing(app, () => patch(p.id, body)),
        await writesNothing(app, () =>
          create({ name: 'X', phone: phoneNumber(), categories: ['plumbing'], zipCodes: ['00001'], ...body }),
        ),
      ]) {
        expect(res.status, `${JSON.stringify(body)}: ${res.text}`).toBe(400);
        expect(res.json.error.code).toBe('validation_failed');
        const named = (res.json.error.details as { field: string; message: string }[]).map((d) => d.field);
        expect([...new Set(named)].sort(), JSON.stringify(body)).toEqual([...fields].sort());
        for (const d of res.json.error.details) expect(d.message).toEqual(expect.any(String));
      }
    }
    // The provider as it was.
    expect((await detail(p.id)).json.provider).toMatchObject({
      weeklySpendCapCents: null,
      dailyLeadCap: null,
      timeZone: null,
    });
  });
});

describe('budgets in Spanish', () => {
  it('a SI past the daily cap, and the teaser-era link opened anyway, are refused by SMS in Spanish', async () => {
    const zip = uniqueZip();
    const paz = await api.addProvider({ autoPay: false, zipCodes: [zip], language: 'es' });
    const a = await postLead(zip);
    const b = await postLead(zip);
    await buy(paz.phone, a.code);
    expect((await patch(paz.id, { dailyLeadCap: 1 })).status).toBe(200);

    let since = app.textmagic.sent.length;
    await api.reply(paz.phone, `SI ${b.code}`);
    const refusal = `Lead Unlock: ha llegado a su tope diario de leads y el lead ${b.code} no se puede comprar hoy. El tope se renueva a medianoche.`;
    expect(smsSentTo(app, paz.phone, since).map((m) => m.text)).toEqual([refusal]);

    // One refusal SMS per offer, cap and day: the first cleared, so the link's own refusal shows too.
    await app.db.query(`delete from sms_messages where kind = 'budget_refused' and provider_id = $1`, [
      paz.id,
    ]);
    since = app.textmagic.sent.length;
    expect((await api.openPayLink(await tokenOf(b.id, paz.id))).status).toBe(409);
    expect(smsSentTo(app, paz.phone, since).map((m) => m.text)).toEqual([refusal]);
  });
});
