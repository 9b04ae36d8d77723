/**
 * Operators through the HTTP handlers: invites (one-time links, the token only as its hash),
 * accepting one (the password's rules, then signed in), e-mail sign-in (wrong e-mail and wrong
 * password alike, counted per address and per e-mail), roles read on every request, deactivation
 * and revoked sessions, the last owner kept, the second factor, and the admin key's console
 * sign-in closing once an owner exists (last: it changes the whole file's database).
 */
import { describe, expect, it } from 'vitest';
import { handler as consoleFn } from '../../functions/console';
import { handler as operatorsFn } from '../../functions/operators';
import { handler as providersFn } from '../../functions/providers';
import { handler as returnsFn } from '../../functions/returns';
import { hashPassword, verifyPassword } from '../../lib/operators/password';
import { totpAt } from '../../lib/operators/totp';
import { invoke, type EventInput } from '../../emulators/events';
import { KEYS, phoneNumber, PUBLIC_BASE_URL, useApp } from '../support/app';
import { storedHash } from '../support/console-session';
import {
  accept,
  as,
  invite,
  inviteToken,
  newEmail,
  OPERATOR_PASSWORD,
  operatorWithRole,
  sessionPair,
  signInByEmail,
  type TestOperator,
} from '../support/operators';

const app = useApp();
const KEY = { authorization: `Bearer ${KEYS.admin}`, 'content-type': 'application/json' };
const ORIGIN = new URL(PUBLIC_BASE_URL).origin;

const operators = (input: EventInput) => invoke(operatorsFn, input);
const patch = (id: string, body: unknown, headers: Record<string, string> = KEY) =>
  operators({
    method: 'PATCH',
    path: `/operators/${id}`,
    pathParams: { id },
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
const session = (op: { cookie: string }) =>
  invoke(consoleFn, { method: 'GET', path: '/admin/session', headers: { cookie: op.cookie } });
const addProvider = (op: TestOperator) =>
  invoke(providersFn, {
    method: 'POST',
    path: '/providers',
    headers: { ...as(op), 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'Role Plumbing',
      phone: phoneNumber(),
      categories: ['plumbing'],
      zipCodes: ['78701'],
    }),
  });
let ipSeq = 0;
const freshIp = () => `198.18.${Math.floor(++ipSeq / 250)}.${(ipSeq % 250) + 1}`;

describe('invites', () => {
  it('POST /operators: 201 with an absolute link under PUBLIC_BASE_URL, the token in its fragment and stored only as its hash', async () => {
    const email = newEmail('Casey');
    const res = await operators({
      method: 'POST',
      path: '/operators',
      headers: KEY,
      body: JSON.stringify({ email, name: 'Casey Staff', role: 'staff' }),
    });
    expect(res.status, res.text).toBe(201);
    expect(res.json).toEqual({
      id: expect.any(String),
      inviteUrl: expect.any(String),
      inviteExpiresAt: expect.any(String),
    });
    const url = new URL(res.json.inviteUrl);
    expect(`${url.origin}${url.pathname}`).toBe(`${PUBLIC_BASE_URL}/admin/invite`);
    expect(url.search).toBe('');
    const token = inviteToken(res.json.inviteUrl);
    expect(token).toMatch(/^[\w-]{43}$/);
    const days = (Date.parse(res.json.inviteExpiresAt) - Date.now()) / 86_400_000;
    expect(Math.round(days)).toBe(7);
    const rows = await app.db.query<Record<string, unknown>>(
      'select i.*, o.password_hash from operator_invites i join operators o on o.id = i.operator_id where o.id = $1',
      [res.json.id],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.token_hash).toBe(storedHash(token));
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(rows[0]!.password_hash).toBeNull();

    // The list shows them as invited.
    const list = await operators({ method: 'GET', path: '/operators', headers: KEY });
    expect(list.json.operators.find((o: { id: string }) => o.id === res.json.id)).toMatchObject({
      email,
      name: 'Casey Staff',
      role: 'staff',
      status: 'invited',
      active: true,
      totp: false,
      lastSignInAt: null,
      inviteExpiresAt: res.json.inviteExpiresAt,
    });
  });

  it('an e-mail taken in any case is 409 operator_exists; bad fields are 400 naming each; nothing is written', async () => {
    const { email } = await invite('viewer');
    const again = await operators({
      method: 'POST',
      path: '/operators',
      headers: KEY,
      body: JSON.stringify({ email: email.toUpperCase(), name: 'Twice', role: 'viewer' }),
    });
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe('operator_exists');
    const [{ n } = { n: '' }] = await app.db.query<{ n: string }>('select count(*) as n from operators');
    const bad = await operators({
      method: 'POST',
      path: '/operators',
      headers: KEY,
      body: JSON.stringify({ email: 'not-an-email', name: '', role: 'admin' }),
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.details.map((d: { field: string }) => d.field).sort()).toEqual([
      'email',
      'name',
      'role',
    ]);
    expect((await app.db.query<{ n: string }>('select count(*) as n from operators'))[0]!.n).toBe(n);
  });

  it('accepting: a password under 12 characters is refused (the link still good); then signed in, once', async () => {
    const { id, inviteUrl } = await invite('staff');
    const token = inviteToken(inviteUrl);
    const short = await accept(token, 'elevenchars');
    expect(short.status).toBe(400);
    expect(short.json.error.details).toEqual([
      { field: 'password', message: 'must be at least 12 characters' },
    ]);
    // A long passphrase, any characters: fine.
    const passphrase = 'ünïcödé pässphrase 🙂 '.repeat(10);
    const ok = await accept(token, passphrase);
    expect(ok.status, ok.text).toBe(200);
    const op = { cookie: sessionPair(ok) };
    const me = await session(op);
    expect(me.json).toMatchObject({
      signedIn: true,
      actor: { type: 'operator', id },
      role: 'staff',
      moneyActions: true,
      operator: { id, role: 'staff', totp: false },
    });
    const [row] = await app.db.query<{ password_hash: string }>(
      'select password_hash from operators where id = $1',
      [id],
    );
    expect(row!.password_hash).toMatch(/^\$scrypt\$ln=15,r=8,p=3\$[\w-]{22}\$[\w-]{43}$/);
    expect(row!.password_hash).not.toContain(passphrase);
    // The link works once.
    const again = await accept(token, 'another long password');
    expect(again.status).toBe(410);
    expect(again.json.error.code).toBe('invite_not_valid');
    expect(again.headers['set-cookie']).toBeUndefined();
  });

  it('an expired link, an unknown one and one replaced by a new invite answer 410 alike', async () => {
    const { id, inviteUrl } = await invite('viewer');
    await app.db.query(
      `update operator_invites set expires_at = now() - interval '1 second' where operator_id = $1`,
      [id],
    );
    expect((await accept(inviteToken(inviteUrl))).status).toBe(410);
    expect((await accept('x'.repeat(43))).status).toBe(410);

    const re = await operators({
      method: 'POST',
      path: `/operators/${id}/invite`,
      pathParams: { id },
      headers: KEY,
    });
    expect(re.status, re.text).toBe(200);
    const second = await operators({
      method: 'POST',
      path: `/operators/${id}/invite`,
      pathParams: { id },
      headers: KEY,
    });
    expect((await accept(inviteToken(re.json.inviteUrl))).status).toBe(410);
    expect((await accept(inviteToken(second.json.inviteUrl))).status).toBe(200);
    // Signed up: no new link for them.
    const late = await operators({
      method: 'POST',
      path: `/operators/${id}/invite`,
      pathParams: { id },
      headers: KEY,
    });
    expect(late.status).toBe(409);
    expect(late.json.error.code).toBe('password_set');
  });

  it('an invite posted from another site is refused (bad_origin)', async () => {
    const { inviteUrl } = await invite('viewer');
    const res = await invoke(consoleFn, {
      method: 'POST',
      path: '/admin/invite',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
      body: JSON.stringify({ token: inviteToken(inviteUrl), password: OPERATOR_PASSWORD }),
    });
    expect(res.status).toBe(403);
    expect(res.json.error.code).toBe('bad_origin');
    expect((await accept(inviteToken(inviteUrl))).status).toBe(200);
  });
});

describe('passwords', () => {
  it('scrypt with a salt of its own per hash; the right password verifies, another does not', async () => {
    const [a, b] = [await hashPassword('same password here'), await hashPassword('same password here')];
    expect(a).not.toBe(b);
    expect(await verifyPassword('same password here', a)).toBe(true);
    expect(await verifyPassword('same password herE', a)).toBe(false);
    expect(await verifyPassword('same password here', 'not a hash')).toBe(false);
  });
});

describe('sign-in by e-mail', () => {
  it('e-mail in any case and the password: a session; a wrong password, an unknown e-mail and a deactivated operator answer alike', async () => {
    const op = await operatorWithRole('staff');
    const ok = await signInByEmail(
      { email: `  ${op.email.toUpperCase()} `, password: op.password },
      freshIp(),
    );
    expect(ok.status, ok.text).toBe(200);
    expect((await session({ cookie: sessionPair(ok) })).json.operator.id).toBe(op.id);

    const wrongPassword = await signInByEmail({ email: op.email, password: 'not the password' }, freshIp());
    const unknown = await signInByEmail({ email: newEmail('nobody'), password: op.password }, freshIp());
    expect((await patch(op.id, { active: false })).status).toBe(200);
    const inactive = await signInByEmail({ email: op.email, password: op.password }, freshIp());
    for (const res of [wrongPassword, unknown, inactive]) {
      expect(res.status).toBe(403);
      expect(res.json).toEqual({
        error: { code: 'invalid_credentials', message: 'Wrong e-mail or password' },
      });
      expect(res.headers['set-cookie']).toBeUndefined();
    }
  });

  // Twenty-odd scrypt hashes (each about a tenth of a second alone): room for a busy machine.
  it('five failures from one address, or ten for one e-mail from many, answer 429 with Retry-After, even for the right password', async () => {
    const op = await operatorWithRole('viewer');
    const ip = freshIp();
    for (let i = 0; i < 5; i++) {
      expect((await signInByEmail({ email: op.email, password: `wrong ${i} password` }, ip)).status).toBe(
        403,
      );
    }
    const blocked = await signInByEmail({ email: op.email, password: op.password }, ip);
    expect(blocked.status).toBe(429);
    expect(blocked.json.error.code).toBe('too_many_attempts');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);

    // Another e-mail's count, spread over addresses: ten, then locked for every address.
    const other = await operatorWithRole('viewer');
    for (let i = 0; i < 10; i++) {
      expect(
        (await signInByEmail({ email: other.email, password: `wrong ${i} password` }, freshIp())).status,
      ).toBe(403);
    }
    const locked = await signInByEmail({ email: other.email, password: other.password }, freshIp());
    expect(locked.status).toBe(429);
    expect(locked.json.error.message).toMatch(/for this e-mail/);
    // The table keeps the e-mail's hash, never the address typed.
    const keys = (await app.db.query<{ client: string }>('select client from sign_in_failures')).map(
      (r) => r.client,
    );
    expect(keys.join(' ')).not.toContain(other.email);
    expect(keys.join(' ')).not.toContain('@');
  }, 90_000);
});

describe('roles and sessions', () => {
  it('a role changes from the next request; deactivating ends the sessions at once', async () => {
    const op = await operatorWithRole('staff');
    expect((await addProvider(op)).status).toBe(201);
    expect((await patch(op.id, { role: 'viewer' })).json).toMatchObject({ role: 'viewer', status: 'active' });
    const refused = await addProvider(op);
    expect(refused.status).toBe(403);
    expect(refused.json.error).toMatchObject({
      code: 'forbidden_role',
      details: { access: 'change', role: 'viewer' },
    });
    expect((await session(op)).json.role).toBe('viewer');

    const off = await patch(op.id, { active: false });
    expect(off.json).toMatchObject({ active: false, status: 'deactivated' });
    expect((await session(op)).status).toBe(401);
    const [{ n } = { n: '' }] = await app.db.query<{ n: string }>(
      'select count(*) as n from admin_sessions where operator_id = $1',
      [op.id],
    );
    expect(Number(n)).toBe(0);
  });

  it('POST /operators/{id}/sign-out ends every session of theirs, not others\u2019', async () => {
    const op = await operatorWithRole('staff');
    const second = {
      cookie: sessionPair(await signInByEmail({ email: op.email, password: op.password }, freshIp())),
    };
    const bystander = await operatorWithRole('staff');
    const res = await operators({
      method: 'POST',
      path: `/operators/${op.id}/sign-out`,
      pathParams: { id: op.id },
      headers: KEY,
    });
    expect(res.json).toEqual({ endedSessions: 2 });
    expect((await session(op)).status).toBe(401);
    expect((await session(second)).status).toBe(401);
    expect((await session(bystander)).status).toBe(200);
    // They sign in again with their password.
    expect((await signInByEmail({ email: op.email, password: op.password }, freshIp())).status).toBe(200);
  });

  it('money actions off: staff get 403 naming it on approve, owners do not; staff see it in their session', async () => {
    const staff = await operatorWithRole('staff');
    const owner = await operatorWithRole('owner');
    const setMoney = (on: boolean) =>
      operators({
        method: 'PATCH',
        path: '/team/settings',
        headers: as(owner),
        body: JSON.stringify({ staffMoneyActions: on }),
      });
    // Staff cannot change the setting themselves.
    const own = await operators({
      method: 'PATCH',
      path: '/team/settings',
      headers: as(staff),
      body: '{"staffMoneyActions":true}',
    });
    expect(own.json.error.code).toBe('forbidden_role');
    try {
      expect((await setMoney(false)).json).toEqual({ staffMoneyActions: false });
      const id = '00000000-0000-4000-8000-000000000000';
      const approve = (op: TestOperator) =>
        invoke(returnsFn, {
          method: 'POST',
          path: `/returns/${id}/approve`,
          pathParams: { id },
          headers: as(op),
        });
      const refused = await approve(staff);
      expect(refused.status).toBe(403);
      expect(refused.json.error.message).toMatch(/Money actions are turned off for staff/);
      expect((await approve(owner)).status).toBe(404);
      expect((await session(staff)).json.moneyActions).toBe(false);
      expect((await session(owner)).json.moneyActions).toBe(true);
    } finally {
      await setMoney(true);
    }
    expect((await session(staff)).json.moneyActions).toBe(true);
  });

  it('the last owner who can sign in is kept: 409 last_owner, by an owner or the admin key; with two, one may go', async () => {
    // Other tests' owners aside: this file's database may have some; leave one, this one.
    const owner = await operatorWithRole('owner');
    await app.db.query(`update operators set role = 'staff' where role = 'owner' and id <> $1`, [owner.id]);
    for (const headers of [as(owner), KEY]) {
      for (const change of [{ role: 'staff' }, { active: false }]) {
        const res = await patch(owner.id, change, headers);
        expect(res.status, JSON.stringify(change)).toBe(409);
        expect(res.json.error.code).toBe('last_owner');
      }
    }
    // An owner still invited does not count: they cannot sign in.
    const invited = await invite('owner');
    expect((await patch(owner.id, { role: 'staff' })).status).toBe(409);
    await accept(inviteToken(invited.inviteUrl));
    expect((await patch(owner.id, { role: 'staff' }, as(owner))).json.role).toBe('staff');
    // Demoted: the operators' routes are closed to them from now on.
    expect((await operators({ method: 'GET', path: '/operators', headers: as(owner) })).status).toBe(403);
  });

  it('two owners demoted at once: one change wins, one owner stays', async () => {
    const a = await operatorWithRole('owner');
    const b = await operatorWithRole('owner');
    await app.db.query(`update operators set role = 'staff' where role = 'owner' and id not in ($1, $2)`, [
      a.id,
      b.id,
    ]);
    // By the admin key (both requests get past the role check): the owners' lock decides.
    const byKey = await Promise.all([patch(b.id, { role: 'staff' }), patch(a.id, { role: 'staff' })]);
    expect(byKey.map((r) => r.status).sort()).toEqual([200, 409]);
    const owners = () =>
      app.db.query<{ id: string }>(
        `select id from operators where role = 'owner' and active and password_hash is not null`,
      );
    expect(await owners()).toHaveLength(1);
    // By each other: the one demoted first is no owner by the time their own request is judged.
    const [left] = await owners();
    const self = left!.id === a.id ? a : b;
    const c = await operatorWithRole('owner');
    const mutual = await Promise.all([
      patch(c.id, { role: 'staff' }, as(self)),
      patch(self.id, { role: 'staff' }, as(c)),
    ]);
    expect(mutual.map((r) => r.status).sort()).toEqual([200, expect.any(Number)]);
    expect([403, 409]).toContain(mutual.find((r) => r.status !== 200)!.status);
    expect(await owners()).toHaveLength(1);
  });
});

describe('the second factor (TOTP)', () => {
  const post = (op: TestOperator, path: string, body?: unknown) =>
    invoke(consoleFn, {
      method: 'POST',
      path,
      headers: { ...as(op), 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('enrolled by a code from the shown secret; sign-in then asks for a code, refuses a wrong or reused one; off with a code', async () => {
    const op = await operatorWithRole('viewer');
    const started = await post(op, '/admin/account/totp');
    expect(started.status, started.text).toBe(200);
    const { secret, uri } = started.json as { secret: string; uri: string };
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const parsed = new URL(uri);
    expect(parsed.protocol).toBe('otpauth:');
    expect(parsed.host).toBe('totp');
    expect(decodeURIComponent(parsed.pathname)).toBe(`/Lead Unlock:${op.email}`);
    expect(Object.fromEntries(parsed.searchParams)).toEqual({
      secret,
      issuer: 'Lead Unlock',
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });
    // Not in force before it is confirmed.
    expect((await signInByEmail({ email: op.email, password: op.password }, freshIp())).status).toBe(200);
    const wrong = await post(op, '/admin/account/totp/confirm', {
      code: '000000' === totpAt(secret, Date.now() / 1000) ? '111111' : '000000',
    });
    expect(wrong.status).toBe(400);
    expect(wrong.json.error.code).toBe('invalid_code');
    const confirmed = await post(op, '/admin/account/totp/confirm', {
      code: totpAt(secret, Date.now() / 1000),
    });
    expect(confirmed.json).toEqual({ totp: true });
    expect((await session(op)).json.operator.totp).toBe(true);

    const noCode = await signInByEmail({ email: op.email, password: op.password }, freshIp());
    expect(noCode.status).toBe(401);
    expect(noCode.json.error.code).toBe('totp_required');
    expect(noCode.headers['set-cookie']).toBeUndefined();
    // A wrong password with a code: the same answer as without one.
    const badPassword = await signInByEmail(
      { email: op.email, password: 'wrong password!', code: '123456' },
      freshIp(),
    );
    expect(badPassword.json.error.code).toBe('invalid_credentials');
    // The next step's code (a clock a little ahead) works, once.
    const code = totpAt(secret, Date.now() / 1000 + 30);
    expect((await signInByEmail({ email: op.email, password: op.password, code }, freshIp())).status).toBe(
      200,
    );
    const replay = await signInByEmail({ email: op.email, password: op.password, code }, freshIp());
    expect(replay.status).toBe(403);
    expect(replay.json.error.code).toBe('invalid_code');
    // Two steps away is too far.
    const far = await signInByEmail(
      { email: op.email, password: op.password, code: totpAt(secret, Date.now() / 1000 + 90) },
      freshIp(),
    );
    expect(far.json.error.code).toBe('invalid_code');

    // Off needs a current code not used yet (the next step's was used at sign-in).
    expect(
      (await post(op, '/admin/account/totp/off', { code: totpAt(secret, Date.now() / 1000) })).status,
    ).toBe(400);
    const off = await post(op, '/admin/account/totp/off', { code: totpAt(secret, Date.now() / 1000 + 60) });
    if (off.status !== 200) {
      // Only when the clock crossed a step meanwhile, so that +60 s is two steps on.
      expect(off.json.error.code).toBe('invalid_code');
      return;
    }
    expect(off.json).toEqual({ totp: false });
    expect((await signInByEmail({ email: op.email, password: op.password }, freshIp())).status).toBe(200);
  });

  it('is an operator\u2019s own: the admin key has no account (403)', async () => {
    const res = await invoke(consoleFn, { method: 'POST', path: '/admin/account/totp', headers: KEY });
    expect(res.status).toBe(403);
    expect(res.json.error.code).toBe('forbidden_role');
  });
});

describe('the admin key in the console, once an owner exists (last: it closes key sign-in for this file)', () => {
  const options = () => invoke(consoleFn, { method: 'GET', path: '/admin/sign-in-options' });
  const keySignIn = () =>
    invoke(consoleFn, {
      method: 'POST',
      path: '/admin/sign-in',
      headers: { 'content-type': 'application/json', origin: ORIGIN },
      body: JSON.stringify({ key: KEYS.admin }),
      sourceIp: freshIp(),
    });

  it('signs in until an owner accepts their invite; then 403 key_sign_in_closed, its sessions end, the API key still works', async () => {
    // No owner who can sign in: earlier tests' owners set aside.
    await app.db.query(`update operators set role = 'staff' where role = 'owner'`);
    expect((await options()).json).toEqual({ password: true, adminKey: true });
    const keySession = { cookie: sessionPair(await keySignIn()) };
    expect((await session(keySession)).json).toMatchObject({
      actor: { type: 'api_key' },
      role: 'owner',
      operator: null,
    });

    const { inviteUrl } = await invite('owner');
    // Invited but not signed up: the key still signs in.
    expect((await keySignIn()).status).toBe(200);
    expect((await accept(inviteToken(inviteUrl))).status).toBe(200);

    expect((await options()).json).toEqual({ password: true, adminKey: false });
    const closed = await keySignIn();
    expect(closed.status).toBe(403);
    expect(closed.json.error.code).toBe('key_sign_in_closed');
    expect(closed.json.error.message).toMatch(/sign in with your e-mail and password/);
    expect((await session(keySession)).status).toBe(401);
    // Machines keep the key.
    expect((await operators({ method: 'GET', path: '/operators', headers: KEY })).status).toBe(200);
  });
});
