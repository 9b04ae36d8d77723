import { afterEach, describe, expect, it } from 'vitest';
import { resetConfig } from '../../lib/config';
import { writesNothing as writesNothingIn } from '../support/writes';
import { phoneNumber, useApp } from '../support/app';
import type { Reply } from '../../emulators/events';
import { api, lead } from '../support/flow';

// POST /leads against the real database: validation, matching, fairness, the teaser and
// Idempotency-Key. LEAD_MAX_OFFERS is 2 in this file; price and unlock defaults are not the
// built-in ones, so the tests see that the configuration is used. Duplicates are on, as deployed
// (tests/integration/duplicate-leads.test.ts tests them).
const app = useApp({
  env: { LEAD_MAX_OFFERS: '2', LEAD_PRICE_CENTS: '2200', LEAD_MAX_UNLOCKS: '4', DUPLICATE_WINDOW_DAYS: '30' },
});

let zipSeq = 0;
/** A zip code no other test in this file uses, so providers of one test never match another's lead. */
const uniqueZip = () => `6${String(++zipSeq).padStart(4, '0')}`;

const CLIENT = { name: 'Zelda Quimby', phone: '(512) 555-0177', email: 'zelda.quimby@example.org' };
const CLIENT_E164 = '+15125550177';

async function count(sql: string, params: unknown[] = []): Promise<number> {
  const [row] = await app.db.query<{ n: string }>(sql, params);
  return Number(row!.n);
}

const writesNothing = <T>(fn: () => Promise<T>) => writesNothingIn(app, fn);

const fieldsOf = (res: Reply): string[] =>
  [...new Set<string>(res.json?.error?.details?.map((d: { field: string }) => d.field) ?? [])].sort();

/** A 400 validation error naming exactly `fields`, with nothing written. */
async function rejects(body: Record<string, unknown>, fields: string[]): Promise<Reply> {
  const res = await writesNothing(() => api.postLead(body));
  expect(res.status, res.text).toBe(400);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(res.json.error.code).toBe('validation_failed');
  expect(fieldsOf(res)).toEqual([...fields].sort());
  for (const d of res.json.error.details) expect(d.message).toEqual(expect.any(String));
  return res;
}

const teasersFor = (code: string) => app.textmagic.sent.filter((m) => m.text.includes(`YES ${code}`));

const offeredProviders = async (leadId: string) =>
  (await app.db.query<{ provider_id: string }>('select provider_id from offers where lead_id = $1', [leadId]))
    .map((r) => r.provider_id)
    .sort();

describe('POST /leads validation', () => {
  it('names every missing required field in one response', async () => {
    const res = await rejects({}, ['name', 'phone', 'category', 'zipCode', 'description']);
    for (const d of res.json.error.details) expect(d.message).toBe('is required');
    for (const f of ['name', 'phone', 'category', 'zipCode', 'description'])
      expect(res.json.error.message).toContain(f);
  });

  it('names every bad field at once', async () => {
    await rejects(
      {
        name: '',
        phone: '12',
        email: 'nope',
        category: 5,
        zipCode: '   ',
        city: 'c'.repeat(101),
        description: 'x'.repeat(2001),
        budget: 12,
        priceCents: 1.5,
        maxUnlocks: 0,
      },
      [
        'name',
        'phone',
        'email',
        'category',
        'zipCode',
        'city',
        'description',
        'budget',
        'priceCents',
        'maxUnlocks',
      ],
    );
  });

  it('refuses phone numbers that are not valid numbers, naming phone', async () => {
    for (const phone of [
      '12',
      '+15555555555',
      '555-5555',
      'call me',
      '',
      '+1 512 555 0177'.padEnd(41, '7'),
      5125550177,
      null,
    ]) {
      await rejects(lead({ phone }), ['phone']);
    }
  });

  it('refuses bad e-mail addresses, naming email', async () => {
    for (const email of [
      'nope',
      'a@',
      '@example.com',
      'a b@example.com',
      'jane@@example.com',
      42,
      `${'a'.repeat(250)}@example.com`,
    ]) {
      await rejects(lead({ email }), ['email']);
    }
  });

  it('takes a description of up to 2,000 characters, not 2,001', async () => {
    await rejects(lead({ description: 'd'.repeat(2001) }), ['description']);
    await rejects(lead({ description: '   ' }), ['description']);
    const ok = await api.postLead(lead({ zipCode: uniqueZip(), description: 'd'.repeat(2000) }));
    expect(ok.status, ok.text).toBe(201);
    const [row] = await app.db.query<{ description: string }>('select description from leads where id = $1', [
      ok.json.id,
    ]);
    expect(row!.description).toHaveLength(2000);
  });

  it('takes a name of up to 200 characters, not 201', async () => {
    await rejects(lead({ name: 'n'.repeat(201) }), ['name']);
    await rejects(lead({ name: ' \t ' }), ['name']);
    const ok = await api.postLead(lead({ zipCode: uniqueZip(), name: 'n'.repeat(200) }));
    expect(ok.status, ok.text).toBe(201);
  });

  it('refuses priceCents and maxUnlocks that are not whole numbers in range', async () => {
    for (const priceCents of [1.5, '1500', -100, 0, 49, 1_000_001, null, true, [1500]]) {
      await rejects(lead({ priceCents }), ['priceCents']);
    }
    for (const maxUnlocks of [0, -1, 51, 2.5, '3', null, false]) {
      await rejects(lead({ maxUnlocks }), ['maxUnlocks']);
    }
    // The edges are fine.
    const low = await api.postLead(lead({ zipCode: uniqueZip(), priceCents: 50, maxUnlocks: 1 }));
    expect(low.status, low.text).toBe(201);
    expect(low.json).toMatchObject({ priceCents: 50, maxUnlocks: 1 });
    const high = await api.postLead(lead({ zipCode: uniqueZip(), priceCents: 1_000_000, maxUnlocks: 50 }));
    expect(high.status, high.text).toBe(201);
    expect(high.json).toMatchObject({ priceCents: 1_000_000, maxUnlocks: 50 });
  });
});

describe('POST /leads: a valid lead', () => {
  it('answers 201 with the summary and stores the phone in E.164', async () => {
    const res = await api.postLead(lead({ ...CLIENT, zipCode: uniqueZip() }));
    expect(res.status, res.text).toBe(201);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(Object.keys(res.json).sort()).toEqual([
      'code',
      'duplicateOf',
      'id',
      'maxUnlocks',
      'offeredTo',
      'priceCents',
      'status',
      'teasersHeldUntil',
      'unmatchedReason',
    ]);
    expect(res.json.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(res.json.code).toMatch(/^\d{4,6}$/);
    expect(res.json).toMatchObject({
      status: 'open',
      offeredTo: 0,
      unmatchedReason: 'no_provider',
      teasersHeldUntil: null,
      duplicateOf: null,
    });
    const [row] = await app.db.query<{ phone: string; name: string; email: string }>(
      'select phone, name, email from leads where id = $1',
      [res.json.id],
    );
    expect(row).toEqual({ phone: CLIENT_E164, name: CLIENT.name, email: CLIENT.email });
  });

  it('parses the ways people write phone numbers (DEFAULT_COUNTRY US) to E.164', async () => {
    const cases: Array<[string, string]> = [
      ['512-555-0177', CLIENT_E164],
      ['+1 512 555 0177', CLIENT_E164],
      ['1 (512) 555-0177', CLIENT_E164],
      ['512.555.0177', CLIENT_E164],
      ['+44 20 7946 0958', '+442079460958'],
    ];
    for (const [phone, e164] of cases) {
      const res = await api.postLead(lead({ zipCode: uniqueZip(), phone }));
      expect(res.status, `${phone}: ${res.text}`).toBe(201);
      const [row] = await app.db.query<{ phone: string }>('select phone from leads where id = $1', [
        res.json.id,
      ]);
      expect(row!.phone).toBe(e164);
    }
  });

  it('takes price and unlock defaults from LEAD_PRICE_CENTS and LEAD_MAX_UNLOCKS, and the body over them', async () => {
    const byDefault = await api.postLead(lead({ zipCode: uniqueZip() }));
    expect(byDefault.json).toMatchObject({ priceCents: 2200, maxUnlocks: 4 });
    const given = await api.postLead(lead({ zipCode: uniqueZip(), priceCents: 999, maxUnlocks: 2 }));
    expect(given.json).toMatchObject({ priceCents: 999, maxUnlocks: 2 });
    const rows = await app.db.query<{
      id: string;
      price_cents: number;
      max_unlocks: number;
      currency: string;
    }>('select id, price_cents, max_unlocks, currency from leads where id = any($1::uuid[])', [
      [byDefault.json.id, given.json.id],
    ]);
    expect(rows.find((r) => r.id === byDefault.json.id)).toMatchObject({
      price_cents: 2200,
      max_unlocks: 4,
      currency: 'usd',
    });
    expect(rows.find((r) => r.id === given.json.id)).toMatchObject({ price_cents: 999, max_unlocks: 2 });
  });

  it('with no matching provider: 201, offeredTo 0, no offer and no SMS', async () => {
    const zip = uniqueZip();
    await api.addProvider({ zipCodes: [uniqueZip()] }); // right trade, other area
    await api.addProvider({ zipCodes: [zip], categories: ['moving'] }); // right area, other trade
    const sent = app.textmagic.sent.length;
    const res = await api.postLead(lead({ zipCode: zip }));
    expect(res.status, res.text).toBe(201);
    expect(res.json.offeredTo).toBe(0);
    expect(await count('select count(*) as n from offers where lead_id = $1', [res.json.id])).toBe(0);
    expect(await count('select count(*) as n from sms_messages where lead_id = $1', [res.json.id])).toBe(0);
    expect(app.textmagic.sent.length).toBe(sent);
  });
});

describe('POST /leads: matching providers', () => {
  it('offers active, not opted-out providers of the category (any case) and zip code only', async () => {
    const zip = uniqueZip();
    const a = await api.addProvider({ zipCodes: [zip], categories: ['plumbing'] });
    const b = await api.addProvider({ zipCodes: [uniqueZip(), zip], categories: ['HVAC', 'Plumbing'] });
    await api.addProvider({ zipCodes: [zip], categories: ['moving'] });
    await api.addProvider({ zipCodes: [uniqueZip()], categories: ['plumbing'] });
    const inactive = await api.addProvider({ zipCodes: [zip], active: false });
    const optedOut = await api.addProvider({ zipCodes: [zip] });
    await app.db.query('update providers set opted_out = true where id = $1', [optedOut.id]);

    const res = await api.postLead(lead({ zipCode: zip, category: '  PLUMBING ' }));
    expect(res.status, res.text).toBe(201);
    expect(res.json.offeredTo).toBe(2);
    const offered = await offeredProviders(res.json.id);
    expect(offered).toEqual([a.id, b.id].sort());
    expect(offered).not.toContain(inactive.id);
    expect(offered).not.toContain(optedOut.id);

    const teasers = teasersFor(res.json.code);
    expect(teasers).toHaveLength(1);
    expect(teasers[0]!.phones.sort()).toEqual([a.phone, b.phone].map((p) => p.slice(1)).sort());
  });

  it('matches multi-word categories ignoring case and spacing, and a ZIP+4 by its five digits', async () => {
    const zip = uniqueZip();
    const p = await api.addProvider({ zipCodes: [`${zip}-0001`], categories: ['Pest   Control'] });
    const res = await api.postLead(
      lead({ zipCode: ` ${zip}-4321 `, category: 'pest control', phone: '+44 20 7946 0958' }),
    );
    expect(res.status, res.text).toBe(201);
    expect(res.json.offeredTo).toBe(1);
    expect(await offeredProviders(res.json.id)).toEqual([p.id]);
  });

  it('offers no one who is inactive or opted out, even when they are the only match', async () => {
    const zip = uniqueZip();
    await api.addProvider({ zipCodes: [zip], active: false });
    const out = await api.addProvider({ zipCodes: [zip] });
    await app.db.query('update providers set opted_out = true where id = $1', [out.id]);
    const sent = app.textmagic.sent.length;
    const res = await api.postLead(lead({ zipCode: zip }));
    expect(res.json.offeredTo).toBe(0);
    expect(app.textmagic.sent.length).toBe(sent);
  });

  it('offers at most LEAD_MAX_OFFERS (2) providers, least recently offered first', async () => {
    const zip = uniqueZip();
    const a = await api.addProvider({ zipCodes: [zip] });
    const b = await api.addProvider({ zipCodes: [zip] });
    const c = await api.addProvider({ zipCodes: [zip] });

    // Three clients: the same client again would be a duplicate, offered only to the one left.
    const first = await api.postLead(lead({ zipCode: zip, phone: phoneNumber(), email: null }));
    expect(first.json.offeredTo).toBe(2);
    const firstOffered = await offeredProviders(first.json.id);
    expect(firstOffered).toHaveLength(2);
    const left = [a.id, b.id, c.id].find((id) => !firstOffered.includes(id))!;

    // The one left out gets the next lead.
    const second = await api.postLead(
      lead({
        zipCode: zip,
        phone: phoneNumber(),
        email: null,
        description: 'Second job: replace a water heater.',
      }),
    );
    expect(second.json.offeredTo).toBe(2);
    const secondOffered = await offeredProviders(second.json.id);
    expect(secondOffered).toContain(left);

    // The one offered least recently (only the first lead) is first in line for the third.
    const third = await api.postLead(
      lead({ zipCode: zip, phone: phoneNumber(), email: null, description: 'Third job: unclog a drain.' }),
    );
    const thirdOffered = await offeredProviders(third.json.id);
    const stale = firstOffered.find((id) => !secondOffered.includes(id))!;
    expect(thirdOffered).toContain(stale);

    // Each lead's teaser went to exactly its offered providers, in one request.
    const phones = new Map([a, b, c].map((p) => [p.id, p.phone.slice(1)]));
    for (const [res, offered] of [
      [first, firstOffered],
      [second, secondOffered],
      [third, thirdOffered],
    ] as const) {
      const teasers = teasersFor(res.json.code);
      expect(teasers).toHaveLength(1);
      expect(teasers[0]!.phones.sort()).toEqual(offered.map((id) => phones.get(id)!).sort());
    }
  });

  it('with the built-in default (LEAD_MAX_OFFERS unset) offers 10 of 11 matching providers', async () => {
    const saved = process.env.LEAD_MAX_OFFERS;
    delete process.env.LEAD_MAX_OFFERS;
    resetConfig();
    try {
      const zip = uniqueZip();
      const all = [];
      for (let i = 0; i < 11; i++) all.push(await api.addProvider({ zipCodes: [zip] }));
      const res = await api.postLead(lead({ zipCode: zip }));
      expect(res.status, res.text).toBe(201);
      expect(res.json.offeredTo).toBe(10);
      expect(await count('select count(*) as n from offers where lead_id = $1', [res.json.id])).toBe(10);
      const teasers = teasersFor(res.json.code);
      expect(teasers).toHaveLength(1);
      expect(teasers[0]!.phones).toHaveLength(10);
      // The one left out is first in line for the next lead.
      const offered = await offeredProviders(res.json.id);
      const left = all.find((p) => !offered.includes(p.id))!;
      const next = await api.postLead(lead({ zipCode: zip, description: 'Another job in the same area.' }));
      expect(await offeredProviders(next.json.id)).toContain(left.id);
    } finally {
      process.env.LEAD_MAX_OFFERS = saved;
      resetConfig();
    }
  });
});

describe('POST /leads: the teaser', () => {
  it('reaches all matched providers in one TextMagic request, without the client’s name, phone or email', async () => {
    const zip = uniqueZip();
    const a = await api.addProvider({ zipCodes: [zip] });
    const b = await api.addProvider({ zipCodes: [zip] });
    const before = app.textmagic.sent.length;
    const res = await api.postLead(
      lead({
        ...CLIENT,
        zipCode: zip,
        city: 'Round Rock',
        budget: '$300',
        description: 'Water heater leaking in the garage.',
      }),
    );
    expect(res.status, res.text).toBe(201);
    expect(res.json.offeredTo).toBe(2);

    const sent = app.textmagic.sent.slice(before);
    expect(sent).toHaveLength(1);
    const teaser = sent[0]!;
    expect(teaser.phones.sort()).toEqual([a.phone, b.phone].map((p) => p.slice(1)).sort());
    expect(teaser.text).toContain(`YES ${res.json.code}`);
    expect(teaser.text).toContain(zip);
    expect(teaser.text.toLowerCase()).toContain('plumbing');
    expect(teaser.text).toContain('$22.00');
    expect(teaser.text).toContain('$300');
    expect(teaser.text).not.toMatch(/Zelda|Quimby|555-?0177|5550177|zelda\.quimby|example\.org/i);

    const rows = await app.db.query<{ kind: string; recipients: string[]; status: string; body: string }>(
      'select kind, recipients, status, body from sms_messages where lead_id = $1',
      [res.json.id],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: 'teaser', status: 'sent', body: teaser.text });
    expect(rows[0]!.recipients.sort()).toEqual([a.phone, b.phone].sort());
  });
});

describe('POST /leads: Idempotency-Key', () => {
  it('the same key and body again: 200, the same lead, no second teaser or offers', async () => {
    const zip = uniqueZip();
    await api.addProvider({ zipCodes: [zip] });
    await api.addProvider({ zipCodes: [zip] });
    const body = lead({ zipCode: zip });
    const key = { 'Idempotency-Key': `retry-${zip}` };

    const first = await api.postLead(body, key);
    expect(first.status, first.text).toBe(201);
    expect(first.json.offeredTo).toBe(2);

    const again = await writesNothing(() => api.postLead(body, key));
    expect(again.status, again.text).toBe(200);
    expect(again.json).toEqual(first.json);
    expect(teasersFor(first.json.code)).toHaveLength(1);

    // The same request written differently (key order, phone format, spacing) is still a retry.
    const reordered = Object.fromEntries(
      Object.entries({ ...body, phone: '+1 512 555 0142', name: ' Jane Client ' }).reverse(),
    );
    const third = await writesNothing(() => api.postLead(reordered, key));
    expect(third.status, third.text).toBe(200);
    expect(third.json.id).toBe(first.json.id);
  });

  it('the same key with another body: 409 and nothing written', async () => {
    const zip = uniqueZip();
    await api.addProvider({ zipCodes: [zip] });
    const key = { 'Idempotency-Key': `reuse-${zip}` };
    const first = await api.postLead(lead({ zipCode: zip }), key);
    expect(first.status).toBe(201);

    for (const other of [
      lead({ zipCode: zip, description: 'A different job entirely.' }),
      lead({ zipCode: zip, priceCents: 2500 }),
      lead({ zipCode: zip, email: null }),
    ]) {
      const res = await writesNothing(() => api.postLead(other, key));
      expect(res.status, res.text).toBe(409);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.json.error.code).toEqual(expect.any(String));
      expect(res.json.error.message).toEqual(expect.any(String));
    }
    expect(await count('select count(*) as n from leads where idempotency_key = $1', [`reuse-${zip}`])).toBe(
      1,
    );
  });

  it('another key (or none) with the same body is a new lead', async () => {
    const zip = uniqueZip();
    const body = lead({ zipCode: zip });
    const a = await api.postLead(body, { 'Idempotency-Key': `a-${zip}` });
    const b = await api.postLead(body, { 'Idempotency-Key': `b-${zip}` });
    const c = await api.postLead(body);
    expect([a.status, b.status, c.status]).toEqual([201, 201, 201]);
    expect(new Set([a.json.id, b.json.id, c.json.id]).size).toBe(3);
  });

  it('20 concurrent POSTs with one key make exactly one lead and one teaser', async () => {
    const zip = uniqueZip();
    const p1 = await api.addProvider({ zipCodes: [zip] });
    const p2 = await api.addProvider({ zipCodes: [zip] });
    const body = lead({ zipCode: zip });
    const key = `burst-${zip}`;
    const before = app.textmagic.sent.length;

    const replies = await Promise.all(
      Array.from({ length: 20 }, () => api.postLead(body, { 'Idempotency-Key': key })),
    );
    for (const r of replies) expect([200, 201], r.text).toContain(r.status);
    expect(replies.filter((r) => r.status === 201).length).toBeLessThanOrEqual(1);
    const ids = new Set(replies.map((r) => r.json.id));
    expect(ids.size).toBe(1);
    const [id] = ids;
    for (const r of replies) expect(r.json).toMatchObject({ id, offeredTo: 2, status: 'open' });

    expect(await count('select count(*) as n from leads where idempotency_key = $1', [key])).toBe(1);
    expect(await count('select count(*) as n from leads where zip_code = $1', [zip])).toBe(1);
    expect(await count('select count(*) as n from offers where lead_id = $1', [id])).toBe(2);
    expect(await count('select count(*) as n from sms_messages where lead_id = $1', [id])).toBe(1);
    const sent = app.textmagic.sent.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.phones.sort()).toEqual([p1.phone, p2.phone].map((p) => p.slice(1)).sort());
  });

  it('concurrent POSTs with one key and two different bodies: one lead; the other body gets 409', async () => {
    const zip = uniqueZip();
    await api.addProvider({ zipCodes: [zip] });
    const key = `split-${zip}`;
    const bodies = [lead({ zipCode: zip }), lead({ zipCode: zip, description: 'Something else entirely.' })];
    const replies = await Promise.all(
      Array.from({ length: 10 }, (_, i) => api.postLead(bodies[i % 2]!, { 'Idempotency-Key': key })),
    );
    const [row] = await app.db.query<{ id: string; description: string }>(
      'select id, description from leads where idempotency_key = $1',
      [key],
    );
    expect(await count('select count(*) as n from leads where zip_code = $1', [zip])).toBe(1);
    const winner = bodies.findIndex((b) => b.description === row!.description);
    replies.forEach((r, i) => {
      if (i % 2 === winner) {
        expect([200, 201], r.text).toContain(r.status);
        expect(r.json.id).toBe(row!.id);
      } else {
        expect(r.status, r.text).toBe(409);
      }
    });
    expect(await count('select count(*) as n from sms_messages where lead_id = $1', [row!.id])).toBe(1);
  });
});

describe('POST /leads: codes', () => {
  it('gives 30 open leads 30 different 4–6 digit codes', async () => {
    const zip = uniqueZip();
    const codes: string[] = [];
    for (let i = 0; i < 30; i++) {
      const res = await api.postLead(lead({ zipCode: zip, description: `Job number ${i}` }));
      expect(res.status, res.text).toBe(201);
      expect(res.json.code).toMatch(/^\d{4,6}$/);
      codes.push(res.json.code);
    }
    expect(new Set(codes).size).toBe(30);
    // And across the whole table: no two open leads share a code.
    const dupes = await app.db.query(
      'select code from leads where expires_at > now() and unlock_count < max_unlocks group by code having count(*) > 1',
    );
    expect(dupes).toEqual([]);
  });

  it('gives 30 concurrently created leads different codes', async () => {
    const zip = uniqueZip();
    const replies = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        api.postLead(lead({ zipCode: zip, description: `Parallel job ${i}` })),
      ),
    );
    for (const r of replies) expect(r.status, r.text).toBe(201);
    expect(new Set(replies.map((r) => r.json.code)).size).toBe(30);
  });
});

afterEach(() => {
  // Keep the fake's memory small; assertions slice from a length taken inside each test.
  if (app.textmagic.sent.length > 500) app.textmagic.reset();
});
