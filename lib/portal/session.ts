/**
 * The provider portal's identity is the provider's phone: `ACCOUNT` (`CUENTA`) by SMS answers with
 * a one-time link (`createLink`), and opening it starts a session (`useLink`) held in the cookie
 * `lu_portal`. Links and sessions are stored as their tokens' SHA-256 (lib/http/session-token.ts).
 * A link is good once, for LINK_TTL_MINUTES; a session for SESSION_TTL_DAYS, until sign-out, or
 * until the provider opts out or is deactivated (then the trigger providers_portal_sessions_end
 * deletes their sessions: drizzle/functions/portal-sessions-end.sql).
 */
import { sql } from 'drizzle-orm';
import { rows, type Queryable } from '../db/client';
import { newToken, tokenHash, wellFormed } from '../http/session-token';

export const PORTAL_COOKIE = 'lu_portal';
/** The contract's ceiling (../shared/CONTRACT.md: "Portal sign-in links live at most 15 minutes"). */
export const LINK_TTL_MINUTES = 15;
/** A provider's phone is theirs: a month before the portal asks for a new link. */
export const SESSION_TTL_DAYS = 30;
const SESSION_TTL_SECONDS = SESSION_TTL_DAYS * 24 * 60 * 60;

/** The path of a sign-in link (under PUBLIC_BASE_URL): short, so the SMS stays one segment. */
export const LINK_PATH = '/portal/s/';

/**
 * A new sign-in link's token for the provider. Links made more than a day ago are deleted in the
 * same statement (ACCOUNT is what adds rows).
 */
export async function createLink(db: Queryable, providerId: string): Promise<string> {
  const token = newToken();
  await rows(
    db,
    'portal_link_create',
    sql`with old as (delete from portal_links where created_at < now() - interval '1 day')
        insert into portal_links (token_hash, provider_id, expires_at)
        values (${tokenHash(token)}, ${providerId}, now() + make_interval(mins => ${LINK_TTL_MINUTES}))`,
  );
  return token;
}

/** Why a link starts no session: it was opened already, its time ran out, or it is not ours. */
export type LinkRefusal = 'used' | 'expired' | 'unknown';

export type PortalSignIn = { session: string; providerId: string; expiresAt: Date };

/**
 * Opens the link `token`: marks it used and starts a session, in one statement, only while it is
 * unused, unexpired, and its provider active and opted in. Two opens at once: one wins the
 * update, the other finds it used.
 */
export async function useLink(
  db: Queryable,
  token: string,
): Promise<PortalSignIn | { refused: LinkRefusal }> {
  if (wellFormed([token]).length === 0) return { refused: 'unknown' };
  const session = newToken();
  const [row] = await rows<{
    provider_id: string | null;
    expires_at: string | Date | null;
    refusal: LinkRefusal | null;
  }>(
    db,
    'portal_link_use',
    sql`with link as (
          update portal_links l set used_at = now()
          from providers p
          where l.token_hash = ${tokenHash(token)} and l.used_at is null and l.expires_at > now()
            and p.id = l.provider_id and p.active and not p.opted_out
          returning l.provider_id
        ), started as (
          insert into portal_sessions (token_hash, provider_id, expires_at)
          select ${tokenHash(session)}, provider_id,
            date_trunc('second', now()) + make_interval(secs => ${SESSION_TTL_SECONDS})
          from link
          returning provider_id, expires_at
        )
        select s.provider_id, s.expires_at,
          case when s.provider_id is not null then null
               when l.token_hash is null then 'unknown'
               when l.used_at is not null then 'used'
               else 'expired' end as refusal
        from (select 1) one
        left join started s on true
        left join portal_links l on l.token_hash = ${tokenHash(token)}`,
  );
  if (!row?.provider_id) return { refused: row?.refusal ?? 'unknown' };
  return { session, providerId: row.provider_id, expiresAt: new Date(row.expires_at!) };
}

/** The signed-in provider and the session's id (16 hex digits of its hash, for the record). */
export type PortalCaller = { providerId: string; sessionId: string };

/** The live session one of `tokens` (the cookie's values) names; undefined when none does. */
export async function portalSession(db: Queryable, tokens: string[]): Promise<PortalCaller | undefined> {
  const hashes = wellFormed(tokens).map(tokenHash);
  if (hashes.length === 0) return undefined;
  const [row] = await rows<{ provider_id: string; token_hash: string }>(
    db,
    'portal_session_check',
    sql`select provider_id, token_hash from portal_sessions
        where token_hash = any(${sql.param(hashes)}::text[]) and expires_at > now()
        limit 1`,
  );
  return row && { providerId: row.provider_id, sessionId: row.token_hash.slice(0, 16) };
}

/** Ends the sessions `tokens` name (sign-out); expired sessions go in the same statement. */
export async function endPortalSessions(db: Queryable, tokens: string[]): Promise<void> {
  const hashes = wellFormed(tokens).map(tokenHash);
  await rows(
    db,
    'portal_session_end',
    sql`delete from portal_sessions
        where token_hash = any(${sql.param(hashes)}::text[]) or expires_at <= now()`,
  );
}

const ATTRIBUTES = 'Path=/portal; HttpOnly; SameSite=Strict';

/** `Set-Cookie` for a new portal session; `secure` everywhere but local development (plain http). */
export function portalCookie(value: string, secure: boolean): string {
  return `${PORTAL_COOKIE}=${value}; Max-Age=${SESSION_TTL_SECONDS}; ${ATTRIBUTES}${secure ? '; Secure' : ''}`;
}

/** `Set-Cookie` that removes the portal session from the browser. */
export function clearedPortalCookie(secure: boolean): string {
  return `${PORTAL_COOKIE}=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; ${ATTRIBUTES}${secure ? '; Secure' : ''}`;
}
