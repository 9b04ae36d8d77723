/**
 * Operators for tests, made the way people make them: an owner's (here the admin key's)
 * `POST /operators`, then the invitee's `POST /admin/invite` with a password from the link. In
 * process (the functions' handlers) or over HTTP (a running server, for browser tests).
 */
import { handler as consoleFn } from '../../functions/console';
import { handler as operatorsFn } from '../../functions/operators';
import { SESSION_COOKIE } from '../../lib/console/session';
import type { Role } from '../../lib/operators/access';
import { invoke, type Reply } from '../../emulators/events';
import { KEYS, PUBLIC_BASE_URL } from './app';
import { inviteToken, newEmail, OPERATOR_PASSWORD } from './operator-http';

export { inviteToken, newEmail, OPERATOR_PASSWORD };

const ORIGIN = new URL(PUBLIC_BASE_URL).origin;

export type TestOperator = { id: string; email: string; password: string; role: Role; cookie: string };

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
