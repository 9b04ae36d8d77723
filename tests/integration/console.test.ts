/**
 * The operator console's function in-process: its SPA shell and assets, sign-in and sign-out,
 * the session cookie's flags, sessions kept by the server (ended by sign-out and by a new admin
 * key, expired, forged, read or changed from another origin), wrong keys slowed down per
 * address, and the security headers on every answer.
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { APIGatewayProxyResult, Context } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { handler as consoleFn } from '../../functions/console';
import { handler as providers } from '../../functions/providers';
import { resetConfig } from '../../lib/config';
import { SESSION_TTL_SECONDS } from '../../lib/console/session';
import { CONSOLE_CSP } from '../../lib/http/response';
import { KEYS, phoneNumber, PUBLIC_BASE_URL, useApp } from '../support/app';
import { rowCounts } from '../support/writes';
import { expireSession, storedHash } from '../support/console-session';
import { v2Event, type EventInput, type Reply } from '../../emulators/events';

const app = useApp();
const HOST = 'console.example.test';
const OWN_ORIGIN = `https://${HOST}`;

/** A fresh client address per test, so the sign-in counts of one never meet another's. */
const newIp = () => `198.51.100.${randomInt(1, 255)}`;
let ipSeq = 0;
const uniqueIp = () => `203.0.${Math.floor(++ipSeq / 250)}.${(ipSeq % 250) + 1}`;

type Handler = typeof consoleFn;

/** An HTTP API (v2) request from `ip` to this host. */
async function call(handler: Handler, input: EventInput, ip = newIp()): Promise<Reply> {
  const event = v2Event({ ...input, headers: { host: HOST, ...input.headers } });
  event.requestContext.http.sourceIp = ip;
  const result = (await handler(event, {} as Context)) as APIGatewayProxyResult;
  let json: unknown;
  try {
    json = JSON.parse(result.body);
  } catch {
    json = undefined;
  }
  return {
    status: result.statusCode,
    headers: (result.headers ?? {}) as Record<string, string>,
    text: result.body,
    json,
  };
}

const get = (path: string, proxy?: string) =>
  call(consoleFn, { method: 'GET', path, pathParams: proxy === undefined ? undefined : { proxy } });

const signIn = (key: unknown, ip: string, headers: Record<string, string> = {}) =>
  call(
    consoleFn,
    {
      method: 'POST',
      path: '/admin/sign-in',
      headers: { 'content-type': 'application/json', origin: OWN_ORIGIN, ...headers },
      body: JSON.stringify({ key }),
    },
    ip,
  );

/** The `lu_session=…` pair of a Set-Cookie header. */
const cookiePair = (res: Reply) => res.headers['set-cookie']!.split(';')[0]!;

async function session(): Promise<string> {
  const res = await signIn(KEYS.admin, uniqueIp());
  expect(res.status, res.text).toBe(200);
  return cookiePair(res);
}

const newProvider = () =>
  JSON.stringify({
    name: 'Cookie Plumbing',
    phone: phoneNumber(),
    categories: ['plumbing'],
    zipCodes: ['78701'],
  });

const listWith = (headers: Record<string, string>) =>
  call(providers, { method: 'GET', path: '/providers', headers });
const createWith = (headers: Record<string, string>) =>
  call(providers, {
    method: 'POST',
    path: '/providers',
    headers: { 'content-type': 'application/json', ...headers },
    body: newProvider(),
  });
const askSession = (cookie?: string) =>
  call(consoleFn, { method: 'GET', path: '/admin/session', headers: cookie ? { cookie } : {} });
/** The value of a `lu_session=…` pair. */
const valueOf = (pair: string) => pair.slice('lu_session='.length);
const hashOf = (pair: string) => storedHash(valueOf(pair));

function expectSecurityHeaders(res: Reply, local = false) {
  expect(res.headers['content-security-policy']).toBe(CONSOLE_CSP);
  expect(res.headers['content-security-policy']).not.toContain('unsafe-inline');
  expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(res.headers['x-frame-options']).toBe('DENY');
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['referrer-policy']).toBe('no-referrer');
  expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
  if (local) expect(res.headers['strict-transport-security']).toBeUndefined();
  else expect(res.headers['strict-transport-security']).toMatch(/^max-age=\d+/);
}

afterEach(() => {
  delete process.env.IS_OFFLINE;
  process.env.ADMIN_API_KEY = KEYS.admin;
  resetConfig();
});

describe('the SPA', () => {
  it('GET /admin answers the shell: its hashed script and stylesheet, nothing inline', async () => {
    const res = await get('/admin');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    expectSecurityHeaders(res);
    const scripts = [...res.text.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1]!);
    expect(scripts).toHaveLength(1);
    expect(scripts[0]).toMatch(/^ type="module" src="\/admin\/assets\/main-[A-Z0-9]+\.js"$/);
    expect(res.text).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    const files = [...res.text.matchAll(/"\/admin\/assets\/([^"]+)"/g)].map((m) => m[1]!);
    expect(files.map((f) => f.split('.').pop()).sort()).toEqual(['css', 'js']);
    for (const file of files) {
      const asset = await get(`/admin/assets/${file}`, `assets/${file}`);
      expect(asset.status).toBe(200);
      expect(asset.headers['content-type']).toBe(
        file.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8',
      );
      expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(asset.text.length).toBeGreaterThan(1000);
      expectSecurityHeaders(asset);
    }
  });

  it('GET /admin/{proxy+}: the same shell for every page path, 404 JSON for an unknown asset', async () => {
    const shell = (await get('/admin')).text;
    for (const page of ['leads', 'leads/0b3c0d6e-6a4a-4c4e-9a53-0c6f7f0a1b2c', 'providers/', 'sign-in']) {
      const res = await get(`/admin/${page}`, page);
      expect(res.status).toBe(200);
      expect(res.text).toBe(shell);
    }
    for (const missing of ['assets/main-NOPE.js', 'assets/', 'assets/../index.html', 'assets/constructor']) {
      const res = await get(`/admin/${missing}`, missing);
      expect(res.status, missing).toBe(404);
      expect(res.json).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
      expectSecurityHeaders(res);
    }
  });
});

describe('sign-in and sign-out', () => {
  it('the admin key, as JSON or a form, becomes an HttpOnly, SameSite=Strict, Secure 12-hour cookie', async () => {
    const json = await signIn(KEYS.admin, uniqueIp());
    expect(json.status, json.text).toBe(200);
    expect(json.json).toEqual({ signedIn: true, expiresAt: expect.any(String) });
    const hours = (Date.parse(json.json.expiresAt) - Date.now()) / 3_600_000;
    expect(Math.round(hours)).toBe(12);
    const attributes = json.headers['set-cookie']!.split(/;\s*/);
    // A random token (32 bytes), nothing derived from the key or the time.
    expect(attributes[0]).toMatch(/^lu_session=[\w-]{43}$/);
    expect(attributes.slice(1).sort()).toEqual(
      ['HttpOnly', `Max-Age=${SESSION_TTL_SECONDS}`, 'Path=/', 'SameSite=Strict', 'Secure'].sort(),
    );
    expect(SESSION_TTL_SECONDS).toBe(43_200);

    const form = await call(
      consoleFn,
      {
        method: 'POST',
        path: '/admin/sign-in',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `key=${encodeURIComponent(KEYS.admin)}`,
      },
      uniqueIp(),
    );
    expect(form.status, form.text).toBe(200);
    expect(form.headers['set-cookie']).toMatch(/^lu_session=[\w-]{43};/);
  });

  it('in local development (IS_OFFLINE) the cookie is not Secure and there is no HSTS', async () => {
    process.env.IS_OFFLINE = 'true';
    resetConfig();
    // Local development is plain http: the console's own origin is http://<host>.
    expect((await signIn(KEYS.admin, uniqueIp())).json.error.code).toBe('bad_origin');
    const res = await signIn(KEYS.admin, uniqueIp(), { origin: `http://${HOST}` });
    expect(res.status, res.text).toBe(200);
    expect(res.headers['set-cookie']).not.toMatch(/Secure/i);
    expect(res.headers['set-cookie']).toMatch(/HttpOnly; SameSite=Strict/);
    expectSecurityHeaders(res, true);
  });

  it('a wrong key: 403 invalid_key with a clear message, no cookie, nothing else', async () => {
    const res = await signIn('not-the-key', uniqueIp());
    expect(res.status).toBe(403);
    expect(res.json).toEqual({ error: { code: 'invalid_key', message: 'That is not the admin key' } });
    expect(res.headers['set-cookie']).toBeUndefined();
    expectSecurityHeaders(res);
  });

  it('no key, or not a string: 400 naming the field', async () => {
    for (const body of ['{}', '{"key":""}', '{"key":42}', '[]']) {
      const res = await call(
        consoleFn,
        { method: 'POST', path: '/admin/sign-in', headers: { 'content-type': 'application/json' }, body },
        uniqueIp(),
      );
      expect(res.status, body).toBe(400);
      expect(res.headers['set-cookie']).toBeUndefined();
    }
  });

  it('a sign-in posted from another site is refused (bad_origin)', async () => {
    const res = await signIn(KEYS.admin, uniqueIp(), { origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect(res.json.error.code).toBe('bad_origin');
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('sign-out clears the cookie and ends the session on the server: a copy of the cookie opens nothing', async () => {
    const cookie = await session();
    expect((await listWith({ cookie })).status).toBe(200);
    const res = await call(consoleFn, {
      method: 'POST',
      path: '/admin/sign-out',
      headers: { origin: OWN_ORIGIN, cookie },
    });
    expect(res.status).toBe(200);
    expect(res.headers['set-cookie']).toMatch(
      /^lu_session=; Max-Age=0; .*Path=\/; HttpOnly; SameSite=Strict/,
    );
    expectSecurityHeaders(res);
    // The same value, kept by whoever copied it: refused at once, by every admin route.
    const after = await listWith({ cookie });
    expect(after.status).toBe(401);
    expect(after.json.error.code).toBe('unauthorized');
    expect((await askSession(cookie)).status).toBe(401);
    expect(
      (await app.db.query('select 1 from admin_sessions where token_hash = $1', [hashOf(cookie)])).length,
    ).toBe(0);
  });

  it('the database keeps neither the cookie\u2019s token nor the admin key', async () => {
    const cookie = await session();
    const token = cookie.slice('lu_session='.length);
    const rows = await app.db.query('select * from admin_sessions where token_hash = $1', [hashOf(cookie)]);
    expect(rows).toHaveLength(1);
    const stored = JSON.stringify(rows[0]);
    expect(stored).not.toContain(token);
    expect(stored).not.toContain(KEYS.admin);
    expect(rows[0]).toMatchObject({ operator_id: null });
    const hours = ((rows[0]!.expires_at as Date).getTime() - Date.now()) / 3_600_000;
    expect(Math.round(hours)).toBe(12);
  });

  it('a new ADMIN_API_KEY ends every session signed in with the old one', async () => {
    const cookie = await session();
    expect((await listWith({ cookie })).status).toBe(200);
    process.env.ADMIN_API_KEY = 'a-new-admin-key';
    resetConfig();
    const res = await listWith({ cookie });
    expect(res.status).toBe(401);
    expect(res.json.error.code).toBe('unauthorized');
    // A session signed in with the new key works.
    const fresh = await signIn('a-new-admin-key', uniqueIp());
    expect(fresh.status, fresh.text).toBe(200);
    expect((await listWith({ cookie: cookiePair(fresh) })).status).toBe(200);
  });

  it('a sign-in deletes the sessions that have expired, and only those', async () => {
    const expired = await session();
    const live = await session();
    await expireSession(app.db, valueOf(expired));
    expect((await listWith({ cookie: expired })).status).toBe(401);
    await session();
    const left = async (cookie: string) =>
      (await app.db.query('select 1 from admin_sessions where token_hash = $1', [hashOf(cookie)])).length;
    expect(await left(expired)).toBe(0);
    expect(await left(live)).toBe(1);
    expect((await listWith({ cookie: live })).status).toBe(200);
  });
});

describe('wrong keys slowed down', () => {
  it('after 5 wrong keys from one address: 429 with Retry-After, even for the right key; other addresses unaffected', async () => {
    const ip = uniqueIp();
    for (let i = 0; i < 5; i++) expect((await signIn(`wrong-${i}`, ip)).status).toBe(403);
    for (const key of ['wrong-again', KEYS.admin]) {
      const res = await signIn(key, ip);
      expect(res.status).toBe(429);
      expect(res.json.error.code).toBe('too_many_attempts');
      expect(res.headers['set-cookie']).toBeUndefined();
      const wait = Number(res.headers['retry-after']);
      expect(wait).toBeGreaterThan(0);
      expect(wait).toBeLessThanOrEqual(15 * 60);
      expectSecurityHeaders(res);
    }
    expect((await signIn(KEYS.admin, uniqueIp())).status).toBe(200);
  });

  it('a right key resets the count', async () => {
    const ip = uniqueIp();
    for (let i = 0; i < 4; i++) expect((await signIn('wrong', ip)).status).toBe(403);
    expect((await signIn(KEYS.admin, ip)).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await signIn('wrong', ip)).status).toBe(403);
    expect((await signIn('wrong', ip)).status).toBe(429);
  });

  it('a burst of parallel guesses gets no more than 5 checked', async () => {
    const ip = uniqueIp();
    const answers = await Promise.all(Array.from({ length: 12 }, () => signIn('guess', ip)));
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 403)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(7);
  });

  it('after the window, the address may try again (window moved back in the table)', async () => {
    const ip = uniqueIp();
    for (let i = 0; i < 6; i++) await signIn('wrong', ip);
    expect((await signIn(KEYS.admin, ip)).status).toBe(429);
    await app.db.query(
      `update sign_in_failures set window_started_at = now() - interval '16 minutes' where client = $1`,
      [ip],
    );
    expect((await signIn(KEYS.admin, ip)).status).toBe(200);
  });
});

describe('the session cookie on the admin routes', () => {
  it('a signed-in cookie reads and, from the console origin, writes; the Bearer key still works', async () => {
    const cookie = await session();
    const list = await listWith({ cookie });
    expect(list.status, list.text).toBe(200);
    expect(Array.isArray(list.json.providers)).toBe(true);
    expect((await createWith({ cookie, origin: OWN_ORIGIN })).status).toBe(201);
    // PUBLIC_BASE_URL's origin counts as the console's own too.
    expect((await createWith({ cookie, origin: new URL(PUBLIC_BASE_URL).origin })).status).toBe(201);
    expect((await listWith({ authorization: `Bearer ${KEYS.admin}` })).status).toBe(200);
    expect((await createWith({ authorization: `Bearer ${KEYS.admin}` })).status).toBe(201);
  });

  it('with the cookie, a change from another origin, or with no Origin, is refused and writes nothing', async () => {
    const cookie = await session();
    for (const origin of [
      'https://evil.example',
      `http://${HOST}`,
      'null',
      `${OWN_ORIGIN}.evil.example`,
      undefined,
    ]) {
      const before = await rowCounts(app);
      const res = await createWith(origin === undefined ? { cookie } : { cookie, origin });
      expect(res.status, String(origin)).toBe(403);
      expect(res.json.error.code).toBe('bad_origin');
      expect(await rowCounts(app)).toEqual(before);
    }
  });

  it('a forged, tampered or expired cookie is refused like no key (401)', async () => {
    const good = valueOf(await session());
    const expired = valueOf(await session());
    await expireSession(app.db, expired);
    const cookies = {
      unknown: randomBytes(32).toString('base64url'),
      tampered: `${good.slice(0, -1)}${good.endsWith('A') ? 'B' : 'A'}`,
      expired,
      oldFormat: `v1.${Math.floor(Date.now() / 1000) + 3600}.abcdefghijklmnop.${'A'.repeat(43)}`,
      garbage: 'definitely-not-a-session',
      empty: '',
    };
    for (const [what, value] of Object.entries(cookies)) {
      const res = await listWith({ cookie: `lu_session=${value}` });
      expect(res.status, what).toBe(401);
      expect(res.json.error.code).toBe('unauthorized');
    }
    expect((await listWith({})).status).toBe(401);
    // One good value among others of the name: accepted (a browser may send two).
    expect(
      (await listWith({ cookie: `other=1; lu_session=${cookies.unknown}; lu_session=${good}` })).status,
    ).toBe(200);
  });

  it('with the cookie, a read from another origin is refused (bad_origin): Origin, or Sec-Fetch-Site', async () => {
    const cookie = await session();
    for (const headers of <Array<Record<string, string>>>[
      { origin: 'http://localhost:5555' },
      { origin: 'https://evil.example' },
      { origin: 'null' },
      { 'sec-fetch-site': 'same-site' },
      { 'sec-fetch-site': 'cross-site' },
    ]) {
      const res = await listWith({ cookie, ...headers });
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(res.json.error.code).toBe('bad_origin');
      expect(res.text).not.toContain('Cookie Plumbing');
    }
    // The console's own pages, and an address typed by the operator, read.
    for (const headers of <Array<Record<string, string>>>[
      { origin: OWN_ORIGIN },
      { 'sec-fetch-site': 'same-origin' },
      { 'sec-fetch-site': 'none' },
    ]) {
      expect((await listWith({ cookie, ...headers })).status, JSON.stringify(headers)).toBe(200);
    }
    // The Bearer key is not a browser's: no origin rule.
    expect(
      (await listWith({ authorization: `Bearer ${KEYS.admin}`, origin: 'http://localhost:5555' })).status,
    ).toBe(200);
  });

  it('GET /admin/session: 200 with a valid cookie, 401 without or with an expired one', async () => {
    expect((await askSession(await session())).json).toMatchObject({
      signedIn: true,
      actor: { type: 'api_key', id: 'admin' },
      role: 'owner',
      operator: null,
    });
    expect((await askSession()).status).toBe(401);
    const old = await session();
    await expireSession(app.db, valueOf(old));
    const expired = await askSession(old);
    expect(expired.status).toBe(401);
    expectSecurityHeaders(expired);
  });

  it('an Authorization header decides alone: a wrong Bearer key is 403 whatever the cookie', async () => {
    const cookie = await session();
    const res = await listWith({ cookie, authorization: `Bearer ${KEYS.lead}` });
    expect(res.status).toBe(403);
  });

  it('the cookie arrives as HTTP API v2 sends cookies (the event\u2019s cookies array)', async () => {
    const cookie = await session();
    const event = v2Event({ method: 'GET', path: '/providers', headers: { host: HOST } });
    event.cookies = ['theme=dark', cookie];
    const result = (await providers(event, {} as Context)) as APIGatewayProxyResult;
    expect(result.statusCode).toBe(200);
  });
});

describe('security headers', () => {
  it('are on every console answer: pages, assets, sign-in, errors (400, 403, 404, 405, 413, 429)', async () => {
    const ip = uniqueIp();
    for (let i = 0; i < 5; i++) await signIn('wrong', ip);
    const answers = await Promise.all([
      get('/admin'),
      get('/admin/leads', 'leads'),
      get('/admin/assets/x.js', 'assets/x.js'),
      signIn(KEYS.admin, uniqueIp()),
      signIn('wrong', uniqueIp()),
      signIn('wrong', ip),
      call(consoleFn, {
        method: 'POST',
        path: '/admin/sign-in',
        headers: { 'content-type': 'text/plain' },
        body: 'x',
      }),
      call(consoleFn, { method: 'DELETE', path: '/admin' }),
      call(consoleFn, { method: 'POST', path: '/admin/sign-in', body: 'k'.repeat(70_000) }),
      call(consoleFn, { method: 'POST', path: '/admin/sign-out' }),
    ]);
    expect(answers.map((r) => r.status)).toEqual([200, 200, 404, 200, 403, 429, 415, 405, 413, 200]);
    for (const res of answers) expectSecurityHeaders(res);
  });
});
