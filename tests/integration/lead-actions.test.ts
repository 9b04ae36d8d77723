/**
 * Lead actions of the console (issue 25 §3): close a lead (sold no more, its open Checkout
 * Sessions expired at Stripe, shown as closed), and offer it to a provider the operator names
 * (the teaser as matching sends it, or a 409 saying why not). Through the HTTP handlers, a real
 * Postgres, and the Stripe and TextMagic fakes.
 */
import { describe, expect, it } from 'vitest';
import { handler as leadActions } from '../../functions/lead-actions';
import { handler as leadFn } from '../../functions/lead';
import { invoke } from '../../emulators/events';
import { distinctClient } from '../../emulators/lead-body';
import { KEYS, useApp } from '../support/app';
import { api, lead, linkToken } from '../support/flow';
import { buyByLink, smsSentTo, uniqueZip } from '../support/market';
import { zoneAt } from '../support/time-zones';
import { writesNothing } from '../support/writes';

// Teaser hours as deployed by default, and duplicates on: each lead below is a client of its own.
const app = useApp({ env: { TEASER_HOURS: '08:00-21:00', DUPLICATE_WINDOW_DAYS: '30' } });
const admin = { authorization: `Bearer ${KEYS.admin}`, 'content-type': 'application/json' };

const close = (id: string) =>
  invoke(leadActions, { method: 'POST', path: `/leads/${id}/close`, pathParams: { id }, headers: admin });
const offer = (id: string, providerId: string) =>
  invoke(leadActions, {
    method: 'POST',
    path: `/leads/${id}/offers`,
    pathParams: { id },
    headers: admin,
    body: JSON.stringify({ providerId }),
  });
const listLeads = (query: Record<string, string>) =>
  invoke(leadFn, { method: 'GET', path: '/leads', query, headers: admin });

/** A lead in a zip of its own, offered to `providers` fresh providers there (paying by link). */
async function offeredLead(providers = 1, overrides: Record<string, unknown> = {}) {
  const zip = uniqueZip();
  const people = [];
  for (let i = 0; i < providers; i++) people.push(await api.addProvider({ zipCodes: [zip], autoPay: false }));
  const created = await api.postLead(lead({ zipCode: zip, ...distinctClient(), ...overrides }));
  expect(created.status, created.text).toBe(201);
  return { id: created.json.id as string, code: created.json.code as string, zip, people };
}

/** What `phone` is texted in answer to `text`. */
async function answerTo(phone: string, text: string): Promise<string[]> {
  const before = app.textmagic.sent.length;
  expect((await api.reply(phone, text)).status).toBe(200);
  return smsSentTo(app, phone, before).map((m) => m.text);
}

describe('POST /leads/{id}/close', () => {
  it('stops the sale: its open Checkout Session is expired at Stripe, YES gets "no longer available", the pay link 410', async () => {
    const l = await offeredLead(2);
    const [payer, other] = l.people as [{ id: string; phone: string }, { id: string; phone: string }];
    // One provider opened their pay link: an open Checkout Session at Stripe.
    const [link] = await answerTo(payer.phone, `YES ${l.code}`);
    const token = linkToken(link!);
    const pay = await api.openPayLink(token);
    expect(pay.status).toBe(303);
    const session = [...app.stripe.sessions.values()].find((s) => s.url === pay.headers.location)!;
    expect(session.status).toBe('open');

    const res = await close(l.id);
    expect(res.status, res.text).toBe(200);
    expect(res.json.lead).toMatchObject({
      id: l.id,
      code: l.code,
      status: 'closed',
      checkoutSessionsExpired: 1,
    });
    expect(app.stripe.sessions.get(session.id)!.status).toBe('expired');

    const shown = await api.getLead(l.id);
    expect(shown.json).toMatchObject({ status: 'closed', closedAt: res.json.lead.closedAt });
    expect(shown.json.timeline.at(-1)).toMatchObject({ kind: 'closed', at: res.json.lead.closedAt });

    expect(await answerTo(other.phone, `YES ${l.code}`)).toEqual([
      `Sorry, lead ${l.code} is no longer available.`,
    ]);
    expect((await api.openPayLink(token)).status).toBe(410);
  });

  it('is listed under status=closed, not expired, and a second close is a 409 that changes nothing', async () => {
    const l = await offeredLead(1);
    expect((await close(l.id)).status).toBe(200);
    const closed = await listLeads({ status: 'closed', limit: '100' });
    expect(closed.json.leads.map((x: { id: string }) => x.id)).toContain(l.id);
    const expired = await listLeads({ status: 'expired', limit: '100' });
    expect(expired.json.leads.map((x: { id: string }) => x.id)).not.toContain(l.id);

    const again = await writesNothing(app, () => close(l.id));
    expect(again.status).toBe(409);
    expect(again.json.error).toMatchObject({ code: 'lead_not_open' });
    expect(again.json.error.message).toMatch(/closed/);
  });

  it('refuses a full lead (409) and an unknown one (404)', async () => {
    const l = await offeredLead(1, { maxUnlocks: 1 });
    await buyByLink(app, l.people[0]!.phone, l.code);
    const full = await close(l.id);
    expect(full.status).toBe(409);
    expect(full.json.error.message).toMatch(/full/);
    expect((await close('4b7b3a52-1c1e-4c36-9d0e-2f0c5b8f8a11')).status).toBe(404);
  });

  it('cancels a teaser held for quiet hours, so it never goes', async () => {
    const zip = uniqueZip();
    const sleeper = await api.addProvider({ zipCodes: [zip], timeZone: zoneAt(2).zone });
    const created = await api.postLead(lead({ zipCode: zip, ...distinctClient() }));
    expect(created.json.teasersHeldUntil).not.toBeNull();
    const res = await close(created.json.id);
    expect(res.json.lead.teasersCancelled).toBe(1);
    const rows = await app.db.query<{ status: string }>(
      `select status from sms_messages where lead_id = $1 and kind = 'teaser'`,
      [created.json.id],
    );
    expect(rows.map((r) => r.status)).toEqual(['cancelled']);
    expect(smsSentTo(app, sleeper.phone).filter((m) => m.text.includes(created.json.code))).toEqual([]);
  });
});

describe('POST /leads/{id}/offers', () => {
  it('sends the named provider the teaser (another zip code), and their YES gets the pay link', async () => {
    const l = await offeredLead(1);
    const elsewhere = await api.addProvider({
      zipCodes: [uniqueZip()],
      autoPay: false,
      timeZone: zoneAt(12).zone,
    });
    const before = app.textmagic.sent.length;
    const res = await offer(l.id, elsewhere.id);
    expect(res.status, res.text).toBe(201);
    expect(res.json).toMatchObject({ held: false, offer: { leadId: l.id, providerId: elsewhere.id } });
    const teaser = smsSentTo(app, elsewhere.phone, before);
    expect(teaser).toHaveLength(1);
    expect(teaser[0]!.text).toContain(`YES ${l.code}`);
    expect(teaser[0]!.text).not.toContain('Jane');

    const [link] = await answerTo(elsewhere.phone, `YES ${l.code}`);
    expect(link).toMatch(/\/p\//);
    const shown = await api.getLead(l.id);
    expect(shown.json.offers.map((o: { providerId: string }) => o.providerId)).toContain(elsewhere.id);
  });

  it('holds the teaser for a provider outside their teaser hours', async () => {
    const l = await offeredLead(1);
    const sleeper = await api.addProvider({ zipCodes: [uniqueZip()], timeZone: zoneAt(2).zone });
    const before = app.textmagic.sent.length;
    const res = await offer(l.id, sleeper.id);
    expect(res.status, res.text).toBe(201);
    expect(res.json.held).toBe(true);
    expect(new Date(res.json.teaserAt).getTime()).toBeGreaterThan(Date.now());
    expect(smsSentTo(app, sleeper.phone, before)).toEqual([]);
  });

  it.each([
    [
      'provider_already_offered',
      (l: Awaited<ReturnType<typeof offeredLead>>) => Promise.resolve(l.people[0]!.id),
    ],
    ['provider_paused', async () => (await api.addProvider({ zipCodes: [uniqueZip()], active: false })).id],
    [
      'provider_opted_out',
      async () => {
        const p = await api.addProvider({ zipCodes: [uniqueZip()] });
        await api.reply(p.phone, 'STOP');
        return p.id;
      },
    ],
    [
      'provider_weekly_cap',
      // A cap below the lead's price: buying it would pass the cap.
      async () => (await api.addProvider({ zipCodes: [uniqueZip()], weeklySpendCapCents: 100 })).id,
    ],
  ])('answers 409 %s and writes nothing', async (code, who) => {
    const l = await offeredLead(1);
    const providerId = await who(l);
    const before = app.textmagic.sent.length;
    const res = await writesNothing(app, () => offer(l.id, providerId));
    expect(res.status, res.text).toBe(409);
    expect(res.json.error.code).toBe(code);
    expect(app.textmagic.sent.length).toBe(before);
  });

  it("refuses a provider offered the client's original (a duplicate lead)", async () => {
    const zip = uniqueZip();
    const first = await api.addProvider({ zipCodes: [zip] });
    const body = lead({ zipCode: zip, ...distinctClient() });
    const original = await api.postLead(body);
    const dup = await api.postLead({ ...body, description: 'Same leak, asking again.' });
    expect(dup.json.duplicateOf).toBe(original.json.id);
    const res = await offer(dup.json.id, first.id);
    expect(res.status).toBe(409);
    expect(res.json.error.code).toBe('provider_duplicate');
  });

  it('refuses a closed lead (409 lead_not_open), an unknown provider (404) and a bad body (400)', async () => {
    const l = await offeredLead(1);
    const p = await api.addProvider({ zipCodes: [uniqueZip()] });
    expect((await offer(l.id, '4b7b3a52-1c1e-4c36-9d0e-2f0c5b8f8a11')).status).toBe(404);
    const bad = await invoke(leadActions, {
      method: 'POST',
      path: `/leads/${l.id}/offers`,
      pathParams: { id: l.id },
      headers: admin,
      body: JSON.stringify({ providerId: 'pat' }),
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'providerId' })]),
    );
    await close(l.id);
    const res = await offer(l.id, p.id);
    expect(res.status).toBe(409);
    expect(res.json.error.code).toBe('lead_not_open');
  });
});
