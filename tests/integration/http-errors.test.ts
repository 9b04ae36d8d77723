import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handler as createLead } from '../../functions/create-lead';
import { handler as inboundSms } from '../../functions/inbound-sms';
import { handler as leadRoute } from '../../functions/lead';
import { handler as providers } from '../../functions/providers';
import { handler as smsStatus } from '../../functions/sms-status';
import { resetConfig } from '../../lib/config';
import { closeDb } from '../../lib/db/client';
import { toErrorResponse } from '../../lib/http/json-errors';
import { KEYS, phoneNumber, useApp } from '../support/app';
import { writesNothing as writesNothingIn } from '../support/writes';
import { invoke, type EventInput, type Reply } from '../../emulators/events';
import { lead } from '../support/flow';

// HTTP-level refusals: bodies, content types, keys and configuration. Every refusal is a JSON
// error with the right status, and writes nothing.
const app = useApp();

const KIB64 = 64 * 1024;
const UUID = '3f1c2a9e-6b7d-4c1e-9f00-1234567890ab';
const JSON_TYPE = { 'content-type': 'application/json' };
const leadKey = { 'x-api-key': KEYS.lead };
const admin = { authorization: `Bearer ${KEYS.admin}` };

const writesNothing = <T>(fn: () => Promise<T>) => writesNothingIn(app, fn);

/** The contract's error: JSON content type, `{"error":{"code","message","details?"}}`, no internals. */
function expectError(res: Reply, status: number, code: string) {
  expect(res.status, res.text).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(res.json).toBeTypeOf('object');
  expect(res.json.error).toMatchObject({ code });
  expect(res.json.error.message).toBeTypeOf('string');
  expect(res.json.error.message.length).toBeGreaterThan(0);
  expect(Object.keys(res.json).sort()).toEqual(['error']);
  for (const key of Object.keys(res.json.error)) expect(['code', 'message', 'details']).toContain(key);
  expect(res.text).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
}

const postLead = (input: Partial<EventInput> & { body?: string | Buffer }) =>
  invoke(createLead, {
    method: 'POST',
    path: '/leads',
    ...input,
    headers: { ...leadKey, ...JSON_TYPE, ...input.headers },
  });

/** Mutates process.env for one test and puts it back (with the parsed config) afterwards. */
function useEnv() {
  let saved: Record<string, string | undefined> = {};
  const env = {
    set(vars: Record<string, string | undefined>) {
      for (const [k, v] of Object.entries(vars)) {
        if (!(k in saved)) saved[k] = process.env[k];
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      resetConfig();
    },
  };
  afterEach(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    saved = {};
    resetConfig();
  });
  return env;
}

describe('request bodies on POST /leads', () => {
  it('refuses bad JSON with 400 invalid_json and writes nothing', async () => {
    for (const body of ['{"name": "Jane",', "{name: 'Jane'}", '', '   ', 'nope', '{"a":1}{"b":2}']) {
      const res = await writesNothing(() => postLead({ body }));
      expectError(res, 400, 'invalid_json');
    }
  });

  it('refuses JSON that is not an object (array, string, number, null) with 400', async () => {
    for (const value of [[lead()], 'a lead', 42, null, true]) {
      const res = await writesNothing(() => postLead({ body: JSON.stringify(value) }));
      expectError(res, 400, 'invalid_json');
    }
  });

  it('refuses a body that is not JSON by its content type with 415', async () => {
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
    ]) {
      const res = await writesNothing(() =>
        postLead({ headers: { 'content-type': type }, body: JSON.stringify(lead({ zipCode: '41501' })) }),
      );
      expectError(res, 415, 'unsupported_media_type');
    }
  });

  it('accepts application/json with a charset and +json types', async () => {
    const a = await postLead({
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(lead({ zipCode: '41502' })),
    });
    expect(a.status, a.text).toBe(201);
    const b = await postLead({
      headers: { 'content-type': 'application/vnd.api+json' },
      body: JSON.stringify(lead({ zipCode: '41502' })),
    });
    expect(b.status, b.text).toBe(201);
  });

  it('refuses a body over 64 KiB with 413, as a v1 event and as a base64 v2 event', async () => {
    const over = Buffer.alloc(KIB64 + 1, 'a');
    for (const version of ['v1', 'v2'] as const) {
      const res = await writesNothing(() => postLead({ body: over, version }));
      expectError(res, 413, 'payload_too_large');
    }
    // A JSON body that would otherwise be a valid lead, just too big.
    const big = JSON.stringify(lead({ zipCode: '41503', budget: 'x'.repeat(KIB64) }));
    for (const version of ['v1', 'v2'] as const) {
      const res = await writesNothing(() => postLead({ body: big, version }));
      expectError(res, 413, 'payload_too_large');
    }
  });

  it('counts bytes, not characters: 40,000 "é" are 80,000 bytes and over the limit', async () => {
    const body = JSON.stringify({ ...lead(), description: 'é'.repeat(40_000) });
    expect(body.length).toBeLessThan(KIB64);
    for (const version of ['v1', 'v2'] as const) {
      const res = await writesNothing(() => postLead({ body, version }));
      expectError(res, 413, 'payload_too_large');
    }
  });

  it('lets exactly 64 KiB through the size check (v1 and v2) to be judged on its fields', async () => {
    // Exactly 65,536 bytes of valid JSON: the description is too long, so 400 and not 413.
    const base = JSON.stringify(lead({ description: '' }));
    const body = JSON.stringify(lead({ description: 'd'.repeat(KIB64 - base.length) }));
    expect(Buffer.byteLength(body)).toBe(KIB64);
    for (const version of ['v1', 'v2'] as const) {
      const res = await writesNothing(() => postLead({ body, version }));
      expectError(res, 400, 'validation_failed');
      expect(res.json.error.details.map((d: { field: string }) => d.field)).toEqual(['description']);
    }
  });

  it('takes a valid lead as a base64-encoded v2 event', async () => {
    const res = await postLead({ body: JSON.stringify(lead({ zipCode: '41504' })), version: 'v2' });
    expect(res.status, res.text).toBe(201);
    expect(res.json.status).toBe('open');
  });
});

describe('the lead API key on POST /leads', () => {
  const body = JSON.stringify(lead({ zipCode: '41510' }));

  it('answers 401 without x-api-key and writes nothing', async () => {
    for (const headers of [{}, { 'x-api-key': '' }] as Record<string, string>[]) {
      const res = await writesNothing(() =>
        invoke(createLead, { method: 'POST', path: '/leads', headers: { ...JSON_TYPE, ...headers }, body }),
      );
      expectError(res, 401, 'unauthorized');
    }
  });

  it('answers 403 with a wrong key (also the admin key, or the right key with a suffix) and writes nothing', async () => {
    for (const key of [
      'wrong',
      KEYS.admin,
      `${KEYS.lead}x`,
      KEYS.lead.toUpperCase(),
      `Bearer ${KEYS.lead}`,
    ]) {
      const res = await writesNothing(() => postLead({ headers: { 'x-api-key': key }, body }));
      expectError(res, 403, 'forbidden');
    }
  });

  it('checks the key before it reads the body', async () => {
    const res = await writesNothing(() =>
      invoke(createLead, { method: 'POST', path: '/leads', headers: JSON_TYPE, body: '{not json' }),
    );
    expectError(res, 401, 'unauthorized');
  });

  it('reads header names case-insensitively (v1 events keep the sender’s case)', async () => {
    const res = await invoke(createLead, {
      method: 'POST',
      path: '/leads',
      headers: { 'X-Api-Key': KEYS.lead, 'Content-Type': 'application/json' },
      body,
    });
    expect(res.status, res.text).toBe(201);
  });
});

describe('the admin key', () => {
  const routes: Array<{ name: string; handler: typeof providers; input: EventInput }> = [
    { name: 'GET /providers', handler: providers, input: { method: 'GET', path: '/providers' } },
    {
      name: 'POST /providers',
      handler: providers,
      input: {
        method: 'POST',
        path: '/providers',
        headers: JSON_TYPE,
        body: JSON.stringify({
          name: 'Kim Key',
          phone: phoneNumber(),
          categories: ['plumbing'],
          zipCodes: ['41520'],
        }),
      },
    },
    {
      name: 'PATCH /providers/{id}',
      handler: providers,
      input: {
        method: 'PATCH',
        path: `/providers/${UUID}`,
        pathParams: { id: UUID },
        headers: JSON_TYPE,
        body: '{"active":false}',
      },
    },
    {
      name: 'GET /leads/{id}',
      handler: leadRoute,
      input: { method: 'GET', path: `/leads/${UUID}`, pathParams: { id: UUID } },
    },
  ];

  const call = (r: (typeof routes)[number], headers: Record<string, string>) =>
    invoke(r.handler, { ...r.input, headers: { ...r.input.headers, ...headers } });

  for (const r of routes) {
    it(`${r.name}: 401 without a Bearer key, 403 with a wrong one or the lead key; nothing written`, async () => {
      for (const headers of [
        {},
        { authorization: '' },
        { authorization: 'Bearer ' },
        { authorization: KEYS.admin },
        { authorization: `Basic ${KEYS.admin}` },
      ] as Record<string, string>[]) {
        expectError(await writesNothing(() => call(r, headers)), 401, 'unauthorized');
      }
      for (const headers of [
        { authorization: 'Bearer wrong' },
        { authorization: `Bearer ${KEYS.lead}` },
        { authorization: `Bearer ${KEYS.admin}x` },
      ]) {
        expectError(await writesNothing(() => call(r, headers)), 403, 'forbidden');
      }
      // The lead key in its own header opens nothing here either.
      expectError(await writesNothing(() => call(r, { 'x-api-key': KEYS.lead })), 401, 'unauthorized');
    });
  }

  it('opens the admin routes with the right key (the scheme in any case)', async () => {
    for (const authorization of [`Bearer ${KEYS.admin}`, `bearer ${KEYS.admin}`]) {
      const res = await invoke(providers, { method: 'GET', path: '/providers', headers: { authorization } });
      expect(res.status, res.text).toBe(200);
      expect(res.json).toHaveProperty('providers');
    }
  });
});

describe('the ?token= of the TextMagic callbacks', () => {
  const inbound = new URLSearchParams({
    id: '9001',
    sender: '15125550100',
    receiver: '15125550000',
    text: 'HELP',
  }).toString();
  const status = new URLSearchParams({ id: '9002', status: 'd', receiver: '15125550100' }).toString();
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const routes = [
    { name: 'POST /sms/inbound', handler: inboundSms, path: '/sms/inbound', body: inbound },
    { name: 'POST /sms/status', handler: smsStatus, path: '/sms/status', body: status },
  ];

  for (const r of routes) {
    it(`${r.name}: 401 without a token, 403 with a wrong one; nothing written`, async () => {
      const call = (query?: Record<string, string>) =>
        invoke(r.handler, { method: 'POST', path: r.path, headers: form, query, body: r.body });
      expectError(await writesNothing(() => call()), 401, 'unauthorized');
      expectError(await writesNothing(() => call({ token: '' })), 401, 'unauthorized');
      expectError(await writesNothing(() => call({ other: KEYS.sms })), 401, 'unauthorized');
      for (const token of ['wrong', KEYS.admin, KEYS.lead, `${KEYS.sms}x`]) {
        expectError(await writesNothing(() => call({ token })), 403, 'forbidden');
      }
      const ok = await call({ token: KEYS.sms });
      expect(ok.status, ok.text).toBe(200);
    });
  }
});

describe('a deployed stage (no IS_OFFLINE) with a key not configured', () => {
  const env = useEnv();

  it('POST /leads answers 503 not_configured, with or without a key, and writes nothing', async () => {
    env.set({ LEAD_API_KEY: undefined, IS_OFFLINE: undefined });
    for (const headers of [
      {},
      { 'x-api-key': KEYS.lead },
      { 'x-api-key': 'local-lead-key' },
      { 'x-api-key': '' },
    ] as Record<string, string>[]) {
      const res = await writesNothing(() =>
        postLead({ headers, body: JSON.stringify(lead({ zipCode: '41530' })) }),
      );
      expectError(res, 503, 'not_configured');
      expect(res.json.error.message).toContain('LEAD_API_KEY');
    }
  });

  it('an empty LEAD_API_KEY counts as not configured, never as "no key needed"', async () => {
    env.set({ LEAD_API_KEY: '', IS_OFFLINE: undefined });
    for (const headers of [{}, { 'x-api-key': '' }, { 'x-api-key': ' ' }] as Record<string, string>[]) {
      const res = await writesNothing(() =>
        postLead({ headers, body: JSON.stringify(lead({ zipCode: '41531' })) }),
      );
      expectError(res, 503, 'not_configured');
    }
  });

  it('admin routes answer 503 when ADMIN_API_KEY is unset, and only those', async () => {
    env.set({ ADMIN_API_KEY: undefined, IS_OFFLINE: 'false' });
    for (const headers of [
      {},
      { authorization: `Bearer ${KEYS.admin}` },
      { authorization: 'Bearer local-admin-key' },
    ] as Record<string, string>[]) {
      const list = await writesNothing(() =>
        invoke(providers, { method: 'GET', path: '/providers', headers }),
      );
      expectError(list, 503, 'not_configured');
      expect(list.json.error.message).toContain('ADMIN_API_KEY');
      const view = await writesNothing(() =>
        invoke(leadRoute, { method: 'GET', path: `/leads/${UUID}`, pathParams: { id: UUID }, headers }),
      );
      expectError(view, 503, 'not_configured');
    }
    // The lead route still works with its own key.
    const res = await postLead({ body: JSON.stringify(lead({ zipCode: '41532' })) });
    expect(res.status, res.text).toBe(201);
  });

  it('the SMS callbacks answer 503 when INBOUND_SMS_TOKEN is unset', async () => {
    env.set({ INBOUND_SMS_TOKEN: undefined, IS_OFFLINE: undefined });
    for (const [handler, path] of [
      [inboundSms, '/sms/inbound'],
      [smsStatus, '/sms/status'],
    ] as const) {
      for (const query of [undefined, { token: KEYS.sms }, { token: 'local-sms-token' }]) {
        const res = await writesNothing(() =>
          invoke(handler, {
            method: 'POST',
            path,
            query,
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: 'id=77&sender=15125550100&status=d&text=HELP',
          }),
        );
        expectError(res, 503, 'not_configured');
        expect(res.json.error.message).toContain('INBOUND_SMS_TOKEN');
      }
    }
  });
});

describe('local development (IS_OFFLINE=true)', () => {
  const env = useEnv();

  it('unset keys take the development values, and only those open the routes', async () => {
    env.set({
      IS_OFFLINE: 'true',
      LEAD_API_KEY: undefined,
      ADMIN_API_KEY: undefined,
      INBOUND_SMS_TOKEN: undefined,
    });

    const created = await postLead({
      headers: { 'x-api-key': 'local-lead-key' },
      body: JSON.stringify(lead({ zipCode: '41540' })),
    });
    expect(created.status, created.text).toBe(201);
    expectError(await postLead({ headers: { 'x-api-key': KEYS.lead }, body: '{}' }), 403, 'forbidden');
    expectError(await postLead({ headers: { 'x-api-key': '' }, body: '{}' }), 401, 'unauthorized');

    const list = await invoke(providers, {
      method: 'GET',
      path: '/providers',
      headers: { authorization: 'Bearer local-admin-key' },
    });
    expect(list.status, list.text).toBe(200);
    const view = await invoke(leadRoute, {
      method: 'GET',
      path: `/leads/${created.json.id}`,
      pathParams: { id: created.json.id },
      headers: { authorization: 'Bearer local-admin-key' },
    });
    expect(view.status, view.text).toBe(200);
    expectError(
      await invoke(providers, {
        method: 'GET',
        path: '/providers',
        headers: { authorization: 'Bearer local-lead-key' },
      }),
      403,
      'forbidden',
    );

    const sms = await invoke(inboundSms, {
      method: 'POST',
      path: '/sms/inbound',
      query: { token: 'local-sms-token' },
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'id=local-1&sender=15125550100&receiver=15125550000&text=HELP',
    });
    expect(sms.status, sms.text).toBe(200);
    const report = await invoke(smsStatus, {
      method: 'POST',
      path: '/sms/status',
      query: { token: 'local-sms-token' },
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'id=local-2&status=d&receiver=15125550100',
    });
    expect(report.status, report.text).toBe(200);
  });

  it('a configured key wins over the development value, even locally', async () => {
    env.set({ IS_OFFLINE: 'true' });
    const res = await writesNothing(() =>
      postLead({
        headers: { 'x-api-key': 'local-lead-key' },
        body: JSON.stringify(lead({ zipCode: '41541' })),
      }),
    );
    expectError(res, 403, 'forbidden');
    expectError(
      await invoke(providers, {
        method: 'GET',
        path: '/providers',
        headers: { authorization: 'Bearer local-admin-key' },
      }),
      403,
      'forbidden',
    );
  });
});

describe('unexpected failures', () => {
  const env = useEnv();

  it('a field value Postgres cannot store (NUL character) is a 400, not a 500, and writes nothing', async () => {
    const res = await writesNothing(() =>
      postLead({ body: JSON.stringify(lead({ zipCode: '41550', name: 'Ja\u0000ne' })) }),
    );
    expectError(res, 400, 'validation_failed');
    expect(res.json.error.details).toEqual([expect.objectContaining({ field: 'name' })]);
    const prov = await writesNothing(() =>
      invoke(providers, {
        method: 'POST',
        path: '/providers',
        headers: { ...admin, ...JSON_TYPE },
        body: JSON.stringify({
          name: 'Pat',
          phone: phoneNumber(),
          categories: ['plumb\u0000ing'],
          zipCodes: ['41550'],
        }),
      }),
    );
    expectError(prov, 400, 'validation_failed');
  });

  it('an unknown error becomes 500 internal_error with no message, stack or class of its own', () => {
    const err = new TypeError('secret detail: password=hunter2 at /var/task/lib/x.ts:12');
    const res = toErrorResponse(err);
    expect(res.statusCode).toBe(500);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = JSON.parse(res.body);
    expect(body).toEqual({ error: { code: 'internal_error', message: expect.any(String) } });
    expect(res.body).not.toMatch(/hunter2|TypeError|\.ts:|at \//);
  });

  it('an unreachable database is 503 database_unavailable, without the driver’s words', async () => {
    env.set({ DATABASE_URL: 'postgres://nobody:pw@127.0.0.1:1/none' });
    await closeDb();
    try {
      const res = await postLead({ body: JSON.stringify(lead({ zipCode: '41551' })) });
      expectError(res, 503, 'database_unavailable');
      expect(res.text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|nobody|pw@/);
      const list = await invoke(providers, { method: 'GET', path: '/providers', headers: admin });
      expectError(list, 503, 'database_unavailable');
    } finally {
      await closeDb();
    }
  });

  it('the database is back after that', async () => {
    const list = await invoke(providers, { method: 'GET', path: '/providers', headers: admin });
    expect(list.status, list.text).toBe(200);
  });

  it('an unsupported method on /providers is a JSON 405', async () => {
    const res = await writesNothing(() =>
      invoke(providers, {
        method: 'DELETE',
        path: `/providers/${UUID}`,
        pathParams: { id: UUID },
        headers: admin,
      }),
    );
    expectError(res, 405, 'method_not_allowed');
  });
});

describe('Idempotency-Key header shape', () => {
  it('refuses an empty or over-long key with 400 and writes nothing', async () => {
    for (const key of ['', '   ', 'k'.repeat(256)]) {
      const res = await writesNothing(() =>
        postLead({ headers: { 'idempotency-key': key }, body: JSON.stringify(lead({ zipCode: '41560' })) }),
      );
      expectError(res, 400, 'invalid_idempotency_key');
    }
    const ok = await postLead({
      headers: { 'idempotency-key': 'k'.repeat(255) },
      body: JSON.stringify(lead({ zipCode: '41560' })),
    });
    expect(ok.status, ok.text).toBe(201);
  });
});

beforeEach(() => {
  app.textmagic.reset();
});
