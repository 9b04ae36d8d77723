/**
 * The provider portal's pages (functions/portal-pages.ts): the page a one-time link opens, the
 * press of its button that uses the link and starts the session, signing out, and the portal's
 * own pages (the SPA, lib/portal/portal-app.ts).
 *
 * Opening the link (GET) changes nothing: SMS apps and chat apps fetch a link to show a preview,
 * which would spend a one-time link before its owner opens it. Only the POST of the page's
 * button uses it (lib/portal/session.ts useLink).
 */
import { sql } from 'drizzle-orm';
import { config } from '../config';
import { getDb, rows } from '../db/client';
import { requireOwnOrigin } from '../http/auth';
import type { Routes } from '../http/handler';
import type { HttpRequest } from '../http/request';
import type { HttpResponse } from '../http/response';
import { cookieValues, tokenHash, wellFormed } from '../http/session-token';
import { fromTextMagicNumber } from '../phone';
import { DEFAULT_LANGUAGE } from '../sms/language';
import {
  clearedPortalCookie,
  endPortalSessions,
  PORTAL_COOKIE,
  portalCookie,
  useLink,
  type LinkRefusal,
} from './session';
import { servePortal } from './portal-app';
import { linkRefusedPage, portalPageHeaders, signedOutPage, signInPage } from './sign-in-pages';

/**
 * Where a new session lands: the portal's pages, at the route `GET /portal` itself rather than
 * `/portal/`, which only the greedy `{proxy+}` route could take (an empty proxy).
 */
export const PORTAL_HOME = '/portal';
export const SIGNED_OUT_PATH = '/portal/signed-out';

/**
 * Our SMS number (TEXTMAGIC_FROM_NUMBER), when it is one, in E.164: dialable from anywhere, and
 * phones make it a link. (Formatting it nationally would bring libphonenumber's 120 KB into this
 * function's cold start.)
 */
function ourNumber(): string | undefined {
  const from = config().textmagic.fromNumber;
  const e164 = from ? fromTextMagicNumber(from) : '';
  // A sender ID of letters is no number to text.
  return /^\+\d{7,15}$/.test(e164) ? e164 : undefined;
}

/**
 * What a link would do if used now, without using it, and its provider's language: `open`, or why
 * `useLink` would refuse it (the same order: used, then out of time or its provider paused or
 * opted out, then unknown).
 */
async function linkState(token: string): Promise<{ state: 'open' | LinkRefusal; language?: string }> {
  if (wellFormed([token]).length === 0) return { state: 'unknown' };
  const [row] = await rows<{ state: 'open' | LinkRefusal; language: string }>(
    await getDb(),
    'portal_link_state',
    sql`select p.language,
          case when l.used_at is not null then 'used'
               when l.expires_at <= now() or not p.active or p.opted_out then 'expired'
               else 'open' end as state
        from portal_links l join providers p on p.id = l.provider_id
        where l.token_hash = ${tokenHash(token)}`,
  );
  return row ? { state: row.state, language: row.language } : { state: 'unknown' };
}

const local = () => config().local;

const refused = (refusal: LinkRefusal, language: string | undefined) =>
  linkRefusedPage(refusal, language, ourNumber(), local());

/** `GET /portal/s/{token}`: the sign-in button, or why the link starts no session. Reads only. */
async function openLink(req: HttpRequest): Promise<HttpResponse> {
  const { state, language } = await linkState(req.pathParams.token ?? '');
  return state === 'open' ? signInPage(language ?? DEFAULT_LANGUAGE, local()) : refused(state, language);
}

const seeOther = (location: string, cookie: string): HttpResponse => ({
  statusCode: 303,
  headers: { ...portalPageHeaders(local()), location, 'set-cookie': cookie },
  body: '',
});

/**
 * `POST /portal/s/{token}`, the button: uses the link and starts a session (303 to the portal
 * with its cookie), or the page saying why not. A browser always sends `Origin` with a POST: one
 * from another site is refused (it would sign the victim's browser in to someone else's portal).
 */
async function useLinkPost(req: HttpRequest): Promise<HttpResponse> {
  if (req.headers.origin !== undefined) requireOwnOrigin(req);
  const token = req.pathParams.token ?? '';
  const used = await useLink(await getDb(), token);
  if ('refused' in used) return refused(used.refused, (await linkState(token)).language);
  return seeOther(PORTAL_HOME, portalCookie(used.session, !local()));
}

/**
 * `POST /portal/sign-out`: ends the sessions the cookie names on the server (a copy of the cookie
 * stops working too) and in the browser, then the signed-out page in the provider's language.
 */
async function signOut(req: HttpRequest): Promise<HttpResponse> {
  if (req.headers.origin !== undefined) requireOwnOrigin(req);
  const db = await getDb();
  const tokens = wellFormed(cookieValues(req.headers.cookie, PORTAL_COOKIE));
  const [row] =
    tokens.length === 0
      ? []
      : await rows<{ language: string }>(
          db,
          'portal_session_language',
          sql`select p.language from portal_sessions s join providers p on p.id = s.provider_id
              where s.token_hash = any(${sql.param(tokens.map(tokenHash))}::text[]) limit 1`,
        );
  await endPortalSessions(db, tokens);
  const lang = row && row.language !== DEFAULT_LANGUAGE ? `?lang=${encodeURIComponent(row.language)}` : '';
  return seeOther(`${SIGNED_OUT_PATH}${lang}`, clearedPortalCookie(!local()));
}

/** `GET /portal/signed-out?lang=`: the page after signing out. */
const signedOut = (req: HttpRequest): Promise<HttpResponse> =>
  Promise.resolve(signedOutPage(req.query.lang ?? DEFAULT_LANGUAGE, ourNumber(), local()));

/** `GET /portal`, `GET /portal/{proxy+}`: the portal's pages (the SPA) and their assets. */
const pages = (req: HttpRequest): Promise<HttpResponse> =>
  Promise.resolve().then(() => servePortal(req, ourNumber(), local()));

/** The portal's sign-in routes and its pages (lib/http/routes.ts). */
export const portalPagesRoutes: Routes<'portalPages'> = {
  'GET /portal': pages,
  'GET /portal/{proxy+}': pages,
  'GET /portal/s/{token}': openLink,
  'POST /portal/s/{token}': useLinkPost,
  'POST /portal/sign-out': signOut,
  'GET /portal/signed-out': signedOut,
};
