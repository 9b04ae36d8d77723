/**
 * Console sessions for tests over HTTP, made the way a browser gets them: `POST /admin/sign-in`
 * from the console's own origin (the admin key's, while no owner exists), an operator's through
 * their invite (tests/support/operators.ts), and `POST /admin/sign-out`.
 */
import { createHash } from 'node:crypto';
import { SESSION_COOKIE } from '../../lib/console/session';
import type { TestBrowser } from './browser';
import type { TestDatabase } from './database';
import type { Role } from '../../lib/operators/access';
import { httpOperator } from './operator-http';

/** The `lu_session` value a sign-in with `key` at `baseUrl` sets. */
export async function signInSession(baseUrl: string, key: string): Promise<string> {
  const res = await fetch(new URL('/admin/sign-in', baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: new URL(baseUrl).origin },
    body: JSON.stringify({ key }),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`sign-in answered ${res.status}: ${text}`);
  const value = new RegExp(`^${SESSION_COOKIE}=([^;]*)`).exec(res.headers.get('set-cookie') ?? '')?.[1];
  if (!value) throw new Error(`sign-in set no ${SESSION_COOKIE} cookie`);
  return value;
}

/** Signs the session out, as the console's Sign out button does. */
export async function signOutSession(baseUrl: string, value: string): Promise<void> {
  const res = await fetch(new URL('/admin/sign-out', baseUrl), {
    method: 'POST',
    headers: { origin: new URL(baseUrl).origin, cookie: `${SESSION_COOKIE}=${value}` },
  });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`sign-out answered ${res.status}`);
}

/** What admin_sessions keeps of a session: its token's SHA-256. */
export const storedHash = (value: string) => createHash('sha256').update(value).digest('base64url');

/** Moves the session's expiry into the past, as 12 hours would. */
export async function expireSession(db: TestDatabase, value: string): Promise<void> {
  const rows = await db.query(
    `update admin_sessions set expires_at = now() - interval '1 second' where token_hash = $1 returning 1`,
    [storedHash(value)],
  );
  if (rows.length !== 1) throw new Error('no such session');
}

/** A page at `width`×`height` of a browser context signed in at `baseUrl`, and what goes wrong on it. */
export async function signedInPage(chrome: TestBrowser, baseUrl: string, width = 1366, height = 900) {
  const context = await chrome.context(width, height);
  await context.addCookies([
    {
      name: SESSION_COOKIE,
      value: await signInSession(baseUrl, 'local-admin-key'),
      url: baseUrl,
      httpOnly: true,
      sameSite: 'Strict',
    },
  ]);
  const { page, problems } = await chrome.newPage(context);
  return { context, page, problems };
}

/**
 * A page at `width`×`height` of a browser context signed in as a new operator of `role` (invited
 * with the admin key, signed up through the invite), and what goes wrong on it. Once an owner has
 * signed up the admin key no longer signs in to the console: tests then use this.
 */
export async function operatorPage(
  chrome: TestBrowser,
  baseUrl: string,
  role: Role,
  width = 1366,
  height = 900,
  adminKey = 'local-admin-key',
) {
  const operator = await httpOperator(baseUrl, adminKey, role);
  const context = await chrome.context(width, height);
  await context.addCookies([
    { name: SESSION_COOKIE, value: operator.session, url: baseUrl, httpOnly: true, sameSite: 'Strict' },
  ]);
  const { page, problems } = await chrome.newPage(context);
  return { context, page, problems, operator };
}
