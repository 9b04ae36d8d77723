import { eq, sql } from 'drizzle-orm';
import type { Database, Queryable } from '../db/client';
import { stripeTasks, type StripeTask } from '../db/schema';
import { ExternalServiceError } from '../errors';
import { log } from '../log';
import { expireCheckoutSession, refundPayment } from '../stripe';
import { claimDue, recordFailure } from './claim';

export type NewStripeTask = typeof stripeTasks.$inferInsert;

/** Queues follow-up calls to Stripe inside the caller's transaction; each effect at most once. */
export async function queueStripeTasks(tx: Queryable, tasks: NewStripeTask[]): Promise<number[]> {
  if (tasks.length === 0) return [];
  const inserted = await tx
    .insert(stripeTasks)
    .values(tasks)
    .onConflictDoNothing({ target: stripeTasks.dedupeKey })
    .returning({ id: stripeTasks.id });
  return inserted.map((r) => r.id);
}

async function perform(task: StripeTask): Promise<unknown> {
  switch (task.kind) {
    case 'expire_session':
      return { expire: await expireCheckoutSession(task.checkoutSessionId) };
    case 'refund':
      if (!task.paymentIntentId) throw new ExternalServiceError('stripe', 'no payment intent to refund', false);
      return { refund: await refundPayment(task.paymentIntentId, task.checkoutSessionId) };
  }
}

async function runOne(db: Database, task: StripeTask): Promise<'done' | 'retry' | 'failed'> {
  try {
    const result = await perform(task);
    await db
      .update(stripeTasks)
      .set({ status: 'done', result, lastError: null, updatedAt: sql`now()` })
      .where(eq(stripeTasks.id, task.id));
    return 'done';
  } catch (err) {
    return recordFailure(db, stripeTasks, task, err);
  }
}

export type TaskRunResult = { done: number; retry: number; failed: number };

async function runClaimed(db: Database, tasks: StripeTask[]): Promise<TaskRunResult> {
  const result: TaskRunResult = { done: 0, retry: 0, failed: 0 };
  for (const task of tasks) result[await runOne(db, task)]++;
  return result;
}

/** Runs follow-ups just committed by a request; never throws (the dispatcher retries). */
export async function runStripeTasksNow(db: Database, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  try {
    await runClaimed(db, await claimDue(db, stripeTasks, { ids, limit: ids.length }));
  } catch (err) {
    log.warn('Stripe follow-up after commit failed; the dispatcher will retry', { err });
  }
}

export async function runDueStripeTasks(db: Database, limit = 50): Promise<TaskRunResult> {
  return runClaimed(db, await claimDue(db, stripeTasks, { limit }));
}
