/**
 * Console sign-in (lib/console/session.ts makes the session): an operator's e-mail and password
 * (and TOTP code, when they turned it on), or the admin key while no active owner exists.
 * Repeated failures are slowed down: each attempt is counted before anything is checked, in one
 * statement (so a burst of guesses in parallel cannot slip past the count), per client address
 * and per e-mail; past MAX_FAILURES from one address, or MAX_EMAIL_FAILURES for one e-mail (from
 * any addresses), within WINDOW_MINUTES, every attempt answers 429 until the window ends. A
 * success clears its counts. A wrong e-mail, an inactive operator and a wrong password answer
 * alike, after the same scrypt work.
 */
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { rows, type Database, type Queryable } from '../db/client';
import { AppError, notConfigured } from '../errors';
import { sameSecret } from '../http/auth';
import { ACTIVE_OWNER } from '../operators/owners';
import { verifyNobody, verifyPassword } from '../operators/password';
import { matchTotp } from '../operators/totp';
import { createSession } from './session';

export const MAX_FAILURES = 5;
/** Per e-mail: room for an operator's own slips from a few places, not for a spread-out guesser. */
export const MAX_EMAIL_FAILURES = 10;
export const WINDOW_MINUTES = 15;

export type SignedIn = { session: string; expiresAt: Date };

/** 429 `too_many_attempts`, with the seconds to wait for Retry-After. */
export class TooManyAttempts extends AppError {
  constructor(
    readonly retryAfterSeconds: number,
    what = 'Too many wrong attempts from this address',
  ) {
    super(429, 'too_many_attempts', `${what}: try again in ${Math.ceil(retryAfterSeconds / 60)} min`);
  }
}

type Counter = { key: string; max: number; what: string };

/**
 * Counts this attempt under each counter (a new window when the last one is over); throws
 * TooManyAttempts when one is past its limit.
 */
export async function countAttempt(db: Queryable, counters: Counter[]): Promise<void> {
  const keys = counters.map((c) => c.key);
  const counted = await rows<{ client: string; attempts: number; retry_after: number }>(
    db,
    'sign_in_attempt',
    sql`insert into sign_in_failures as f (client, failures, window_started_at)
        select k, 1, now() from unnest(${sql.param(keys)}::text[]) as k
        on conflict (client) do update set
          failures = case when f.window_started_at > now() - make_interval(mins => ${WINDOW_MINUTES})
                          then f.failures + 1 else 1 end,
          window_started_at = case when f.window_started_at > now() - make_interval(mins => ${WINDOW_MINUTES})
                                   then f.window_started_at else now() end
        returning client, failures as attempts,
          ceil(extract(epoch from window_started_at + make_interval(mins => ${WINDOW_MINUTES}) - now()))::int
            as retry_after`,
  );
  for (const c of counters) {
    const row = counted.find((r) => r.client === c.key);
    if (row && row.attempts > c.max) throw new TooManyAttempts(Math.max(1, row.retry_after), c.what);
  }
}

/** Clears the counts after a success. */
export async function clearAttempts(db: Queryable, keys: string[]): Promise<void> {
  await rows(
    db,
    'sign_in_reset',
    sql`delete from sign_in_failures where client = any(${sql.param(keys)}::text[])`,
  );
}

const addressCounter = (client: string): Counter => ({
  key: client,
  max: MAX_FAILURES,
  what: 'Too many wrong attempts from this address',
});

/** The e-mail's counter, by its hash: the table never holds an address someone typed. */
const emailCounter = (email: string): Counter => ({
  key: `email:${createHash('sha256').update(email.trim().toLowerCase()).digest('base64url')}`,
  max: MAX_EMAIL_FAILURES,
  what: 'Too many wrong attempts for this e-mail',
});

/** True while the console has no owner who can sign in: the admin key still opens it. */
export async function keySignInOpen(db: Queryable): Promise<boolean> {
  const found = await rows(db, 'active_owner', ACTIVE_OWNER);
  return found.length === 0;
}

/** The admin key for a session: only while no active owner exists (then 403 `key_sign_in_closed`). */
export async function signIn(
  db: Database,
  input: { key: string; client: string; adminKey: string | undefined },
): Promise<SignedIn> {
  if (input.adminKey === undefined)
    throw notConfigured('The admin API key (ADMIN_API_KEY) is not configured');
  if (!(await keySignInOpen(db))) {
    throw new AppError(
      403,
      'key_sign_in_closed',
      'The console has an owner now: sign in with your e-mail and password (the admin key stays for API calls)',
    );
  }
  await countAttempt(db, [addressCounter(input.client)]);
  if (!sameSecret(input.key, input.adminKey)) {
    throw new AppError(403, 'invalid_key', 'That is not the admin key');
  }
  await clearAttempts(db, [input.client]);
  const { token, expiresAt } = await createSession(db, { adminKey: input.adminKey });
  return { session: token, expiresAt };
}

const WRONG = () => new AppError(403, 'invalid_credentials', 'Wrong e-mail or password');

/**
 * An operator's e-mail and password (and code) for a session. 403 `invalid_credentials` for a
 * wrong e-mail or password alike; with a second factor, 401 `totp_required` without a code and
 * 403 `invalid_code` for a wrong or reused one.
 */
export async function signInOperator(
  db: Database,
  input: { email: string; password: string; code?: string; client: string },
): Promise<SignedIn> {
  const counters = [addressCounter(input.client), emailCounter(input.email)];
  await countAttempt(db, counters);
  const [found] = await rows<{
    id: string;
    password_hash: string;
    totp_secret: string | null;
    totp_last_step: string | null;
  }>(
    db,
    'operator_sign_in',
    sql`select id, password_hash, totp_secret, totp_last_step from operators
        where lower(email) = lower(${input.email.trim()}) and active and password_hash is not null`,
  );
  const right = found
    ? await verifyPassword(input.password, found.password_hash)
    : await verifyNobody(input.password);
  if (!found || !right) throw WRONG();
  if (found.totp_secret !== null) {
    if (input.code === undefined) {
      throw new AppError(401, 'totp_required', 'Enter the 6-digit code from your authenticator app');
    }
    const lastStep = found.totp_last_step === null ? null : Number(found.totp_last_step);
    const step = matchTotp(found.totp_secret, input.code, Date.now() / 1000, lastStep);
    // Recorded only if no other sign-in used this step meanwhile: a code works once.
    const used =
      step !== undefined &&
      (
        await rows(
          db,
          'operator_totp_use',
          sql`update operators set totp_last_step = ${step}
              where id = ${found.id} and (totp_last_step is null or totp_last_step < ${step}) returning 1`,
        )
      ).length === 1;
    if (!used) throw new AppError(403, 'invalid_code', 'That code is not right, or was used already');
  }
  await clearAttempts(
    db,
    counters.map((c) => c.key),
  );
  await rows(
    db,
    'operator_signed_in',
    sql`update operators set last_sign_in_at = now() where id = ${found.id}`,
  );
  const { token, expiresAt } = await createSession(db, { operatorId: found.id });
  return { session: token, expiresAt };
}
