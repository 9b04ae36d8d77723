import { describe, expect, it } from 'vitest';
import { handler as leadRoute } from '../../functions/lead';
import { handler as providers } from '../../functions/providers';
import { KEYS, phoneNumber, useApp } from '../support/app';
import { writesNothing as writesNothingIn } from '../support/writes';
import { invoke, type Reply } from '../../emulators/events';
import { api, lead, linkToken } from '../support/flow';

// The operator's routes: providers (create, list, change) and the lead view.
const app = useApp();

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const UNKNOWN_UUID = '00000000-0000-4000-8000-000000000000';
const admin = { authorization: `Bearer ${KEYS.admin}`, 'content-type': 'application/json' };

let zipSeq = 0;
const uniqueZip = () => `7${String(++zipSeq).padStart(4, '0')}`;

const createProvider = (body: unknown) =>
  invoke(providers, { method: 'POST', path: '/providers', headers: admin, body: JSON.stringify(body) });
const listProviders = () => invoke(providers, { method: 'GET', path: '/providers', headers: admin });
const patchProvider = (id: string, body: unknown, raw = false) =>
  invoke(providers, {
    method: 'PATCH',
    path: `/providers/${id}`,
    pathParams: { id },
    headers: admin,
    body: raw ? (body as string) : JSON.stringify(body),
  });
const getLead = (id: string) =>
  invoke(leadRoute, { method: 'GET', path: `/leads/${id}`, pathParams: { id }, headers: admin });

const provider = (overrides: Record<string, unknown> = {}) => ({
  name: 'Pat Plumber',
  phone: phoneNumber(),
  categories: ['plumbing'],
  zipCodes: [uniqueZip()],
  ...overrides,
});

async function providerRows() {
  return app.db.query('select * from providers order by id');
}

/** Runs `fn` and checks that no provider row changed and nothing else was written. */
async function writesNothing(fn: () => Promise<Reply>): Promise<Reply> {
  const rowsBefore = await providerRows();
  const res = await writesNothingIn(app, fn);
  expect(await providerRows()).toEqual(rowsBefore);
  return res;
}

const fieldsOf = (res: Reply): string[] =>
  [...new Set<string>(res.json?.error?.details?.map((d: { field: string }) => d.field) ?? [])].sort();

function expectError(res: Reply, status: number, code?: string) {
  expect(res.status, res.text).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(res.json.error.code).toEqual(code ?? expect.any(String));
  expect(res.json.error.message).toEqual(expect.any(String));
}

describe('POST /providers', () => {
  it('creates a provider: 201 with its id, the phone in E.164, its categories as the catalogue’s slugs and normalised lists', async () => {
    const zip = uniqueZip();
    const res = await createProvider({
      name: '  Ace Plumbing & Heating ',
      phone: '(512) 555-0190',
      email: 'ace@example.com',
      categories: ['Plumbing', ' HVAC ', 'plumbing', 'Water   Heaters'],
      zipCodes: [zip, ` ${zip} `, 'sw1a 1aa'],
    });
    expect(res.status, res.text).toBe(201);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json).toMatchObject({
      name: 'Ace Plumbing & Heating',
      phone: '+15125550190',
      email: 'ace@example.com',
      categories: ['plumbing', 'hvac', 'water-heaters'],
      zipCodes: [zip, 'SW1A 1AA'],
      active: true,
      optedOut: false,
      lastOfferedAt: null,
    });
    expect(res.json.id).toMatch(UUID_RE);

    const [row] = await app.db.query('select * from providers where id = $1', [res.json.id]);
    expect(row).toMatchObject({
      phone: '+15125550190',
      categories: ['plumbing', 'hvac', 'water-heaters'],
      zip_codes: [zip, 'SW1A 1AA'],
      active: true,
      opted_out: false,
    });
  });

  it('takes active: false and no email', async () => {
    const res = await createProvider(provider({ active: false }));
    expect(res.status, res.text).toBe(201);
    expect(res.json).toMatchObject({ active: false, email: null });
  });

  it('400 naming every missing field, and nothing written', async () => {
    const res = await writesNothing(() => createProvider({}));
    expectError(res, 400, 'validation_failed');
    expect(fieldsOf(res)).toEqual(['categories', 'name', 'phone', 'zipCodes']);
  });

  it('400 naming each bad field: missing or empty lists, bad phone, bad email, bad active', async () => {
    const cases: Array<[Record<string, unknown>, string[]]> = [
      [provider({ categories: undefined }), ['categories']],
      [provider({ categories: [] }), ['categories']],
      [provider({ zipCodes: [] }), ['zipCodes']],
      [provider({ categories: [], zipCodes: [] }), ['categories', 'zipCodes']],
      [provider({ categories: 'plumbing' }), ['categories']],
      [provider({ zipCodes: '78701' }), ['zipCodes']],
      [provider({ categories: ['  '] }), ['categories.0']],
      [provider({ zipCodes: ['78701', 78702] }), ['zipCodes.1']],
      [provider({ phone: '12' }), ['phone']],
      [provider({ phone: '+15555555555' }), ['phone']],
      [provider({ phone: 5125550190 }), ['phone']],
      [provider({ email: 'not-an-email' }), ['email']],
      [provider({ active: 'yes' }), ['active']],
      [provider({ name: '' }), ['name']],
      [provider({ name: 'n'.repeat(201) }), ['name']],
      [
        provider({ name: 'n'.repeat(201), phone: 'x', categories: [], zipCodes: null, email: 'x' }),
        ['categories', 'email', 'name', 'phone', 'zipCodes'],
      ],
    ];
    for (const [body, fields] of cases) {
      const res = await writesNothing(() => createProvider(body));
      expectError(res, 400, 'validation_failed');
      expect(fieldsOf(res), JSON.stringify(body)).toEqual(fields);
    }
  });

  it('400 on bad JSON and 415 on a form body, nothing written', async () => {
    expectError(
      await writesNothing(() =>
        invoke(providers, { method: 'POST', path: '/providers', headers: admin, body: '{"name":' }),
      ),
      400,
      'invalid_json',
    );
    expectError(
      await writesNothing(() =>
        invoke(providers, {
          method: 'POST',
          path: '/providers',
          headers: { ...admin, 'content-type': 'application/x-www-form-urlencoded' },
          body: 'name=Pat&phone=5125550190',
        }),
      ),
      415,
      'unsupported_media_type',
    );
  });

  it('409 on a phone number already taken, however it is written, and nothing written', async () => {
    const first = await createProvider(provider({ phone: '+1 512 555 0191' }));
    expect(first.status, first.text).toBe(201);
    for (const phone of ['+15125550191', '(512) 555-0191', '512.555.0191']) {
      const res = await writesNothing(() => createProvider(provider({ phone, name: 'Someone Else' })));
      expectError(res, 409);
    }
    const rows = await app.db.query<{ name: string }>('select name from providers where phone = $1', [
      '+15125550191',
    ]);
    expect(rows).toEqual([{ name: 'Pat Plumber' }]);
  });
});

describe('GET /providers', () => {
  it('lists the providers with their fields', async () => {
    const a = await createProvider(provider({ name: 'Listed A' }));
    const b = await createProvider(provider({ name: 'Listed B', categories: ['moving'], active: false }));
    const res = await listProviders();
    expect(res.status, res.text).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(Object.keys(res.json)).toEqual(['providers']);
    expect(Array.isArray(res.json.providers)).toBe(true);
    const byId = new Map(res.json.providers.map((p: { id: string }) => [p.id, p]));
    expect(byId.get(a.json.id)).toEqual(a.json);
    expect(byId.get(b.json.id)).toMatchObject({ name: 'Listed B', categories: ['moving'], active: false });
    const [row] = await app.db.query<{ n: string }>('select count(*) as n from providers');
    expect(res.json.providers).toHaveLength(Number(row!.n));
  });
});

describe('PATCH /providers/{id}', () => {
  it('changes active, categories, zipCodes and name', async () => {
    const created = await createProvider(provider({ name: 'Before', phone: '+15125550192' }));
    const id = created.json.id as string;
    const zip = uniqueZip();

    const off = await patchProvider(id, { active: false });
    expect(off.status, off.text).toBe(200);
    expect(off.json).toMatchObject({ id, active: false, name: 'Before', phone: '+15125550192' });

    const lists = await patchProvider(id, { categories: ['Moving', 'Hauling'], zipCodes: [zip, 'w1a 0ax'] });
    expect(lists.status, lists.text).toBe(200);
    expect(lists.json).toMatchObject({
      categories: ['moving', 'hauling'],
      zipCodes: [zip, 'W1A 0AX'],
      active: false,
    });

    const renamed = await patchProvider(id, { name: '  After  ', active: true });
    expect(renamed.status, renamed.text).toBe(200);
    expect(renamed.json).toMatchObject({ name: 'After', active: true, categories: ['moving', 'hauling'] });
    expect(Date.parse(renamed.json.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.json.updatedAt));

    const [row] = await app.db.query('select * from providers where id = $1', [id]);
    expect(row).toMatchObject({
      name: 'After',
      active: true,
      categories: ['moving', 'hauling'],
      zip_codes: [zip, 'W1A 0AX'],
      phone: '+15125550192',
    });
    const listed = (await listProviders()).json.providers.find((p: { id: string }) => p.id === id);
    expect(listed).toEqual(renamed.json);
  });

  it('does not change the phone (not a patchable field)', async () => {
    const created = await createProvider(provider());
    const res = await patchProvider(created.json.id, { name: 'Renamed', phone: '+15125550193' });
    expect(res.status, res.text).toBe(200);
    expect(res.json.phone).toBe(created.json.phone);
  });

  it('what it changes decides who gets the next lead', async () => {
    const zip = uniqueZip();
    const p = await createProvider(provider({ zipCodes: [zip] }));
    expect((await api.postLead(lead({ zipCode: zip }))).json.offeredTo).toBe(1);

    await patchProvider(p.json.id, { active: false });
    expect((await api.postLead(lead({ zipCode: zip, description: 'Job two.' }))).json.offeredTo).toBe(0);

    await patchProvider(p.json.id, { active: true, categories: ['moving'] });
    expect((await api.postLead(lead({ zipCode: zip, description: 'Job three.' }))).json.offeredTo).toBe(0);

    const other = uniqueZip();
    await patchProvider(p.json.id, { categories: ['plumbing'], zipCodes: [other] });
    expect((await api.postLead(lead({ zipCode: zip, description: 'Job four.' }))).json.offeredTo).toBe(0);
    expect((await api.postLead(lead({ zipCode: other, description: 'Job five.' }))).json.offeredTo).toBe(1);
  });

  it('400 on an empty patch or one with nothing it can change, nothing written', async () => {
    const { json } = await createProvider(provider());
    for (const body of [{}, { phone: '+15125550194' }, { optedOut: true }, { id: UNKNOWN_UUID }]) {
      const res = await writesNothing(() => patchProvider(json.id, body));
      expectError(res, 400, 'validation_failed');
    }
  });

  it('400 naming bad values, nothing written', async () => {
    const { json } = await createProvider(provider());
    const cases: Array<[Record<string, unknown>, string[]]> = [
      [{ active: 'no' }, ['active']],
      [{ active: null }, ['active']],
      [{ categories: [] }, ['categories']],
      [{ zipCodes: [] }, ['zipCodes']],
      [{ name: '' }, ['name']],
      [{ name: 'n'.repeat(201) }, ['name']],
      [{ name: '', categories: 'plumbing', zipCodes: [''] }, ['categories', 'name', 'zipCodes.0']],
    ];
    for (const [body, fields] of cases) {
      const res = await writesNothing(() => patchProvider(json.id, body));
      expectError(res, 400, 'validation_failed');
      expect(fieldsOf(res), JSON.stringify(body)).toEqual(fields);
    }
    for (const raw of ['{"active":', '[]', 'null']) {
      expectError(await writesNothing(() => patchProvider(json.id, raw, true)), 400, 'invalid_json');
    }
  });

  it('404 on an unknown id and on an id that is not a UUID, nothing written', async () => {
    for (const id of [UNKNOWN_UUID, 'abc', '123', "1' or '1'='1", `${UNKNOWN_UUID}x`]) {
      const res = await writesNothing(() => patchProvider(id, { active: false }));
      expectError(res, 404, 'not_found');
    }
    const missing = await writesNothing(() =>
      invoke(providers, { method: 'PATCH', path: '/providers/', headers: admin, body: '{"active":false}' }),
    );
    expectError(missing, 404, 'not_found');
  });
});

describe('GET /leads/{id}', () => {
  it('shows the lead with status, offers and an empty unlocks array', async () => {
    const zip = uniqueZip();
    const a = await createProvider(provider({ name: 'Offer A', zipCodes: [zip] }));
    const b = await createProvider(provider({ name: 'Offer B', zipCodes: [zip] }));
    const created = await api.postLead(lead({ zipCode: zip, phone: '(512) 555-0142' }));
    expect(created.status).toBe(201);

    const res = await getLead(created.json.id);
    expect(res.status, res.text).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json).toMatchObject({
      id: created.json.id,
      code: created.json.code,
      status: 'open',
      name: 'Jane Client',
      phone: '+15125550142',
      category: 'plumbing',
      zipCode: zip,
      priceCents: 1500,
      maxUnlocks: 3,
      unlocks: [],
    });
    expect(res.json.offers).toHaveLength(2);
    expect(res.json.offers.map((o: { providerId: string }) => o.providerId).sort()).toEqual(
      [a.json.id, b.json.id].sort(),
    );
    for (const offer of res.json.offers) {
      expect(offer).toMatchObject({ id: expect.stringMatching(UUID_RE), status: 'offered' });
      expect(offer.providerName).toBe(offer.providerId === a.json.id ? 'Offer A' : 'Offer B');
      // The pay link's secret is not shown.
      expect(JSON.stringify(offer)).not.toMatch(/pay_?token/i);
    }
  });

  it('shows unlocks once a provider has paid, and status full at maxUnlocks', async () => {
    const zip = uniqueZip();
    const p = await createProvider(provider({ zipCodes: [zip] }));
    const created = await api.postLead(lead({ zipCode: zip, maxUnlocks: 1, priceCents: 1800 }));
    const phone = p.json.phone as string;

    const before = app.textmagic.sent.length;
    expect((await api.reply(phone, `YES ${created.json.code}`)).status).toBe(200);
    const linkSms = app.textmagic.sent.slice(before).find((m) => m.text.includes('/p/'))!;
    const pay = await api.openPayLink(linkToken(linkSms.text));
    expect(pay.status, pay.text).toBe(303);
    const session = [...app.stripe.sessions.values()].find((s) => s.url === pay.headers.location)!;
    const { payload, header } = app.stripe.sign(app.stripe.completeSession(session.id));
    expect((await api.webhook(payload, header)).status).toBe(200);

    const res = await getLead(created.json.id);
    expect(res.status, res.text).toBe(200);
    expect(res.json.status).toBe('full');
    expect(res.json.unlockCount).toBe(1);
    expect(res.json.offers).toEqual([expect.objectContaining({ providerId: p.json.id, status: 'unlocked' })]);
    expect(res.json.unlocks).toEqual([
      expect.objectContaining({
        providerId: p.json.id,
        offerId: res.json.offers[0].id,
        checkoutSessionId: session.id,
        amountCents: 1800,
        refunded: false,
      }),
    ]);
  });

  it('shows status expired once the lead is past its TTL', async () => {
    const created = await api.postLead(lead({ zipCode: uniqueZip() }));
    await app.db.query("update leads set expires_at = now() - interval '1 minute' where id = $1", [
      created.json.id,
    ]);
    const res = await getLead(created.json.id);
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ status: 'expired', offers: [], unlocks: [] });
  });

  it('404 for an unknown id, and for one that is not a UUID', async () => {
    for (const id of [UNKNOWN_UUID, 'abc', '4821', '']) {
      expectError(await getLead(id), 404, 'not_found');
    }
    expectError(
      await invoke(leadRoute, { method: 'GET', path: '/leads/', headers: admin }),
      404,
      'not_found',
    );
  });
});
