/**
 * The hosted form's abuse limits, kept in Postgres (no outside service): submissions per client
 * address and per phone number in a rolling hour, and a count of every refused submission by
 * reason, which `GET /intake/sources` shows and the `FormBlocked` metric carries. Addresses and
 * numbers are stored only as SHA-256 hashes.
 */
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { rows, type Database } from '../db/client';
import { businessEvent } from '../metrics';

export const MAX_PER_IP_PER_HOUR = 10;
export const MAX_PER_PHONE_PER_HOUR = 3;

/** Why a submission was refused as abuse (the `reason` of form_blocks). */
export type BlockReason =
  'honeypot' | 'too_fast' | 'bad_stamp' | 'stale_stamp' | 'ip_rate' | 'phone_rate' | 'too_large';

const keyOf = (kind: 'ip' | 'phone', value: string) =>
  createHash('sha256').update(`${kind}:${value}`).digest('hex');

/**
 * Counts this submission against its address and its phone (one statement: concurrent ones are
 * counted against each other), clears windows that have run out, and says which limit it is over.
 */
export async function overRateLimit(
  db: Database,
  ip: string,
  phone: string,
): Promise<'ip_rate' | 'phone_rate' | undefined> {
  const ipKey = keyOf('ip', ip);
  const phoneKey = keyOf('phone', phone);
  const counted = await rows<{ key: string; hits: number }>(
    db,
    'form_rate_count',
    // The windows over an hour old go with it (not these two keys, which this statement updates;
    // nor a row another submission holds, so that two never wait on each other): the table keeps
    // about an hour of submissions, not every address and phone ever seen.
    sql`with stale as (
          delete from form_rate_limits where key in (
            select key from form_rate_limits
            where window_started_at <= now() - interval '1 hour'
              and key <> all(${sql.param([ipKey, phoneKey])}::text[])
            for update skip locked)
        )
        insert into form_rate_limits as f (key, hits, window_started_at)
        values (${ipKey}, 1, now()), (${phoneKey}, 1, now())
        on conflict (key) do update set
          hits = case when f.window_started_at > now() - interval '1 hour' then f.hits + 1 else 1 end,
          window_started_at = case when f.window_started_at > now() - interval '1 hour'
                                   then f.window_started_at else now() end
        returning key, hits`,
  );
  const hits = (key: string) => counted.find((r) => r.key === key)?.hits ?? 0;
  if (hits(ipKey) > MAX_PER_IP_PER_HOUR) return 'ip_rate';
  if (hits(phoneKey) > MAX_PER_PHONE_PER_HOUR) return 'phone_rate';
  return undefined;
}

/** Counts one refused submission (the only write a refused one makes). */
export async function countBlocked(db: Database, reason: BlockReason): Promise<void> {
  await rows(
    db,
    'form_block_count',
    sql`insert into form_blocks as b (day, reason, count) values ((now() at time zone 'utc')::date, ${reason}, 1)
        on conflict (day, reason) do update set count = b.count + 1`,
  );
  businessEvent('form submission blocked', { FormBlocked: 1 }, { reason });
}

/** Refused submissions of the last 30 days, by reason, and in total. */
export async function blockedCounts(
  db: Database,
): Promise<{ total: number; byReason: Record<string, number> }> {
  const counted = await rows<{ reason: string; n: number }>(
    db,
    'form_blocks_30d',
    sql`select reason, sum(count)::int as n from form_blocks
        where day > (now() at time zone 'utc')::date - 30 group by reason order by reason`,
  );
  const byReason = Object.fromEntries(counted.map((r) => [r.reason, r.n]));
  return { total: counted.reduce((sum, r) => sum + r.n, 0), byReason };
}
