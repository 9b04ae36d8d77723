import { createHash, timingSafeEqual } from 'node:crypto';
import { config } from '../config';
import { AppError, forbidden, notConfigured, unauthorized } from '../errors';
import { liveSession, SESSION_COOKIE } from '../console/session';
import { cookieValues } from './session-token';
import { getDb } from '../db/client';
import { PORTAL_COOKIE, portalSession, type PortalCaller } from '../portal/session';
import type { HttpRequest } from './request';
import { canDo, requireAccess, type Access, type Holder, type Role } from '../operators/access';

/** Constant-time comparison: hashing first makes the lengths equal and hides them. */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function check(given: string | undefined, expected: string | undefined, what: string): void {
  if (expected === undefined) throw notConfigured(`${what} is not configured on this server`);
  if (!given) throw unauthorized(`Missing ${what}`);
  if (!sameSecret(given, expected)) throw forbidden(`Invalid ${what}`);
}

/** `POST /leads`: the `x-api-key` header. */
export function requireLeadKey(req: HttpRequest): void {
  check(req.headers['x-api-key'], config().keys.leadApiKey, 'lead API key (LEAD_API_KEY)');
}

const ADMIN_KEY = 'admin API key (ADMIN_API_KEY)';

export type { Role } from '../operators/access';

/**
 * Who made a change, as the audit trail records it: an operator (their id), or the admin key
 * (machines, and the console signed in with the key before any owner exists).
 */
export type Actor = { type: 'operator'; id: string } | { type: 'api_key'; id: 'admin' };

/**
 * Who an admin request came from, with what role (the admin key acts as an owner), whether money
 * actions are open to them, and the console session it came through.
 */
export type AdminCaller = { actor: Actor; role: Role; moneyActions: boolean; sessionId?: string };

const ADMIN_KEY_ACTOR: Actor = { type: 'api_key', id: 'admin' };
const ADMIN_KEY_HOLDER: Holder = { kind: 'api_key' };

/**
 * Admin routes, at the route's access level (lib/operators/access.ts; lib/http/routes.ts names
 * each route's): `Authorization: Bearer <ADMIN_API_KEY>` (no database lookup; every level but an
 * operator's own account), or the console's session cookie, a live row of admin_sessions with its
 * operator's current role (lib/console/session.ts: one lookup). A request that carries an
 * Authorization header is judged by it alone. With the cookie, the request must come from the
 * console's own pages: a change (not GET or HEAD) must name the console's origin in `Origin`, and
 * a read the browser marks as coming from elsewhere is refused too. SameSite=Strict keeps the
 * cookie off other sites' requests, but a page on another port of the same host is the same site
 * and gets it sent; these checks hold there too. A role short of `access`: 403 `forbidden_role`.
 */
export async function requireAdmin(req: HttpRequest, access: Access): Promise<AdminCaller> {
  const expected = config().keys.adminApiKey;
  if (req.headers.authorization !== undefined || expected === undefined) {
    const match = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
    check(match?.[1]?.trim(), expected, ADMIN_KEY);
    requireAccess(ADMIN_KEY_HOLDER, access);
    return { actor: ADMIN_KEY_ACTOR, role: 'owner', moneyActions: true };
  }
  const tokens = cookieValues(req.headers.cookie, SESSION_COOKIE);
  if (tokens.length === 0) throw unauthorized(`Missing ${ADMIN_KEY}`);
  if (req.method !== 'GET' && req.method !== 'HEAD') requireOwnOrigin(req);
  else if (fromElsewhere(req)) {
    throw new AppError(403, 'bad_origin', 'Admin data is readable only from the console itself');
  }
  const session = await liveSession(await getDb(), expected, tokens);
  if (!session) throw unauthorized('The console session has ended or is not valid: sign in again');
  if (session.operator === null) {
    requireAccess(ADMIN_KEY_HOLDER, access);
    return { actor: ADMIN_KEY_ACTOR, role: 'owner', moneyActions: true, sessionId: session.id };
  }
  const holder: Holder = {
    kind: 'operator',
    role: session.operator.role,
    staffMoneyActions: session.staffMoneyActions,
  };
  requireAccess(holder, access);
  return {
    actor: { type: 'operator', id: session.operator.id },
    role: session.operator.role,
    moneyActions: canDo(holder).money,
    sessionId: session.id,
  };
}

/**
 * A read that the browser says comes from another page's origin: an `Origin` that is not the
 * console's (browsers send it on cross-origin fetches), or Fetch Metadata's `Sec-Fetch-Site`
 * `same-site` or `cross-site` (https://www.w3.org/TR/fetch-metadata/; `same-origin` and `none`,
 * an address typed by the operator, pass).
 */
function fromElsewhere(req: HttpRequest): boolean {
  const site = req.headers['sec-fetch-site']?.trim().toLowerCase();
  if (site === 'same-site' || site === 'cross-site') return true;
  return req.headers.origin !== undefined && !fromOwnOrigin(req);
}

/** The origin a request was addressed to: its Host, over `x-forwarded-proto` (https unless local). */
export function requestOrigin(req: HttpRequest): string | undefined {
  const host = req.headers.host?.trim();
  if (!host) return undefined;
  const forwarded = req.headers['x-forwarded-proto']?.split(',')[0]?.trim().toLowerCase();
  const proto = forwarded === 'http' || forwarded === 'https' ? forwarded : config().local ? 'http' : 'https';
  return `${proto}://${host.toLowerCase()}`;
}

const originOf = (url: string): string | undefined => {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
};

/** True when the `Origin` header names this request's own origin or PUBLIC_BASE_URL's. */
export function fromOwnOrigin(req: HttpRequest): boolean {
  const origin = req.headers.origin?.trim().toLowerCase();
  if (!origin || origin === 'null') return false;
  return origin === requestOrigin(req) || origin === originOf(config().publicBaseUrl);
}

/**
 * 403 `bad_origin` unless the request comes from our own origin (see `fromOwnOrigin`): the
 * console's or the portal's pages. A request without `Origin` is refused too.
 */
export function requireOwnOrigin(req: HttpRequest): void {
  if (!fromOwnOrigin(req)) {
    throw new AppError(403, 'bad_origin', 'This request must come from our own pages (Origin header)');
  }
}

/**
 * Portal routes: the provider's session cookie `lu_portal` (lib/portal/session.ts: one lookup),
 * under the console's rules for where a request comes from. Every portal route reads and changes
 * only the data of the provider this returns.
 */
export async function requireProvider(req: HttpRequest): Promise<PortalCaller> {
  const tokens = cookieValues(req.headers.cookie, PORTAL_COOKIE);
  if (tokens.length === 0) throw unauthorized('Not signed in: text ACCOUNT to get a sign-in link');
  if (req.method !== 'GET' && req.method !== 'HEAD') requireOwnOrigin(req);
  else if (fromElsewhere(req)) {
    throw new AppError(403, 'bad_origin', 'Portal data is readable only from the portal itself');
  }
  const caller = await portalSession(await getDb(), tokens);
  if (!caller) throw unauthorized('The portal session has ended: text ACCOUNT for a new sign-in link');
  return caller;
}

/** TextMagic callbacks: `?token=` in the URL we gave TextMagic. */
export function requireSmsToken(req: HttpRequest): void {
  check(req.query.token, config().keys.inboundSmsToken, 'SMS callback token (INBOUND_SMS_TOKEN)');
}
