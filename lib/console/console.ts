/**
 * The operator console's routes: the SPA (its shell for every page path, its hashed assets),
 * sign-in and sign-out, accepting an invite, and the operator's own second factor. Only functions/console.ts imports this, and with it the built SPA.
 */
import { assets, indexHtml } from 'console-assets';
import { config } from '../config';
import { getDb } from '../db/client';
import { notFound } from '../errors';
import { requireAdmin, requireOwnOrigin } from '../http/auth';
import { formFields, parseWith } from '../http/body';
import { toErrorResponse } from '../http/json-errors';
import type { Routes } from '../http/handler';
import type { HttpRequest } from '../http/request';
import { consolePage, immutableAsset, json, type HttpResponse } from '../http/response';
import { cookieValues } from '../http/session-token';
import {
  acceptInvite,
  confirmTotp,
  me,
  startTotp,
  turnOffTotp,
  type SessionView,
} from '../operators/account';
import {
  acceptInviteInput,
  codeInput,
  keySignInInput,
  passwordSignInInput,
} from '../operators/operator-input';
import { clearedSessionCookie, createSession, endSessions, SESSION_COOKIE, sessionCookie } from './session';
import {
  countAttempt,
  keySignInOpen,
  MAX_FAILURES,
  signIn,
  signInOperator,
  TooManyAttempts,
  type SignedIn,
} from './sign-in';

const ASSETS = '/admin/assets/';

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

/**
 * `GET /admin/session`, which the SPA asks on start: 200 with who is signed in (so it can hide what
 * their role cannot do), else 401 (to the sign-in page).
 */
async function session(req: HttpRequest): Promise<HttpResponse> {
  const caller = await requireAdmin(req, 'read');
  const operator = caller.actor.type === 'operator' ? await me(await getDb(), caller.actor.id) : null;
  const answer: SessionView = {
    signedIn: true,
    actor: caller.actor,
    role: caller.role,
    moneyActions: caller.moneyActions,
    operator,
  };
  return json(200, answer);
}

/**
 * `GET /admin/sign-in-options`: whether the admin key still signs in (no active owner yet), so the
 * sign-in page shows its form only then. Says nothing else: no e-mail, no count.
 */
async function signInOptions(): Promise<HttpResponse> {
  const key = config().keys.adminApiKey !== undefined && (await keySignInOpen(await getDb()));
  return json(200, { password: true, adminKey: key });
}

/** The client sign-in attempts are counted for: the address API Gateway saw. */
const clientOf = (req: HttpRequest) => req.sourceIp?.trim() || 'unknown';

/** 200 with the session's cookie; a 429 with Retry-After. */
async function withSession(signedIn: () => Promise<SignedIn>): Promise<HttpResponse> {
  try {
    const { session, expiresAt } = await signedIn();
    const res = json(200, { signedIn: true, expiresAt: expiresAt.toISOString() });
    res.headers['set-cookie'] = sessionCookie(session, !config().local);
    return res;
  } catch (err) {
    if (!(err instanceof TooManyAttempts)) throw err;
    const res = toErrorResponse(err);
    res.headers['retry-after'] = String(err.retryAfterSeconds);
    return res;
  }
}

/** `POST /admin/sign-in`: `{ email, password, code? }`, or `{ key }` while no owner exists. */
async function postSignIn(req: HttpRequest): Promise<HttpResponse> {
  // A browser always sends Origin with a POST: one from another site is refused (login CSRF).
  if (req.headers.origin !== undefined) requireOwnOrigin(req);
  const fields = await formFields(req);
  const db = await getDb();
  const client = clientOf(req);
  if ('key' in fields && !('email' in fields)) {
    const { key } = parseWith(keySignInInput(), fields);
    return withSession(() => signIn(db, { key, client, adminKey: config().keys.adminApiKey }));
  }
  const input = parseWith(passwordSignInInput(), fields);
  return withSession(() => signInOperator(db, { ...input, client }));
}

/** `POST /admin/invite`: `{ token, password }` from the invite page; the invitee is then signed in. */
async function postInvite(req: HttpRequest): Promise<HttpResponse> {
  if (req.headers.origin !== undefined) requireOwnOrigin(req);
  const { token, password } = parseWith(acceptInviteInput(), await formFields(req));
  const db = await getDb();
  const operatorId = await acceptInvite(db, token, password);
  return withSession(async () => {
    const { token: session, expiresAt } = await createSession(db, { operatorId });
    return { session, expiresAt };
  });
}

/** The signed-in operator's id; their attempts at codes are counted like sign-ins. */
async function accountOf(req: HttpRequest, countCode = false): Promise<string> {
  const caller = await requireAdmin(req, 'self');
  const id = caller.actor.id;
  if (countCode) {
    await countAttempt(await getDb(), [
      { key: `totp:${id}`, max: MAX_FAILURES, what: 'Too many wrong codes' },
    ]);
  }
  return id;
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
  'GET /admin/sign-in-options': signInOptions,
  'POST /admin/sign-in': postSignIn,
  'POST /admin/sign-out': postSignOut,
  'POST /admin/invite': postInvite,
  'POST /admin/account/totp': async (req) => json(200, await startTotp(await getDb(), await accountOf(req))),
  'POST /admin/account/totp/confirm': async (req) => {
    const id = await accountOf(req, true);
    return json(200, await confirmTotp(id, parseWith(codeInput(), await formFields(req)).code));
  },
  'POST /admin/account/totp/off': async (req) => {
    const id = await accountOf(req, true);
    return json(200, await turnOffTotp(id, parseWith(codeInput(), await formFields(req)).code));
  },
};
