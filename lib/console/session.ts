/**
 * The operator console's session: an operator's e-mail and password (or, before any owner exists,
 * the admin key), once checked at sign-in, become a random token in the cookie `lu_session` and a
 * row in `admin_sessions` (lib/db/schema.ts) that says until when it is good and whose it is. Every admin request carrying the cookie looks the row up (one primary-key
 * lookup), so signing out, which deletes it, ends the session at once, also for a copy of the
 * cookie. The row holds the token's SHA-256, never the token. An admin key's session is bound to
 * the key through an HMAC of the token under it: changing ADMIN_API_KEY ends every such session,
 * and the table alone gives nothing to test guesses at the key against. An operator's session
 * names the operator, whose row decides (inactive: dead).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { rows, type Queryable } from '../db/client';
import { newToken, tokenHash, wellFormed as wellFormedTokens } from '../http/session-token';
import type { Role } from '../operators/access';
import { ACTIVE_OWNER } from '../operators/owners';

export const SESSION_COOKIE = 'lu_session';
export const SESSION_TTL_SECONDS = 12 * 60 * 60;

/** The session's tie to the admin key it was signed in with. */
const keyCheck = (adminKey: string, token: string): string =>
  createHmac('sha256', adminKey).update(`console-session:${token}`).digest('base64url');

/**
 * A new session, for the admin key (`{ adminKey }`) or an operator (`{ operatorId }`), good for
 * SESSION_TTL_SECONDS; expired sessions are deleted in the same statement (sign-ins are what add
 * rows, so the table holds at most the sessions opened in the last 12 hours).
 */
export async function createSession(
  db: Queryable,
  tie: { adminKey: string } | { operatorId: string },
): Promise<{ token: string; expiresAt: Date }> {
  const token = newToken();
  const keyCheckValue = 'adminKey' in tie ? keyCheck(tie.adminKey, token) : null;
  const operatorId = 'operatorId' in tie ? tie.operatorId : null;
  const [row] = await rows<{ expires_at: string | Date }>(
    db,
    'session_create',
    sql`with expired as (delete from admin_sessions where expires_at <= now())
        insert into admin_sessions (token_hash, key_check, operator_id, expires_at)
        values (${tokenHash(token)}, ${keyCheckValue}, ${operatorId}::uuid,
          date_trunc('second', now()) + make_interval(secs => ${SESSION_TTL_SECONDS}))
        returning expires_at`,
  );
  return { token, expiresAt: new Date(row!.expires_at) };
}

/** Who a live session is: the admin key's, or an operator's with their current role. */
export type LiveSession =
  | { id: string; operator: null }
  | { id: string; operator: { id: string; role: Role }; staffMoneyActions: boolean };

/**
 * The live session one of `tokens` names, by its id (the first 16 hex digits of its token's hash:
 * enough to tell sessions apart in a record, nothing to sign in with); undefined when none does.
 * One statement: the session, its operator (whose role is read now, so a change of role counts at
 * once, and whose deactivation ends it) and the team's setting. A session of the admin key lives
 * only while no active owner exists: once one has signed up, the console is theirs.
 */
export async function liveSession(
  db: Queryable,
  adminKey: string,
  tokens: string[],
): Promise<LiveSession | undefined> {
  const wellFormed = wellFormedTokens(tokens);
  if (wellFormed.length === 0) return undefined;
  const found = await rows<{
    token_hash: string;
    key_check: string | null;
    operator_id: string | null;
    role: Role | null;
    staff_money_actions: boolean;
  }>(
    db,
    'session_check',
    sql`select s.token_hash, s.key_check, s.operator_id, o.role, t.staff_money_actions
        from admin_sessions s
        left join operators o on o.id = s.operator_id
        cross join team_settings t
        where s.token_hash = any(${sql.param(wellFormed.map(tokenHash))}::text[]) and s.expires_at > now()
          and case when s.operator_id is null then not exists (${ACTIVE_OWNER}) else o.active end`,
  );
  const live = found.find((row) => {
    if (row.operator_id !== null) return true;
    const token = wellFormed.find((t) => tokenHash(t) === row.token_hash)!;
    // Both base64url of 32 bytes: compared in constant time.
    return timingSafeEqual(Buffer.from(row.key_check ?? ''), Buffer.from(keyCheck(adminKey, token)));
  });
  if (!live) return undefined;
  const id = live.token_hash.slice(0, 16);
  return live.operator_id === null
    ? { id, operator: null }
    : {
        id,
        operator: { id: live.operator_id, role: live.role! },
        staffMoneyActions: live.staff_money_actions,
      };
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
