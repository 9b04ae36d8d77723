import { eq, sql } from 'drizzle-orm';
import type { Database, Queryable } from '../db/client';
import { stripeTasks, type StripeTask } from '../db/schema';
import { ExternalServiceError } from '../errors';
import { expireCheckoutSession, refundPayment } from '../stripe';
import { workNow, workQueue, type QueueRun } from './work-queue';

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
      if (!task.paymentIntentId)
        throw new ExternalServiceError('stripe', 'no payment intent to refund', false);
      return { refund: await refundPayment(task.paymentIntentId, task.checkoutSessionId) };
  }
}

async function runOne(db: Database, task: StripeTask): Promise<void> {
  const result = await perform(task);
  await db
    .update(stripeTasks)
    .set({ status: 'done', result, lastError: null, updatedAt: sql`now()` })
    .where(eq(stripeTasks.id, task.id));
}

/** Runs follow-ups just committed by a request; never throws (the dispatcher retries). */
export const runStripeTasksNow = (db: Database, ids: number[]): Promise<void> =>
  workNow(db, stripeTasks, ids, (t) => runOne(db, t));

export const runDueStripeTasks = (db: Database, limit = 50): Promise<QueueRun> =>
  workQueue(db, stripeTasks, { limit }, (t) => runOne(db, t));
