import { and, asc, eq, inArray, lte, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { smsMessages, stripeTasks } from '../db/schema';
import { ExternalServiceError } from '../errors';
import { log } from '../log';
import { afterFailure, CLAIM_LEASE_MS } from './backoff';

type Queue = typeof smsMessages | typeof stripeTasks;

/** When a row claimed now goes back to the queue if its worker has not settled it. */
export const leaseEnd = () => sql`now() + ${`${CLAIM_LEASE_MS} milliseconds`}::interval`;

/**
 * Reserves due rows of a queue (the SMS outbox or the Stripe follow-ups) for this worker in one
 * statement: rows another worker holds are skipped, the try is counted, and the row is leased
 * so that a worker that dies mid-send hands it back when the lease runs out.
 */
export async function claimDue<Q extends Queue>(
  db: Database,
  queue: Q,
  opts: { ids?: number[]; limit: number },
): Promise<Array<Q['$inferSelect']>> {
  // Both queues share these columns; drizzle cannot see that through the union, hence the cast.
  const q = queue as typeof smsMessages;
  const due = db
    .select({ id: q.id })
    .from(q)
    .where(
      and(
        eq(q.status, 'queued'),
        lte(q.nextAttemptAt, sql`now()`),
        opts.ids ? inArray(q.id, opts.ids) : undefined,
      ),
    )
    .orderBy(asc(q.nextAttemptAt))
    .limit(opts.limit)
    .for('update', { skipLocked: true });
  const rows = await db
    .update(q)
    .set({
      attempts: sql`${q.attempts} + 1`,
      nextAttemptAt: leaseEnd(),
      updatedAt: sql`now()`,
    })
    .where(inArray(q.id, due))
    .returning();
  return rows as Array<Q['$inferSelect']>;
}

/**
 * After a failed try: a retryable error waits with backoff, anything else (or the tenth try)
 * marks the row failed for the operator to see.
 */
export async function recordFailure<Q extends Queue>(
  db: Database,
  queue: Q,
  row: { id: number; attempts: number },
  err: unknown,
): Promise<'retry' | 'failed'> {
  const q = queue as typeof smsMessages;
  const retryable = err instanceof ExternalServiceError ? err.retryable : true;
  const decision = afterFailure(row.attempts, retryable);
  const error = err instanceof Error ? err.message : String(err);
  log.warn(`${q === smsMessages ? 'SMS send' : 'Stripe follow-up'} failed`, {
    id: row.id,
    attempts: row.attempts,
    retryable,
    error,
  });
  await db
    .update(q)
    .set(
      decision.giveUp
        ? { status: 'failed', lastError: error, updatedAt: sql`now()` }
        : { nextAttemptAt: decision.nextAttemptAt, lastError: error, updatedAt: sql`now()` },
    )
    .where(eq(q.id, row.id));
  return decision.giveUp ? 'failed' : 'retry';
}

export type QueueRun = { done: number; retry: number; failed: number };

/**
 * Claims due rows of a queue and works them one at a time (TextMagic's rate limits and a small
 * pool both favour it); `work` marks its row done, a throw is recorded by `recordFailure`.
 */
export async function workQueue<Q extends Queue>(
  db: Database,
  queue: Q,
  opts: { ids?: number[]; limit: number },
  work: (row: Q['$inferSelect']) => Promise<void>,
): Promise<QueueRun> {
  return workRows(db, queue, await claimDue(db, queue, opts), work);
}

/** Works rows this worker already holds (claimed, or written claimed by its own transaction). */
async function workRows<Q extends Queue>(
  db: Database,
  queue: Q,
  rows: Array<Q['$inferSelect']>,
  work: (row: Q['$inferSelect']) => Promise<void>,
): Promise<QueueRun> {
  const result: QueueRun = { done: 0, retry: 0, failed: 0 };
  for (const row of rows) {
    try {
      await work(row);
      result.done++;
    } catch (err) {
      result[await recordFailure(db, queue, row, err)]++;
    }
  }
  return result;
}

/**
 * Works rows a request has just committed. Never throws: whatever is not done stays queued
 * for the dispatcher, so a fault in Stripe, TextMagic or the database here loses nothing.
 */
export async function workNow<Q extends Queue>(
  db: Database,
  queue: Q,
  ids: number[],
  work: (row: Q['$inferSelect']) => Promise<void>,
): Promise<void> {
  if (ids.length === 0) return;
  try {
    await workQueue(db, queue, { ids, limit: ids.length }, work);
  } catch (err) {
    log.warn('work after commit failed; the dispatcher will retry', { err });
  }
}

/**
 * Works rows a request's transaction has just written already claimed (see `queueSms`), which
 * saves the claiming round trip. Never throws, like `workNow`.
 */
export async function workClaimed<Q extends Queue>(
  db: Database,
  queue: Q,
  rows: Array<Q['$inferSelect']>,
  work: (row: Q['$inferSelect']) => Promise<void>,
): Promise<void> {
  if (rows.length === 0) return;
  try {
    await workRows(db, queue, rows, work);
  } catch (err) {
    log.warn('work after commit failed; the dispatcher will retry', { err });
  }
}
