import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { handler as leadRoute } from '../../functions/lead';
import { invoke } from '../../emulators/events';
import { KEYS, phoneNumber, useApp } from '../support/app';
import { duplicateBurst } from '../support/duplicate-burst';
import { api, lead } from '../support/flow';

// Duplicate leads (issue 13): the same client (phone, or e-mail in any case) asking again in the
// same category within DUPLICATE_WINDOW_DAYS. LEAD_MAX_OFFERS is 2 here, so that a duplicate has
// providers left to go to.
const app = useApp({ env: { LEAD_MAX_OFFERS: '2', DUPLICATE_WINDOW_DAYS: '30' } });

let zipSeq = 0;
const uniqueZip = () => `7${String(++zipSeq).padStart(4, '0')}`;

/** A client no other test uses. */
const client = () => ({
  name: 'Dana Duplicate',
  phone: phoneNumber(),
  email: `dana.${randomUUID().slice(0, 8)}@example.org`,
});

const offeredProviders = async (leadId: string) =>
  (await app.db.query<{ provider_id: string }>('select provider_id from offers where lead_id = $1', [leadId]))
    .map((r) => r.provider_id)
    .sort();

const teasersFor = (code: string) => app.textmagic.sent.filter((m) => m.text.includes(`YES ${code}`));

async function post(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const res = await api.postLead(body, headers);
  expect([200, 201], res.text).toContain(res.status);
  return res.json as { id: string; code: string; offeredTo: number; duplicateOf: string | null };
}

describe('POST /leads: duplicates', () => {
  it('the same phone again: a duplicate of the first, offered only to providers not offered it', async () => {
    const zip = uniqueZip();
    const who = client();
    const a = await api.addProvider({ zipCodes: [zip] });
    const b = await api.addProvider({ zipCodes: [zip] });
    const first = await post(lead({ ...who, zipCode: zip }));
    expect(first).toMatchObject({ offeredTo: 2, duplicateOf: null });

    const c = await api.addProvider({ zipCodes: [zip] });
    const before = app.textmagic.sent.length;
    // Same phone, written another way, another e-mail and another job: still the same person.
    const again = await post(
      lead({
        ...who,
        zipCode: zip,
        phone: `+1 ${who.phone.slice(2, 5)} ${who.phone.slice(5, 8)} ${who.phone.slice(8)}`,
        email: 'other@example.org',
        description: 'Also the bathroom tap drips.',
      }),
    );
    expect(again.id).not.toBe(first.id);
    expect(again).toMatchObject({ duplicateOf: first.id, offeredTo: 1 });
    expect(await offeredProviders(again.id)).toEqual([c.id]);
    const sent = app.textmagic.sent.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.phones).toEqual([c.phone.slice(1)]);
    expect(teasersFor(again.code)).toHaveLength(1);
    for (const p of [a, b]) expect(sent.flatMap((m) => m.phones)).not.toContain(p.phone.slice(1));

    // A third time: linked to the original (not to the duplicate), and everyone has had it.
    const third = await post(lead({ ...who, zipCode: zip }));
    expect(third).toMatchObject({ duplicateOf: first.id, offeredTo: 0 });
    expect(teasersFor(third.code)).toHaveLength(0);
    const [row] = await app.db.query<{ duplicate_of: string }>(
      'select duplicate_of from leads where id = $1',
      [third.id],
    );
    expect(row!.duplicate_of).toBe(first.id);
  });

  it('the same e-mail in another case, from another phone: a duplicate', async () => {
    const zip = uniqueZip();
    const who = client();
    await api.addProvider({ zipCodes: [zip] });
    const first = await post(lead({ ...who, zipCode: zip }));
    const again = await post(
      lead({ ...who, phone: phoneNumber(), email: who.email.toUpperCase(), zipCode: zip }),
    );
    expect(again).toMatchObject({ duplicateOf: first.id, offeredTo: 0 });
  });

  it('the same client in another category: not a duplicate', async () => {
    const zip = uniqueZip();
    const who = client();
    const plumber = await api.addProvider({ zipCodes: [zip], categories: ['plumbing', 'electrical'] });
    const first = await post(lead({ ...who, zipCode: zip, category: 'plumbing' }));
    const other = await post(lead({ ...who, zipCode: zip, category: 'electrical' }));
    expect(other).toMatchObject({ duplicateOf: null, offeredTo: 1 });
    expect(await offeredProviders(first.id)).toEqual([plumber.id]);
    expect(await offeredProviders(other.id)).toEqual([plumber.id]);
  });

  it('the same client after DUPLICATE_WINDOW_DAYS: not a duplicate', async () => {
    const zip = uniqueZip();
    const who = client();
    const p = await api.addProvider({ zipCodes: [zip] });
    const first = await post(lead({ ...who, zipCode: zip }));
    await app.db.query(`update leads set created_at = now() - interval '31 days' where id = $1`, [first.id]);
    const later = await post(lead({ ...who, zipCode: zip }));
    expect(later).toMatchObject({ duplicateOf: null, offeredTo: 1 });
    expect(await offeredProviders(later.id)).toEqual([p.id]);

    // Within the window (29 days back) it is one.
    await app.db.query(`update leads set created_at = now() - interval '29 days' where id = $1`, [later.id]);
    const again = await post(lead({ ...who, zipCode: zip }));
    expect(again.duplicateOf).toBe(later.id);
  });

  it('an Idempotency-Key retry is the same lead, not a duplicate; another key is a duplicate', async () => {
    const zip = uniqueZip();
    const who = client();
    await api.addProvider({ zipCodes: [zip] });
    const body = lead({ ...who, zipCode: zip });
    const key = { 'Idempotency-Key': `dup-retry-${zip}` };
    const first = await api.postLead(body, key);
    expect(first.status, first.text).toBe(201);
    const retry = await api.postLead(body, key);
    expect(retry.status, retry.text).toBe(200);
    expect(retry.json).toEqual(first.json);
    expect(retry.json.duplicateOf).toBeNull();

    const other = await post(body, { 'Idempotency-Key': `dup-other-${zip}` });
    expect(other.duplicateOf).toBe(first.json.id);
    // The duplicate's own retry answers it again, still a duplicate.
    const otherRetry = await post(body, { 'Idempotency-Key': `dup-other-${zip}` });
    expect(otherRetry).toEqual(other);
  });

  duplicateBurst(app, uniqueZip);
});

describe('the operator sees duplicates linked', () => {
  it('GET /leads/{id} shows duplicateOf and the duplicates; GET /leads shows duplicateOf', async () => {
    const zip = uniqueZip();
    const who = client();
    const first = await post(lead({ ...who, zipCode: zip }));
    const second = await post(lead({ ...who, zipCode: zip }));
    const third = await post(lead({ ...who, email: null, zipCode: zip }));

    const original = await api.getLead(first.id);
    expect(original.status, original.text).toBe(200);
    expect(original.json.duplicateOf).toBeNull();
    expect(original.json.duplicates).toEqual([
      { id: second.id, code: second.code, createdAt: expect.any(String) },
      { id: third.id, code: third.code, createdAt: expect.any(String) },
    ]);

    const dup = await api.getLead(second.id);
    expect(dup.json).toMatchObject({ duplicateOf: first.id, duplicates: [] });

    const list = await invoke(leadRoute, {
      method: 'GET',
      path: '/leads',
      query: { zipCode: zip },
      headers: { authorization: `Bearer ${KEYS.admin}` },
    });
    expect(list.status, list.text).toBe(200);
    const byId = new Map(
      (list.json.leads as Array<{ id: string; duplicateOf: string | null }>).map((l) => [
        l.id,
        l.duplicateOf,
      ]),
    );
    expect(Object.fromEntries(byId)).toEqual({
      [first.id]: null,
      [second.id]: first.id,
      [third.id]: first.id,
    });
  });
});
