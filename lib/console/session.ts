/**
 * The operator console's session: the admin key, once checked at sign-in, becomes a random token
 * in the cookie `lu_session` and a row in `admin_sessions` (lib/db/schema.ts) that says until
 * when it is good. Every admin request carrying the cookie looks the row up (one primary-key
 * lookup), so signing out, which deletes it, ends the session at once, also for a copy of the
 * cookie. The row holds the token's SHA-256, never the token, and binds the session to the
 * admin key through an HMAC of the token under that key: changing ADMIN_API_KEY ends every
 * session, and the table alone gives nothing to test guesses at the key against.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { rows, type Queryable } from '../db/client';
import { newToken, tokenHash, wellFormed as wellFormedTokens } from '../http/session-token';

export const SESSION_COOKIE = 'lu_session';
export const SESSION_TTL_SECONDS = 12 * 60 * 60;

/** The session's tie to the admin key it was signed in with. */
const keyCheck = (adminKey: string, token: string): string =>
  createHmac('sha256', adminKey).update(`console-session:${token}`).digest('base64url');

/**
 * A new session for the admin key, good for SESSION_TTL_SECONDS; expired sessions are deleted
 * in the same statement (sign-ins are what add rows, so the table holds at most the sessions
 * opened in the last 12 hours).
 */
export async function createSession(
  db: Queryable,
  adminKey: string,
): Promise<{ token: string; expiresAt: Date }> {
  const token = newToken();
  const [row] = await rows<{ expires_at: string | Date }>(
    db,
    'session_create',
    sql`with expired as (delete from admin_sessions where expires_at <= now())
        insert into admin_sessions (token_hash, key_check, expires_at)
        values (${tokenHash(token)}, ${keyCheck(adminKey, token)},
          date_trunc('second', now()) + make_interval(secs => ${SESSION_TTL_SECONDS}))
        returning expires_at`,
  );
  return { token, expiresAt: new Date(row!.expires_at) };
}

/**
 * The live session one of `tokens` names, by its id (the first 16 hex digits of its token's hash:
 * enough to tell sessions apart in a record, nothing to sign in with); undefined when none does.
 */
export async function liveSession(
  db: Queryable,
  adminKey: string,
  tokens: string[],
): Promise<string | undefined> {
  const wellFormed = wellFormedTokens(tokens);
  if (wellFormed.length === 0) return undefined;
  const found = await rows<{ token_hash: string; key_check: string }>(
    db,
    'session_check',
    sql`select token_hash, key_check from admin_sessions
        where token_hash = any(${sql.param(wellFormed.map(tokenHash))}::text[]) and expires_at > now()`,
  );
  const live = found.find((row) => {
    const token = wellFormed.find((t) => tokenHash(t) === row.token_hash)!;
    // Both base64url of 32 bytes: compared in constant time.
    return timingSafeEqual(Buffer.from(row.key_check), Buffer.from(keyCheck(adminKey, token)));
  });
  return live?.token_hash.slice(0, 16);
}

/** Ends the sessions `tokens` name (sign-out); unknown or malformed ones are ignored. */
export async function endSessions(db: Queryable, tokens: string[]): Promise<void> {
  const wellFormed = wellFormedTokens(tokens);
  if (wellFormed.length === 0) return;
  await rows(
    db,
    'session_end',
    sql`delete from admin_sessions where token_hash = any(${sql.param(wellFormed.map(tokenHash))}::text[])`,
  );
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
