/**
 * Console sign-in: the admin key for a session (lib/console/session.ts), with repeated wrong keys
 * slowed down. Each attempt is counted before the key is looked at, in one statement (so a burst
 * of guesses in parallel cannot slip past the count); after MAX_ATTEMPTS failed ones from one
 * client within WINDOW_MINUTES, every attempt answers 429 until the window ends, without the key
 * being checked. A right key clears the count.
 */
import { sql } from 'drizzle-orm';
import { rows, type Database } from '../db/client';
import { AppError, notConfigured } from '../errors';
import { sameSecret } from '../http/auth';
import { createSession } from './session';

export const MAX_FAILURES = 5;
export const WINDOW_MINUTES = 15;

export type SignedIn = { session: string; expiresAt: Date };

/** 429 `too_many_attempts`, with the seconds to wait for Retry-After. */
export class TooManyAttempts extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super(
      429,
      'too_many_attempts',
      `Too many wrong keys from this address: try again in ${Math.ceil(retryAfterSeconds / 60)} min`,
    );
  }
}

export async function signIn(
  db: Database,
  input: { key: string; client: string; adminKey: string | undefined },
): Promise<SignedIn> {
  if (input.adminKey === undefined)
    throw notConfigured('The admin API key (ADMIN_API_KEY) is not configured');
  // This attempt, counted in the client's window (a new window when the last one is over).
  const [counted] = await rows<{ attempts: number; retry_after: number }>(
    db,
    'sign_in_attempt',
    sql`insert into sign_in_failures as f (client, failures, window_started_at)
        values (${input.client}, 1, now())
        on conflict (client) do update set
          failures = case when f.window_started_at > now() - make_interval(mins => ${WINDOW_MINUTES})
                          then f.failures + 1 else 1 end,
          window_started_at = case when f.window_started_at > now() - make_interval(mins => ${WINDOW_MINUTES})
                                   then f.window_started_at else now() end
        returning failures as attempts,
          ceil(extract(epoch from window_started_at + make_interval(mins => ${WINDOW_MINUTES}) - now()))::int
            as retry_after`,
  );
  if (counted!.attempts > MAX_FAILURES) throw new TooManyAttempts(Math.max(1, counted!.retry_after));
  if (!sameSecret(input.key, input.adminKey)) {
    throw new AppError(403, 'invalid_key', 'That is not the admin key');
  }
  await rows(db, 'sign_in_reset', sql`delete from sign_in_failures where client = ${input.client}`);
  const { token, expiresAt } = await createSession(db, input.adminKey);
  return { session: token, expiresAt };
}
