/**
 * The operator console's session: the admin key, once checked at sign-in, becomes a cookie
 * `lu_session` that says until when it is good and is signed with HMAC-SHA256 under a key derived
 * from ADMIN_API_KEY (so changing the admin key signs every operator out). Nothing is stored:
 * the cookie is the whole session. Pure functions; `now` is the caller's.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'lu_session';
export const SESSION_TTL_SECONDS = 12 * 60 * 60;

const VERSION = 'v1';
/** `v1.<expiry, unix seconds>.<nonce>.<signature>`, all base64url or digits: a valid cookie value. */
const SHAPE = /^v1\.(\d{1,12})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{43})$/;

/** The signing key: HMAC-SHA256(admin key, 'console-session'), never the admin key itself. */
const sessionKey = (adminKey: string): Buffer =>
  createHmac('sha256', adminKey).update('console-session').digest();

const signature = (adminKey: string, payload: string): string =>
  createHmac('sha256', sessionKey(adminKey)).update(payload).digest('base64url');

/** A session value good until `expiresAt` (whole seconds). */
export function signSession(adminKey: string, expiresAt: Date): string {
  const payload = `${VERSION}.${Math.floor(expiresAt.getTime() / 1000)}.${randomBytes(12).toString('base64url')}`;
  return `${payload}.${signature(adminKey, payload)}`;
}

/** When a session value signed with `adminKey` expires, or undefined if forged, malformed or expired. */
export function sessionExpiry(adminKey: string, value: string, now: Date): Date | undefined {
  const m = SHAPE.exec(value);
  if (!m) return undefined;
  const payload = value.slice(0, value.lastIndexOf('.'));
  // Both 43 characters (the shape says so): compared in constant time.
  const ok = timingSafeEqual(Buffer.from(signature(adminKey, payload)), Buffer.from(m[3]!));
  if (!ok) return undefined;
  const expiresAt = new Date(Number(m[1]) * 1000);
  return expiresAt.getTime() > now.getTime() ? expiresAt : undefined;
}

const ATTRIBUTES = 'Path=/; HttpOnly; SameSite=Strict';

/** `Set-Cookie` for a new session; `secure` everywhere but local development (plain http). */
export function sessionCookie(value: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; Max-Age=${SESSION_TTL_SECONDS}; ${ATTRIBUTES}${secure ? '; Secure' : ''}`;
}

/** `Set-Cookie` that removes the session from the browser. */
export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; ${ATTRIBUTES}${secure ? '; Secure' : ''}`;
}

/** Every value of cookie `name` in a `Cookie` header (a browser may send two of one name). */
export function cookieValues(header: string | undefined, name: string): string[] {
  if (!header) return [];
  const out: string[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) out.push(part.slice(eq + 1).trim());
  }
  return out;
}
