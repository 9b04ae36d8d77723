import { businessEvent } from '../metrics';
import { and, asc, eq, getTableColumns, inArray, lte, sql } from 'drizzle-orm';
import { config } from '../config';
import type { Database, Queryable } from '../db/client';
import { deadlineIn, MIN_CALL_MS, msLeft, type Deadline } from '../deadline';
import { smsMessages, stripeTasks } from '../db/schema';
import { ExternalServiceError, NoSendTurn } from '../errors';
import { pauseSends } from '../messaging/send-rate';
import { log } from '../log';
import { afterFailure, CLAIM_LEASE_MS } from './backoff';
import { onSaleSql } from '../leads/lead-status';

type Queue = typeof smsMessages | typeof stripeTasks;

/** When a row claimed now goes back to the queue if its worker has not settled it. */
export const leaseEnd = () => sql`now() + ${`${CLAIM_LEASE_MS} milliseconds`}::interval`;

/**
 * Columns of a queue row written already claimed by this worker (one try counted, leased as
 * `claimDue` would): the statement that writes it saves the claim, and `workClaimed` (for SMS
 * `sendClaimedNow`) works it after commit. Should this worker die first, the dispatcher takes it
 * when the lease ends.
 */
export const claimedNow = {
  attempts: 1,
  nextAttemptAt: leaseEnd(),
} as const;

/**
 * Writes rows to a queue already claimed (`claimedNow`), inside the caller's transaction: the
 * claim rides on the insert instead of a statement of its own after commit. A row whose dedupe
 * key exists is not written (nor returned). Oldest first.
 */
export async function insertClaimed<Q extends Queue>(
  tx: Queryable,
  queue: Q,
  values: Array<Q['$inferInsert']>,
): Promise<Array<Q['$inferSelect']>> {
  if (values.length === 0) return [];
  const q = queue as typeof smsMessages;
  const rows = await tx
    .insert(q)
    .values(values.map((v) => ({ ...(v as typeof q.$inferInsert), ...claimedNow })))
    .onConflictDoNothing({ target: q.dedupeKey })
    .returning();
  // RETURNING has no order; ids follow the VALUES order.
  return (rows as Array<Q['$inferSelect']>).sort((a, b) => a.id - b.id);
}

/**
 * The recipients a teaser may still go to, as a column of the claim's select on sms_messages
 * (null for other kinds): providers still active and not opted out, while its lead is open
 * (neither full nor expired, its category not deactivated). A teaser held overnight for its providers' teaser hours
 * (lib/leads/quiet-hours.ts) is sent to them only; with none, it is cancelled unsent.
 */
const teaserKeeps = () =>
  sql`case when ${smsMessages.kind} = 'teaser' then array(
    select r from unnest(${smsMessages.recipients}) with ordinality as x(r, i)
    where exists (select from leads l where l.id = ${smsMessages.leadId}
        and ${onSaleSql(sql`l`)}
        -- A category deactivated since (PATCH /categories/{slug}) stops its queued teasers.
        and not exists (select from categories c where c.slug = l.category and not c.active))
      and exists (select from providers p where p.phone = x.r and p.active and not p.opted_out)
    order by i) end`;

/** Why a claimed teaser is cancelled (its `last_error`); its recipients are as they were. */
export const CANCELLED_TEASER = 'not sent: its lead was no longer open, or none of its providers may get it';

/**
 * Reserves due rows of a queue (the SMS outbox or the Stripe follow-ups) for this worker in one
 * statement: rows another worker holds are skipped, the try is counted, and the row is leased
 * so that a worker that dies mid-send hands it back when the lease runs out. In the same
 * statement, a due teaser loses the recipients who may no longer get it (`teaserKeeps`), and
 * with none left is marked `cancelled` instead: returned so, not to be sent. `claimed` counts
 * every row claimed, cancelled teasers included (with none to send, the next may be due).
 */
export async function claimDue<Q extends Queue>(
  db: Database,
  queue: Q,
  opts: { ids?: number[]; limit: number },
): Promise<{ rows: Array<Claimed<Q>>; claimed: number }> {
  // Both queues share these columns; drizzle cannot see that through the union, hence the cast.
  const q = queue as typeof smsMessages;
  const sms = queue === smsMessages;
  const due = db
    .select({
      id: q.id,
      dueAt: q.nextAttemptAt,
      ...(sms && { keep: sql<string[] | null>`${teaserKeeps()}`.as('keep') }),
    })
    .from(q)
    .where(
      and(
        eq(q.status, 'queued'),
        lte(q.nextAttemptAt, sql`now()`),
        opts.ids ? inArray(q.id, opts.ids) : undefined,
      ),
    )
    // SMS: a client's details first, teasers last (lib/messaging/sms-priority.ts), then oldest due.
    .orderBy(...(sms ? [asc(q.priority)] : []), asc(q.nextAttemptAt), asc(q.id))
    .limit(opts.limit)
    .for('update', { skipLocked: true })
    .as('due');
  const rows = await db
    .update(q)
    .set({
      attempts: sql`${q.attempts} + 1`,
      nextAttemptAt: leaseEnd(),
      updatedAt: sql`now()`,
      ...(sms && {
        status: sql`case when cardinality(due.keep) = 0 then 'cancelled' else ${q.status} end`,
        recipients: sql`case when cardinality(due.keep) > 0 then due.keep else ${q.recipients} end`,
        lastError: sql`case when cardinality(due.keep) = 0 then ${CANCELLED_TEASER} else ${q.lastError} end`,
      }),
    })
    .from(due)
    .where(eq(q.id, due.id))
    // How long each row had been due, read in the same statement (the lease overwrites it).
    .returning({
      ...getTableColumns(q),
      dueForSeconds: sql<number>`extract(epoch from now() - ${due.dueAt})::float8`.mapWith(Number),
    });
  const claimed = rows as Array<Claimed<Q>>;
  const cancelled = claimed.filter((r) => r.status === 'cancelled');
  for (const r of cancelled) {
    log.info('teaser cancelled: its lead is no longer open, or none of its providers may get it', {
      smsId: r.id,
      leadId: r.leadId,
    });
  }
  // RETURNING has no order: oldest first, so a budget running out leaves the newest queued.
  const kept = (cancelled.length ? claimed.filter((r) => r.status !== 'cancelled') : claimed).sort(
    (a, b) => a.id - b.id,
  );
  return { rows: kept, claimed: claimed.length };
}

/** A claimed row, with how long it had been due when claimed. */
export type Claimed<Q extends Queue> = Q['$inferSelect'] & { dueForSeconds: number };

/**
 * After a failed try: a retryable error waits with backoff, anything else (or the tenth try)
 * marks the row failed for the operator to see.
 */
export async function recordFailure<Q extends Queue>(
  db: Database,
  queue: Q,
  row: { id: number; attempts: number; leadId: string | null; providerId: string | null },
  err: unknown,
): Promise<'retry' | 'failed'> {
  const q = queue as typeof smsMessages;
  // A 429 is TextMagic's limit, not this message's fault: every sender pauses for its Retry-After
  // (`pauseSends`), and the message is due again when the pause ends, its try not counted, instead
  // of backing off for minutes. Refused for good, it stays queued (nothing lost) and the
  // dispatcher's oldest-due alarm tells the operator.
  const retryAfterMs = err instanceof ExternalServiceError ? err.answer.retryAfterMs : undefined;
  const limited = retryAfterMs !== undefined && q === smsMessages;
  if (limited) await pauseSends(retryAfterMs);
  const retryable = err instanceof ExternalServiceError ? err.retryable : true;
  const decision = limited
    ? // Due when the shared pause ends, by the database's clock (as the pause itself).
      { giveUp: false as const, nextAttemptAt: sql`(select paused_until from sms_rate where id = 1)` }
    : afterFailure(row.attempts, retryable);
  const error = err instanceof Error ? err.message : String(err);
  // A send TextMagic may have taken without answering: the next try asks it first (outbox.ts).
  const unheardAt = err instanceof ExternalServiceError ? err.answer.sentUnheardAt : undefined;
  const unheard =
    q === smsMessages && unheardAt
      ? { unheardSince: sql`coalesce(${q.unheardSince}, ${unheardAt.toISOString()}::timestamptz)` }
      : {};
  log.warn(`${q === smsMessages ? 'SMS send' : 'Stripe follow-up'} failed`, {
    id: row.id,
    leadId: row.leadId,
    providerId: row.providerId,
    attempts: row.attempts,
    retryable,
    error,
  });
  await db
    .update(q)
    .set(
      decision.giveUp
        ? { status: 'failed', lastError: error, updatedAt: sql`now()`, ...unheard }
        : {
            nextAttemptAt: decision.nextAttemptAt,
            lastError: error,
            updatedAt: sql`now()`,
            ...unheard,
            ...(limited && { attempts: sql`greatest(${q.attempts} - 1, 0)` }),
          },
    )
    .where(eq(q.id, row.id));
  if (decision.giveUp && q === smsMessages) {
    businessEvent(
      'SMS failed',
      { SmsFailed: 1 },
      { smsId: row.id, leadId: row.leadId, providerId: row.providerId },
    );
  }
  return decision.giveUp ? 'failed' : 'retry';
}

export type QueueRun = { done: number; retry: number; failed: number };

/** Works one row; with a deadline, outside calls take only what is left of it as their timeout. */
export type Work<Row> = (row: Row, deadline?: Deadline) => Promise<void>;

/**
 * Claims due rows of a queue and works them one at a time (TextMagic's rate limits and a small
 * pool both favour it); `work` marks its row done, a throw is recorded by `recordFailure`.
 */
export async function workQueue<Q extends Queue>(
  db: Database,
  queue: Q,
  opts: { ids?: number[]; limit: number },
  work: Work<Q['$inferSelect']>,
  onClaimed?: (rows: Array<Claimed<Q>>) => void,
): Promise<QueueRun> {
  const { rows } = await claimDue(db, queue, opts);
  onClaimed?.(rows);
  return workRows(db, queue, rows, work);
}

/** Works rows this worker already holds (claimed, or written claimed by its own transaction). */
async function workRows<Q extends Queue>(
  db: Database,
  queue: Q,
  rows: Array<Q['$inferSelect']>,
  work: Work<Q['$inferSelect']>,
  deadline?: Deadline,
): Promise<QueueRun & { behind?: boolean }> {
  const result: QueueRun = { done: 0, retry: 0, failed: 0 };
  for (const [i, row] of rows.entries()) {
    if (deadline && msLeft(deadline) < MIN_CALL_MS) {
      await release(db, queue, rows.slice(i));
      break;
    }
    try {
      await work(row, deadline);
      result.done++;
    } catch (err) {
      if (err instanceof NoSendTurn) {
        // The send rate is busy: this row and the rest wait in the queue, in their order.
        await release(db, queue, rows.slice(i));
        return { ...result, behind: err.behind };
      }
      result[await recordFailure(db, queue, row, err)]++;
    }
  }
  return result;
}

/**
 * Hands back rows a worker claimed but had no time (or no turn of the send rate) to try: due at
 * once (not at the end of the lease), in their place, and the try they were charged not counted.
 */
export async function release<Q extends Queue>(
  db: Database,
  queue: Q,
  rows: Array<{ id: number }>,
): Promise<void> {
  const q = queue as typeof smsMessages;
  log.info('left queued (no time left, or the send rate is busy)', { ids: rows.map((r) => r.id) });
  await db
    .update(q)
    // Due again from when it was written, not from now: in a queue worked oldest first, a row handed
    // back keeps its place instead of going behind everything written since.
    .set({
      attempts: sql`greatest(${q.attempts} - 1, 0)`,
      nextAttemptAt: sql`least(now(), ${q.createdAt})`,
      updatedAt: sql`now()`,
    })
    .where(
      and(
        inArray(
          q.id,
          rows.map((r) => r.id),
        ),
        eq(q.status, 'queued'),
      ),
    );
}

/**
 * Works rows a request has just committed, within `deadline` (a request's budget after commit,
 * shared by everything it does then; by default INLINE_WORK_BUDGET_MS from now). Never throws:
 * whatever is not done stays queued for the dispatcher, so a fault or a hang in Stripe,
 * TextMagic or the database here loses nothing and does not hold the response.
 */
export async function workNow<Q extends Queue>(
  db: Database,
  queue: Q,
  ids: number[],
  work: Work<Q['$inferSelect']>,
  deadline: Deadline = inlineDeadline(),
): Promise<{ behind: boolean }> {
  if (ids.length === 0) return { behind: false };
  let rows: Array<Q['$inferSelect']>;
  try {
    ({ rows } = await claimDue(db, queue, { ids, limit: ids.length }));
  } catch (err) {
    log.warn('work after commit failed; the dispatcher will retry', { err });
    return { behind: false };
  }
  return workClaimed(db, queue, rows, work, deadline);
}

/**
 * Works rows a request's transaction has just written already claimed (see `claimedNow`),
 * which saves the claiming round trip. Never throws, and keeps to `deadline`, like `workNow`.
 */
export async function workClaimed<Q extends Queue>(
  db: Database,
  queue: Q,
  rows: Array<Q['$inferSelect']>,
  work: Work<Q['$inferSelect']>,
  deadline: Deadline = inlineDeadline(),
): Promise<{ behind: boolean }> {
  if (rows.length === 0) return { behind: false };
  try {
    return { behind: (await workRows(db, queue, rows, work, deadline)).behind === true };
  } catch (err) {
    log.warn('work after commit failed; the dispatcher will retry', { err });
    return { behind: false };
  }
}

/** A request's budget for its work after commit, starting now (INLINE_WORK_BUDGET_MS). */
export const inlineDeadline = (): Deadline => deadlineIn(config().inlineWorkBudgetMs);
