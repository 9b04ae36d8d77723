/**
 * The operator console's routes: the SPA (its shell for every page path, its hashed assets),
 * sign-in and sign-out. Only functions/console.ts imports this, and with it the built SPA.
 */
import { assets, indexHtml } from 'console-assets';
import * as z from 'zod/mini';
import { config } from '../config';
import { getDb } from '../db/client';
import { notFound } from '../errors';
import { requireAdmin, requireOwnOrigin } from '../http/auth';
import { formFields, parseWith } from '../http/body';
import { toErrorResponse } from '../http/json-errors';
import type { Routes } from '../http/handler';
import type { HttpRequest } from '../http/request';
import { consolePage, immutableAsset, json, type HttpResponse } from '../http/response';
import { lazy } from '../lazy';
import { cookieValues } from '../http/session-token';
import { clearedSessionCookie, endSessions, SESSION_COOKIE, sessionCookie } from './session';
import { signIn, TooManyAttempts } from './sign-in';

const ASSETS = '/admin/assets/';

const signInInput = lazy(() =>
  z.object({
    key: z
      .string('must be the admin key')
      .check(z.minLength(1, 'must not be empty'), z.maxLength(1000, 'is too long')),
  }),
);

/** `GET /admin`, `GET /admin/{proxy+}`: an asset by its hashed name, else the shell for a page. */
function serve(req: HttpRequest): Promise<HttpResponse> {
  const path = req.path.replace(/\/+$/, '');
  if (path.startsWith(ASSETS) || path === ASSETS.slice(0, -1)) {
    const asset = Object.hasOwn(assets, path.slice(ASSETS.length))
      ? assets[path.slice(ASSETS.length)]
      : undefined;
    if (!asset) return Promise.reject(notFound('No such console asset'));
    return Promise.resolve(immutableAsset(asset.contentType, asset.body));
  }
  return Promise.resolve(consolePage(indexHtml));
}

/** `GET /admin/session`, which the SPA asks on start: 200 signed in, else 401 (to the sign-in page). */
async function session(req: HttpRequest): Promise<HttpResponse> {
  await requireAdmin(req);
  return json(200, { signedIn: true });
}

/** The client sign-in attempts are counted for: the address API Gateway saw. */
const clientOf = (req: HttpRequest) => req.sourceIp?.trim() || 'unknown';

async function postSignIn(req: HttpRequest): Promise<HttpResponse> {
  // A browser always sends Origin with a POST: one from another site is refused (login CSRF).
  if (req.headers.origin !== undefined) requireOwnOrigin(req);
  const { key } = parseWith(signInInput(), await formFields(req));
  const cfg = config();
  try {
    const { session, expiresAt } = await signIn(await getDb(), {
      key,
      client: clientOf(req),
      adminKey: cfg.keys.adminApiKey,
    });
    const res = json(200, { signedIn: true, expiresAt: expiresAt.toISOString() });
    res.headers['set-cookie'] = sessionCookie(session, !cfg.local);
    return res;
  } catch (err) {
    if (!(err instanceof TooManyAttempts)) throw err;
    const res = toErrorResponse(err);
    res.headers['retry-after'] = String(err.retryAfterSeconds);
    return res;
  }
}

/** Ends the session on the server (a copy of the cookie stops working too) and in the browser. */
async function postSignOut(req: HttpRequest): Promise<HttpResponse> {
  if (req.headers.origin !== undefined) requireOwnOrigin(req);
  await endSessions(await getDb(), cookieValues(req.headers.cookie, SESSION_COOKIE));
  const res = json(200, { signedIn: false });
  res.headers['set-cookie'] = clearedSessionCookie(!config().local);
  return res;
}

/** The console's routes (lib/http/routes.ts). */
export const consoleRoutes: Routes<'console'> = {
  'GET /admin': serve,
  'GET /admin/{proxy+}': serve,
  'GET /admin/session': session,
  'POST /admin/sign-in': postSignIn,
  'POST /admin/sign-out': postSignOut,
};
