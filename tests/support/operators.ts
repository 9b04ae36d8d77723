/**
 * Operators for tests, made the way people make them: an owner's (here the admin key's)
 * `POST /operators`, then the invitee's `POST /admin/invite` with a password from the link. In
 * process (the functions' handlers) or over HTTP (a running server, for browser tests).
 */
import { randomUUID } from 'node:crypto';
import { handler as consoleFn } from '../../functions/console';
import { handler as operatorsFn } from '../../functions/operators';
import { SESSION_COOKIE } from '../../lib/console/session';
import type { Role } from '../../lib/operators/access';
import { invoke, type Reply } from '../../emulators/events';
import { KEYS, PUBLIC_BASE_URL } from './app';

export const OPERATOR_PASSWORD = 'correct horse battery staple';
const ORIGIN = new URL(PUBLIC_BASE_URL).origin;

export type TestOperator = { id: string; email: string; password: string; role: Role; cookie: string };

/** A fresh e-mail address, unique in the run. */
export const newEmail = (who = 'op') => `${who}-${randomUUID().slice(0, 8)}@team.example.test`;

/** The token an invite URL carries in its fragment. */
export const inviteToken = (inviteUrl: string): string => new URL(inviteUrl).hash.slice(1);

/** `POST /operators` with the admin key (in process): `{ id, inviteUrl }`. */
export async function invite(
  role: Role,
  email = newEmail(role),
): Promise<{ id: string; inviteUrl: string; email: string }> {
  const res = await invoke(operatorsFn, {
    method: 'POST',
    path: '/operators',
    headers: { authorization: `Bearer ${KEYS.admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ email, name: `Test ${role}`, role }),
  });
  if (res.status !== 201) throw new Error(`POST /operators answered ${res.status}: ${res.text}`);
  return { ...(res.json as { id: string; inviteUrl: string }), email };
}

/** `POST /admin/invite` (in process), from the console's origin. */
export const accept = (token: string, password = OPERATOR_PASSWORD, sourceIp?: string): Promise<Reply> =>
  invoke(consoleFn, {
    method: 'POST',
    path: '/admin/invite',
    headers: { 'content-type': 'application/json', origin: ORIGIN },
    body: JSON.stringify({ token, password }),
    sourceIp,
  });

/** The `lu_session=…` pair a sign-in's Set-Cookie names. */
export function sessionPair(res: Reply): string {
  const pair = (res.headers['set-cookie'] ?? '').split(';')[0]!;
  if (!pair.startsWith(`${SESSION_COOKIE}=`) || pair.length <= SESSION_COOKIE.length + 1) {
    throw new Error(`no session cookie: ${res.status} ${res.text}`);
  }
  return pair;
}

/** An operator of `role`, invited and signed up, with the cookie of their session. */
export async function operatorWithRole(role: Role): Promise<TestOperator> {
  const { id, inviteUrl, email } = await invite(role);
  const res = await accept(inviteToken(inviteUrl));
  return { id, email, password: OPERATOR_PASSWORD, role, cookie: sessionPair(res) };
}

/** `POST /admin/sign-in` by e-mail (in process), from the console's origin and `sourceIp`. */
export const signInByEmail = (
  fields: { email: string; password: string; code?: string },
  sourceIp = `192.0.2.${Math.floor(Math.random() * 250) + 1}`,
): Promise<Reply> =>
  invoke(consoleFn, {
    method: 'POST',
    path: '/admin/sign-in',
    headers: { 'content-type': 'application/json', origin: ORIGIN },
    body: JSON.stringify(fields),
    sourceIp,
  });

/** Headers of a console request as `op`: their cookie, and the console's origin. */
export const as = (op: { cookie: string }): Record<string, string> => ({ cookie: op.cookie, origin: ORIGIN });

/**
 * Over HTTP at `baseUrl` (browser tests): an operator of `role` invited with `adminKey`, signed up;
 * the `lu_session` value of their session.
 */
export async function httpOperator(
  baseUrl: string,
  adminKey: string,
  role: Role,
): Promise<{ id: string; email: string; password: string; session: string }> {
  const email = newEmail(role);
  const created = await fetch(new URL('/operators', baseUrl), {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ email, name: `Test ${role}`, role }),
  });
  const body = (await created.json()) as { id: string; inviteUrl: string };
  if (created.status !== 201)
    throw new Error(`POST /operators answered ${created.status}: ${JSON.stringify(body)}`);
  const res = await fetch(new URL('/admin/invite', baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: new URL(baseUrl).origin },
    body: JSON.stringify({ token: inviteToken(body.inviteUrl), password: OPERATOR_PASSWORD }),
  });
  await res.arrayBuffer();
  const session = new RegExp(`^${SESSION_COOKIE}=([^;]*)`).exec(res.headers.get('set-cookie') ?? '')?.[1];
  if (res.status !== 200 || !session) throw new Error(`POST /admin/invite answered ${res.status}`);
  return { id: body.id, email, password: OPERATOR_PASSWORD, session };
}
