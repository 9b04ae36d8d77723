import { sql } from 'drizzle-orm';
import { config } from '../config';
import { namedRows } from '../db/client';
import { MIN_CALL_MS, msLeft, type Deadline } from '../deadline';
import { NoSendTurn } from '../errors';
import { DETAILS_PRIORITY, ANSWER_PRIORITY, TEASER_PRIORITY, type SmsPriority } from './sms-priority';

/**
 * How far ahead a sender of each priority may book its turn. A teaser books at most half a second
 * ahead, so a client's details (or a pay link) arriving behind a queue of teasers waits for at most
 * that many of them (10 at 20/s), not for the whole queue.
 */
export const HORIZON_MS: Record<SmsPriority, number> = {
  [DETAILS_PRIORITY]: 10_000,
  [ANSWER_PRIORITY]: 2_000,
  [TEASER_PRIORITY]: 500,
};

/** The shortest pause before asking again for a turn that was too far ahead. */
const MIN_POLL_MS = 25;

type Booking = { wait_ms: number; granted: boolean; behind: boolean };

/**
 * Books the next turn of the deployment's send rate, in one statement on the `sms_rate` row:
 * turns are `1000 / SMS_RATE_PER_SECOND` ms apart for every container, never before a 429's
 * Retry-After ends, and booked only when they start within `maxWaitMs`; `turns` books that many
 * requests' worth at once (a lookup and then a send). `behindQueued`: no turn
 * either while older SMS of this priority or higher are due (a request's own message does not jump
 * the queue). The clock is the database's, so containers' clocks do not matter.
 */
export async function bookTurn(
  priority: SmsPriority,
  opts: { maxWaitMs: number; behindQueued?: boolean; turns?: number },
): Promise<{ granted: boolean; waitMs: number; behind: boolean }> {
  const stepSeconds = (opts.turns ?? 1) / config().textmagic.ratePerSecond;
  const [row] = await namedRows<Booking>(
    'book_sms_turn',
    sql`with r as (
        select greatest(next_at, paused_until, clock_timestamp()) as free from sms_rate where id = 1 for update
      ), ahead as (
        select ${opts.behindQueued === true} and exists (
          select from sms_messages where status = 'queued' and priority <= ${priority}
            and next_attempt_at <= now()) as behind
      ), booked as (
        update sms_rate set next_at = r.free + make_interval(secs => ${stepSeconds})
        from r, ahead
        where sms_rate.id = 1 and not ahead.behind
          and r.free <= clock_timestamp() + make_interval(secs => ${Math.max(0, opts.maxWaitMs) / 1000})
        returning 1
      )
      select (extract(epoch from r.free - clock_timestamp()) * 1000)::float8 as wait_ms,
        exists (select from booked) as granted, ahead.behind
      from r, ahead`,
  );
  if (!row) throw new Error('sms_rate has no row: run the migrations (0029_sms-rate)');
  return { granted: row.granted, waitMs: Math.max(0, Number(row.wait_ms)), behind: row.behind };
}

/**
 * Waits for a turn to send an SMS of `priority`, booking no further ahead than its horizon.
 * `by`: the turn must start early enough to send by then (a request's budget, or the dispatcher
 * run's end), else NoSendTurn; `behindQueued` and `turns` as in `bookTurn`.
 */
export async function waitForTurn(
  priority: SmsPriority,
  opts: { by?: Deadline; behindQueued?: boolean; turns?: number } = {},
): Promise<void> {
  for (;;) {
    const budget = opts.by ? msLeft(opts.by) - MIN_CALL_MS : Infinity;
    if (budget < 0) throw new NoSendTurn(false);
    const turn = await bookTurn(priority, {
      maxWaitMs: Math.min(HORIZON_MS[priority], budget),
      behindQueued: opts.behindQueued,
      turns: opts.turns,
    });
    if (turn.behind) throw new NoSendTurn(true);
    if (turn.granted) {
      if (turn.waitMs > 0) await sleep(turn.waitMs);
      return;
    }
    // Booked too far ahead: ask again when the free turn is within reach.
    const pause = Math.max(MIN_POLL_MS, turn.waitMs - HORIZON_MS[priority]);
    if (pause > budget) throw new NoSendTurn(false);
    await sleep(pause);
  }
}

/** A 429 from TextMagic: no container sends before its Retry-After has passed. */
export async function pauseSends(ms: number): Promise<void> {
  await namedRows(
    'pause_sms_rate',
    sql`update sms_rate set paused_until = greatest(paused_until, clock_timestamp() + make_interval(secs => ${ms / 1000}))
      where id = 1`,
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
