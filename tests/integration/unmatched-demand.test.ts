/**
 * Demand nobody serves (issue 23 §4): a lead offered to nobody says why (`unmatchedReason`) on
 * POST /leads, GET /leads/{id} and GET /leads, the same on an Idempotency-Key retry; a lead whose
 * teasers wait for quiet hours says until when (`teasersHeldUntil`); GET /stats counts the
 * unmatched leads by category and zip code. Driven through the public routes and the fakes, each
 * scenario in zip codes of its own.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { handler as leadRoute } from '../../functions/lead';
import { handler as statsRoute } from '../../functions/stats';
import { invoke } from '../../emulators/events';
import { KEYS, useApp } from '../support/app';
import { api, lead } from '../support/flow';
import { distinctClient } from '../../emulators/lead-body';
import { uniqueZip } from '../support/market';
import { nextEight, zoneAt } from '../support/time-zones';

// Duplicates on, as deployed; a lead costs 2200.
const app = useApp({
  env: {
    TEASER_HOURS: '08:00-21:00',
    DEFAULT_TIME_ZONE: 'America/Chicago',
    LEAD_PRICE_CENTS: '2200',
    DUPLICATE_WINDOW_DAYS: '30',
  },
});
const admin = { authorization: `Bearer ${KEYS.admin}` };

type Summary = {
  id: string;
  offeredTo: number;
  unmatchedReason: string | null;
  teasersHeldUntil: string | null;
  duplicateOf: string | null;
};

/** POST /leads, from a client of its own unless `body` names one. */
async function postLead(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const res = await api.postLead(lead({ ...distinctClient(), ...body }), headers);
  expect(res.status, res.text).toBeLessThan(300);
  return res.json as Summary;
}

/** The lead as GET /leads/{id} shows it. */
async function shown(id: string) {
  const res = await api.getLead(id);
  expect(res.status, res.text).toBe(200);
  return res.json as Summary;
}

/** A lead in `zip`: offered to nobody, for `reason`, on POST /leads and GET /leads/{id}. */
async function expectUnmatched(zip: string, reason: string, body: Record<string, unknown> = {}) {
  const created = await postLead({ zipCode: zip, ...body });
  expect(created).toMatchObject({ offeredTo: 0, unmatchedReason: reason, teasersHeldUntil: null });
  expect(await shown(created.id)).toMatchObject({ unmatchedReason: reason, teasersHeldUntil: null });
  return created;
}

const stop = async (phone: string) => expect((await api.reply(phone, 'STOP')).status).toBe(200);

beforeEach(() => app.textmagic.reset());

describe('POST /leads and GET /leads/{id}: why a lead was offered to nobody', () => {
  it('no_provider: nobody has this category in this zip code (other categories there do not count)', async () => {
    const zip = uniqueZip();
    await api.addProvider({ zipCodes: [zip], categories: ['roofing'] });
    await api.addProvider({ zipCodes: [uniqueZip()] });
    await expectUnmatched(zip, 'no_provider');
  });

  it('all_paused: the provider serving it is paused; offered again once active', async () => {
    const zip = uniqueZip();
    const pat = await api.addProvider({ zipCodes: [zip], active: false });
    await expectUnmatched(zip, 'all_paused');
    expect((await api.patchProvider(pat.id, { active: true })).status).toBe(200);
    const offered = await postLead({ zipCode: zip });
    expect(offered).toMatchObject({ offeredTo: 1, unmatchedReason: null });
    expect(await shown(offered.id)).toMatchObject({ unmatchedReason: null });
  });

  it('all_awaiting_opt_in: the provider’s opt-in confirmation has not gone out yet', async () => {
    const zip = uniqueZip();
    app.textmagic.fail(1, 503); // the opt-in confirmation's send: it waits for a retry
    await api.addProvider({ zipCodes: [zip] });
    await expectUnmatched(zip, 'all_awaiting_opt_in');
  });

  it('all_at_cap: the provider serving it is over their weekly spend cap', async () => {
    const zip = uniqueZip();
    // The lead costs 2200 (LEAD_PRICE_CENTS): past a 1500 cap for the week.
    await api.addProvider({ zipCodes: [zip], weeklySpendCapCents: 1500 });
    await expectUnmatched(zip, 'all_at_cap');
    // A cheaper lead fits, and is offered.
    expect(await postLead({ zipCode: zip, priceCents: 1000 })).toMatchObject({
      offeredTo: 1,
      unmatchedReason: null,
    });
  });

  it('all_opted_out: every provider serving it replied STOP', async () => {
    const zip = uniqueZip();
    const [a, b] = [await api.addProvider({ zipCodes: [zip] }), await api.addProvider({ zipCodes: [zip] })];
    await stop(a.phone);
    await stop(b.phone);
    await expectUnmatched(zip, 'all_opted_out');
  });

  it('duplicate: the same client asks again and the provider serving it was offered the original', async () => {
    const zip = uniqueZip();
    await api.addProvider({ zipCodes: [zip] });
    const client = { phone: '(512) 555-0143', email: 'dup.unmatched@example.org' };
    const original = await postLead({ zipCode: zip, ...client });
    expect(original).toMatchObject({ offeredTo: 1, unmatchedReason: null });
    const again = await expectUnmatched(zip, 'duplicate', client);
    expect(again.duplicateOf).toBe(original.id);
  });

  it('several at once: the one the operator can act on first (paused, then awaiting opt-in, then caps, then STOP)', async () => {
    // Opted out, at a cap and paused: paused first (resume them).
    const zip = uniqueZip();
    await stop((await api.addProvider({ zipCodes: [zip] })).phone);
    await api.addProvider({ zipCodes: [zip], weeklySpendCapCents: 1500 });
    await api.addProvider({ zipCodes: [zip], active: false });
    await expectUnmatched(zip, 'all_paused');

    // A provider who is paused and opted out counts as opted out (resuming them would not do):
    // the other's cap is what can change.
    const zip2 = uniqueZip();
    const gone = await api.addProvider({ zipCodes: [zip2], active: false });
    await stop(gone.phone);
    await api.addProvider({ zipCodes: [zip2], dailyLeadCap: 0 });
    await expectUnmatched(zip2, 'all_at_cap');

    // A duplicate whose original reached a provider is a duplicate, whatever holds the others back.
    const zip3 = uniqueZip();
    await api.addProvider({ zipCodes: [zip3] });
    const client = { phone: '(512) 555-0144' };
    await postLead({ zipCode: zip3, ...client });
    await api.addProvider({ zipCodes: [zip3], weeklySpendCapCents: 1500 });
    await expectUnmatched(zip3, 'duplicate', client);
  });

  it('an Idempotency-Key retry answers the same reason; GET /leads shows it on the row', async () => {
    const zip = uniqueZip();
    await api.addProvider({ zipCodes: [zip], active: false });
    const key = { 'idempotency-key': `unmatched-${zip}` };
    const body = lead({ zipCode: zip, ...distinctClient() });
    const first = await api.postLead(body, key);
    expect(first.status, first.text).toBe(201);
    // Paused or not now, the retry is the same lead with the same answer.
    const again = await api.postLead(body, key);
    expect(again.status, again.text).toBe(200);
    expect(again.json).toEqual(first.json);
    expect(again.json).toMatchObject({ offeredTo: 0, unmatchedReason: 'all_paused' });

    const list = await invoke(leadRoute, {
      method: 'GET',
      path: '/leads',
      query: { zipCode: zip },
      headers: admin,
    });
    expect(list.json.leads).toEqual([
      expect.objectContaining({ id: first.json.id, offeredTo: 0, unmatchedReason: 'all_paused' }),
    ]);
  });
});

describe('teasersHeldUntil: teasers waiting for quiet hours', () => {
  it('the earliest time a held teaser goes, on POST /leads, its retry and GET /leads/{id}; null once sent', async () => {
    const zip = uniqueZip();
    const night = zoneAt(2);
    const sooner = zoneAt(5); // 05:xx there: its 08:00 comes before the other's
    await api.addProvider({ zipCodes: [zip], timeZone: night.zone });
    await api.addProvider({ zipCodes: [zip], timeZone: sooner.zone });
    await api.addProvider({ zipCodes: [zip], timeZone: zoneAt(12).zone });
    const key = { 'idempotency-key': `held-${zip}` };
    const body = { zipCode: zip, ...distinctClient() };
    const created = await postLead(body, key);
    const due = [nextEight(night.offsetHours), nextEight(sooner.offsetHours)].sort()[0];
    expect(created).toMatchObject({ offeredTo: 3, unmatchedReason: null, teasersHeldUntil: due });
    expect(await postLead(body, key)).toEqual(created);
    expect((await shown(created.id)).teasersHeldUntil).toBe(due);

    // Morning comes for every held teaser: nothing waits any more.
    await app.db.query(`update offers set teaser_at = now() where lead_id = $1`, [created.id]);
    expect((await shown(created.id)).teasersHeldUntil).toBe(null);
  });

  it('null when every matched provider is within their hours', async () => {
    const zip = uniqueZip();
    await api.addProvider({ zipCodes: [zip], timeZone: zoneAt(12).zone });
    const created = await postLead({ zipCode: zip });
    expect(created).toMatchObject({ offeredTo: 1, teasersHeldUntil: null });
    expect((await shown(created.id)).teasersHeldUntil).toBe(null);
  });
});

describe('GET /stats: demand without supply', () => {
  type Group = { leads: number; reasons: Record<string, number> };
  type Unmatched = Group & {
    byCategory: Array<Group & { category: string }>;
    byZip: Array<Group & { zipCode: string }>;
    byCategoryAndZip: Array<Group & { category: string; zipCode: string }>;
  };
  const unmatched = async (query: Record<string, string> = {}) => {
    const res = await invoke(statsRoute, { method: 'GET', path: '/stats', query, headers: admin });
    expect(res.status, res.text).toBe(200);
    return res.json.unmatched as Unmatched;
  };

  it('counts the unmatched leads by category, zip code and both, with their reasons; offered leads not', async () => {
    const before = await unmatched();
    const [none, capped] = [uniqueZip(), uniqueZip()];
    await api.addProvider({
      zipCodes: [capped],
      categories: ['plumbing', 'roofing'],
      weeklySpendCapCents: 1500,
    });
    await api.addProvider({ zipCodes: [capped], categories: ['roofing'] });
    await postLead({ zipCode: none });
    await postLead({ zipCode: none });
    await postLead({ zipCode: capped });
    expect(await postLead({ zipCode: capped, category: 'roofing' })).toMatchObject({ offeredTo: 1 });

    const after = await unmatched();
    expect(after.leads).toBe(before.leads + 3);
    expect(after.reasons.no_provider).toBe((before.reasons.no_provider ?? 0) + 2);
    expect(after.reasons.all_at_cap).toBe((before.reasons.all_at_cap ?? 0) + 1);
    expect(after.byZip.filter((g) => g.zipCode === none || g.zipCode === capped)).toEqual([
      { zipCode: none, leads: 2, reasons: { no_provider: 2 } },
      { zipCode: capped, leads: 1, reasons: { all_at_cap: 1 } },
    ]);
    expect(after.byCategoryAndZip.filter((g) => g.zipCode === capped)).toEqual([
      { category: 'plumbing', zipCode: capped, leads: 1, reasons: { all_at_cap: 1 } },
    ]);
    const plumbing = (u: Unmatched) => u.byCategory.find((g) => g.category === 'plumbing')?.leads ?? 0;
    expect(plumbing(after)).toBe(plumbing(before) + 3);
    // Most leads first.
    const counts = after.byZip.map((g) => g.leads);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));

    // A range that ended before today has none of them.
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const past = await unmatched({ from: yesterday, to: yesterday });
    expect(past.byZip.filter((g) => g.zipCode === none || g.zipCode === capped)).toEqual([]);
  });
});
