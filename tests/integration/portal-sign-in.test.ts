/**
 * Signing in to the provider portal: ACCOUNT (CUENTA) by SMS, the one-time link's page and its
 * button, the session it starts (checked by requireProvider, as every portal route is), and what
 * ends it. Judged by what the provider gets: the SMS the fake TextMagic receives, the pages and
 * cookies the browser gets, and whether the session lets them in.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { handler as portalPages } from '../../functions/portal-pages';
import { invoke, type Reply } from '../../emulators/events';
import { smsParts } from '../../emulators/fake-textmagic';
import { resetConfig } from '../../lib/config';
import { AppError } from '../../lib/errors';
import { requireProvider } from '../../lib/http/auth';
import { MAX_ANSWERS_PER_HOUR } from '../../lib/messaging/handle-reply';
import type { HttpRequest } from '../../lib/http/request';
import { smsLength } from '../../lib/sms/segments';
import { PUBLIC_BASE_URL, tmDigits, useApp } from '../support/app';
import { api } from '../support/flow';
import { portalLinkToken } from '../support/portal';

const OUR_NUMBER = '+15125550100';
const app = useApp({ env: { TEXTMAGIC_FROM_NUMBER: OUR_NUMBER } });

let zipSeq = 0;
const uniqueZip = () => String(41000 + ++zipSeq);

type Provider = { id: string; phone: string };
const provider = (overrides: Record<string, unknown> = {}): Promise<Provider> =>
  api.addProvider({ zipCodes: [uniqueZip()], ...overrides });

/** The provider texts `word`; the SMS they get back. */
async function text(p: Provider, word: string): Promise<string[]> {
  const before = app.textmagic.sent.length;
  const res = await api.reply(p.phone, word);
  expect(res.status).toBe(200);
  return app.textmagic.sent
    .slice(before)
    .filter((m) => m.phones.includes(tmDigits(p.phone)))
    .map((m) => m.text);
}

/** ACCOUNT, and the token of the one link it answers with. */
async function linkFor(p: Provider, word = 'ACCOUNT'): Promise<string> {
  const sms = await text(p, word);
  expect(sms).toHaveLength(1);
  return portalLinkToken(sms[0]!);
}

const open = (token: string, headers: Record<string, string> = {}) =>
  invoke(portalPages, { method: 'GET', path: `/portal/s/${token}`, pathParams: { token }, headers });

/** The page's button, pressed in a browser on our own origin. */
const press = (token: string, headers: Record<string, string> = { origin: PUBLIC_BASE_URL }) =>
  invoke(portalPages, {
    method: 'POST',
    path: `/portal/s/${token}`,
    pathParams: { token },
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: '',
  });

const signOut = (cookie: string | undefined) =>
  invoke(portalPages, {
    method: 'POST',
    path: '/portal/sign-out',
    headers: { origin: PUBLIC_BASE_URL, ...(cookie ? { cookie } : {}) },
    body: '',
  });

/** The `name=value` of a Set-Cookie, as the browser sends it back. */
const cookieOf = (res: Reply) => res.headers['set-cookie']!.split(';')[0]!;

/** Who a portal request with this cookie is (every portal route asks requireProvider first), or its refusal's status. */
async function signedInAs(cookie: string): Promise<string | number> {
  const req: HttpRequest = {
    method: 'GET',
    path: '/portal/api/anything',
    route: '',
    headers: { cookie, host: 'leads.example.test' },
    query: {},
    pathParams: {},
    rawBody: Buffer.alloc(0),
  };
  try {
    return (await requireProvider(req)).providerId;
  } catch (err) {
    if (err instanceof AppError) return err.status;
    throw err;
  }
}

/** A provider signed in by their own link: the cookie. */
async function signedIn(p: Provider): Promise<string> {
  const res = await press(await linkFor(p));
  expect(res.status).toBe(303);
  return cookieOf(res);
}

const linkRows = async (p: Provider) =>
  app.db.query<{ used_at: Date | null }>('select used_at from portal_links where provider_id = $1', [p.id]);

describe('ACCOUNT by SMS', () => {
  it('answers one segment, in the provider’s language, with a link under PUBLIC_BASE_URL', async () => {
    const en = await provider();
    const [english] = await text(en, 'account');
    expect(english).toMatch(/sign in to your account within 15 min: /);
    const es = await provider({ language: 'es' });
    // Either language's word, from either provider: the answer is in theirs.
    for (const [p, word] of [
      [es, 'Cuenta'],
      [es, 'ACCOUNT'],
    ] as const) {
      const [spanish] = await text(p, word);
      expect(spanish).toMatch(/entre a su cuenta con este enlace \(15 min\): /);
    }
    const [alsoEnglish] = await text(en, 'CUENTA');
    expect(alsoEnglish).toMatch(/sign in to your account/);
    for (const sms of [english!, alsoEnglish!]) {
      expect(sms).toMatch(new RegExp(`${PUBLIC_BASE_URL}/portal/s/[A-Za-z0-9_-]{43}$`));
      expect(smsLength(sms)).toMatchObject({ encoding: 'GSM-7', segments: 1 });
      expect(smsParts(sms)).toBe(1);
    }
    // Stored as every answer is: its kind, to whom, the body as sent.
    const rows = await app.db.query<{ kind: string; body: string }>(
      `select kind, body from sms_messages where provider_id = $1 and kind <> 'opted_in' order by id`,
      [en.id],
    );
    expect(rows).toEqual([
      { kind: 'portal_link', body: english },
      { kind: 'portal_link', body: alsoEnglish },
    ]);
  });

  it('gives nothing to an opted-out or paused provider, nor to an unknown number', async () => {
    const out = await provider();
    await text(out, 'STOP');
    expect(await text(out, 'ACCOUNT')).toEqual([]);
    const paused = await provider();
    expect((await api.patchProvider(paused.id, { active: false })).status).toBe(200);
    expect(await text(paused, 'ACCOUNT')).toEqual([]);
    expect(await linkRows(out)).toEqual([]);
    expect(await linkRows(paused)).toEqual([]);
    const stranger = { id: '', phone: '+15125559876' };
    expect(await text(stranger, 'ACCOUNT')).toEqual([]);
  });

  it('past the hourly answer limit: no SMS, and no link made that would count against the next', async () => {
    const p = await provider();
    await app.db.query(
      `update providers set answers_window_started_at = now(), answers_in_window = $2 where id = $1`,
      [p.id, MAX_ANSWERS_PER_HOUR],
    );
    expect(await text(p, 'ACCOUNT')).toEqual([]);
    expect(await linkRows(p)).toEqual([]);
    await app.db.query(
      `update providers set answers_window_started_at = now() - interval '61 minutes' where id = $1`,
      [p.id],
    );
    expect(await linkFor(p)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('gives at most 3 links in 15 minutes, then once when to ask again, then nothing', async () => {
    const p = await provider();
    const tokens = [await linkFor(p), await linkFor(p), await linkFor(p)];
    expect(new Set(tokens).size).toBe(3);
    const [wait] = await text(p, 'ACCOUNT');
    expect(wait).toMatch(
      /we sent you a sign-in link a few minutes ago\. You can ask for a new one in 15 min\.$/,
    );
    expect(wait).not.toContain('/portal/s/');
    expect(smsLength(wait!)).toMatchObject({ encoding: 'GSM-7', segments: 1 });
    expect(await text(p, 'ACCOUNT')).toEqual([]);
    expect(await linkRows(p)).toHaveLength(3);
    // Every link given still works.
    for (const token of tokens) expect((await press(token)).status).toBe(303);
    // The first link 11 minutes old: a new one in 4 minutes, but the wait was told already.
    await app.db.query(
      `update portal_links set created_at = now() - interval '11 minutes' where provider_id = $1
        and created_at = (select min(created_at) from portal_links where provider_id = $1)`,
      [p.id],
    );
    expect(await text(p, 'ACCOUNT')).toEqual([]);
    // Once the first is 15 minutes old, a new link.
    await app.db.query(
      `update portal_links set created_at = now() - interval '16 minutes' where created_at < now() - interval '10 minutes' and provider_id = $1`,
      [p.id],
    );
    const fresh = await linkFor(p);
    expect((await press(fresh)).status).toBe(303);
    // Per phone: another provider is not held back.
    expect(await linkFor(await provider())).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('says in how many minutes a new link may be asked', async () => {
    const p = await provider({ language: 'es' });
    for (let i = 0; i < 3; i++) await linkFor(p, 'CUENTA');
    await app.db.query(
      `update portal_links set created_at = now() - interval '11 minutes 30 seconds' where provider_id = $1`,
      [p.id],
    );
    const [wait] = await text(p, 'CUENTA');
    expect(wait).toMatch(/Puede pedir otro en 4 min\.$/);
  });

  it('a burst of ACCOUNTs from one phone makes no more than 3 links', async () => {
    const p = await provider();
    const before = app.textmagic.sent.length;
    await Promise.all(Array.from({ length: 6 }, () => api.reply(p.phone, 'ACCOUNT')));
    expect(await linkRows(p)).toHaveLength(3);
    const got = app.textmagic.sent.slice(before).map((m) => m.text);
    expect(got.filter((t) => t.includes('/portal/s/'))).toHaveLength(3);
    expect(got.filter((t) => t.includes('ask for a new one'))).toHaveLength(1);
  });
});

describe('the link', () => {
  it('opening it (a link preview, or the provider) changes nothing; the button signs in, once', async () => {
    const p = await provider();
    const token = await linkFor(p);
    for (let i = 0; i < 2; i++) {
      const page = await open(token, { 'user-agent': 'WhatsApp/2.23.20.0' });
      expect(page.status).toBe(200);
      expect(page.text).toContain('<form method="post"><button type="submit">Sign in</button></form>');
      expect(page.text).not.toMatch(/<script|style=/i);
      expect(page.headers['set-cookie']).toBeUndefined();
    }
    expect(await linkRows(p)).toEqual([{ used_at: null }]);

    const res = await press(token);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/portal');
    const attributes = res.headers['set-cookie']!.split('; ');
    expect(attributes[0]).toMatch(/^lu_portal=[A-Za-z0-9_-]{43}$/);
    expect(attributes).toEqual(
      expect.arrayContaining(['HttpOnly', 'SameSite=Strict', 'Path=/portal', 'Secure']),
    );
    expect(await signedInAs(cookieOf(res))).toBe(p.id);

    const again = await press(token);
    expect(again.status).toBe(410);
    expect(again.headers['set-cookie']).toBeUndefined();
    expect(again.text).toContain('This link was already used');
    expect(again.text).toContain('Text ACCOUNT to +15125550100 for a new link.');
    expect((await open(token)).status).toBe(410);
  });

  it('is in the provider’s language, its pages too', async () => {
    const p = await provider({ language: 'es' });
    const token = await linkFor(p, 'CUENTA');
    const page = await open(token);
    expect(page.text).toContain('<html lang="es">');
    expect(page.text).toContain('>Entrar</button>');
    expect((await press(token)).status).toBe(303);
    const used = await press(token);
    expect(used.text).toContain('Este enlace ya se usó');
    expect(used.text).toContain('Envíe CUENTA al +15125550100 para recibir un enlace nuevo.');
    expect(used.text).not.toContain('Text ACCOUNT');
  });

  it('past its 15 minutes: the expired page, and no session', async () => {
    const p = await provider();
    const token = await linkFor(p);
    await app.db.query(
      `update portal_links set expires_at = now() - interval '1 second' where provider_id = $1`,
      [p.id],
    );
    for (const res of [await open(token), await press(token)]) {
      expect(res.status).toBe(410);
      expect(res.text).toContain('This link has expired');
      expect(res.text).toContain('Text ACCOUNT to +15125550100 for a new link.');
      expect(res.headers['set-cookie']).toBeUndefined();
    }
  });

  it('an unknown link: 404, in English with the Spanish line too', async () => {
    for (const token of ['x'.repeat(43), 'short', '%3Cscript%3E']) {
      for (const res of [await open(token), await press(token)]) {
        expect(res.status).toBe(404);
        expect(res.text).toContain('Link not found');
        expect(res.text).toContain('Text ACCOUNT to +15125550100 for a new link.');
        expect(res.text).toContain('<p class="new" lang="es">Envíe CUENTA al +15125550100');
        expect(res.headers['set-cookie']).toBeUndefined();
      }
    }
  });

  it('the pages: no script, no inline style but their own by hash, never framed', async () => {
    const p = await provider();
    const res = await open(await linkFor(p));
    const csp = res.headers['content-security-policy']!;
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+'(;|$)/);
    expect(csp).not.toMatch(/unsafe-inline|script-src/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(csp).toMatch(/form-action 'self'/);
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['referrer-policy']).toBe('same-origin');
  });

  it('the link of one provider signs in that provider only', async () => {
    const a = await provider();
    const b = await provider();
    const linkA = await linkFor(a);
    const cookieB = await signedIn(b);
    // Pressed in B's browser, A's link signs in A, not B.
    const res = await press(linkA, { origin: PUBLIC_BASE_URL, cookie: cookieB });
    expect(await signedInAs(cookieOf(res))).toBe(a.id);
    expect(await signedInAs(cookieB)).toBe(b.id);
  });

  it('pressed from another site: refused, the link still good', async () => {
    const p = await provider();
    const token = await linkFor(p);
    for (const origin of ['https://evil.example', 'null']) {
      const res = await press(token, { origin });
      expect(res.status).toBe(403);
      expect(res.json.error.code).toBe('bad_origin');
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    expect(await linkRows(p)).toEqual([{ used_at: null }]);
    expect((await press(token)).status).toBe(303);
  });
});

describe('the session ends', () => {
  it('on sign-out: the cookie cleared, a copy of it refused, the signed-out page in their language', async () => {
    const p = await provider({ language: 'es' });
    const cookie = await signedIn(p);
    expect(await signedInAs(cookie)).toBe(p.id);
    const res = await signOut(cookie);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/portal/signed-out?lang=es');
    expect(res.headers['set-cookie']).toMatch(
      /^lu_portal=; Max-Age=0; .*Path=\/portal; HttpOnly; SameSite=Strict; Secure$/,
    );
    expect(await signedInAs(cookie)).toBe(401);
    const page = await invoke(portalPages, {
      method: 'GET',
      path: '/portal/signed-out',
      query: { lang: 'es' },
    });
    expect(page.status).toBe(200);
    expect(page.text).toContain('Sesión cerrada');
    // Without a session, or from another site.
    expect((await signOut(undefined)).headers.location).toBe('/portal/signed-out');
    const other = await signedIn(await provider());
    const refused = await invoke(portalPages, {
      method: 'POST',
      path: '/portal/sign-out',
      headers: { origin: 'https://evil.example', cookie: other },
      body: '',
    });
    expect(refused.status).toBe(403);
    expect(await signedInAs(other)).not.toBe(401);
  });

  it('on STOP by SMS, and START does not bring it back', async () => {
    const p = await provider();
    const cookie = await signedIn(p);
    await text(p, 'STOP');
    expect(await signedInAs(cookie)).toBe(401);
    await text(p, 'START');
    expect(await signedInAs(cookie)).toBe(401);
    // A new link, once back in, works.
    expect(await signedInAs(await signedIn(p))).toBe(p.id);
  });

  it('when the operator pauses the provider, and resuming does not bring it back', async () => {
    const p = await provider();
    const cookie = await signedIn(p);
    const unused = await linkFor(p);
    expect((await api.patchProvider(p.id, { active: false })).status).toBe(200);
    expect(await signedInAs(cookie)).toBe(401);
    // A link they got before: no session while paused.
    const res = await press(unused);
    expect(res.status).toBe(410);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect((await api.patchProvider(p.id, { active: true })).status).toBe(200);
    expect(await signedInAs(cookie)).toBe(401);
  });
});

describe('outside of production', () => {
  const saved = { ...process.env };
  afterEach(() => {
    vi.restoreAllMocks();
    for (const k of ['IS_OFFLINE', 'TEXTMAGIC_USERNAME', 'TEXTMAGIC_API_KEY', 'LOG_LEVEL']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    resetConfig();
  });

  it('locally: the cookie is not Secure, and the link, logged nowhere, signs in', async () => {
    // serverless-offline, and no TextMagic: every SMS is logged instead of sent, but a sign-in link's body.
    process.env.IS_OFFLINE = 'true';
    process.env.LOG_LEVEL = 'debug';
    delete process.env.TEXTMAGIC_USERNAME;
    delete process.env.TEXTMAGIC_API_KEY;
    resetConfig();
    const logged: string[] = [];
    for (const m of ['log', 'error', 'warn', 'info', 'debug'] as const) {
      vi.spyOn(console, m).mockImplementation((...args: unknown[]) => {
        logged.push(args.map(String).join(' '));
      });
    }
    const p = await provider();
    expect((await api.reply(p.phone, 'ACCOUNT')).status).toBe(200);
    const [row] = await app.db.query<{ body: string }>(
      `select body from sms_messages where provider_id = $1 and kind = 'portal_link'`,
      [p.id],
    );
    const token = portalLinkToken(row!.body);
    // HELP's body is logged in this mode: the log is on.
    await api.reply(p.phone, 'HELP');
    expect(logged.join('\n')).toContain('Account: ACCOUNT');
    expect((await open(token)).status).toBe(200);
    const res = await press(token, { origin: 'http://localhost:3000', host: 'localhost:3000' });
    expect(res.status).toBe(303);
    expect(res.headers['set-cookie']).not.toMatch(/Secure/);
    expect(res.headers['set-cookie']).toMatch(/HttpOnly; SameSite=Strict/);
    expect(logged.length).toBeGreaterThan(0);
    for (const line of logged) expect(line).not.toContain(token);
  });
});
