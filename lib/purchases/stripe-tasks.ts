import { businessEvent } from '../metrics';
import { and, eq, inArray, isNotNull, ne, sql } from 'drizzle-orm';
import type { Database, Queryable } from '../db/client';
import type { Deadline } from '../deadline';
import { offers, stripeTasks, type StripeTask } from '../db/schema';
import { ExternalServiceError } from '../errors';
import { expireCheckoutSession, refundPayment } from '../stripe';
import { runCharge, runSaveCard } from './charge-saved-card';
import { runDetachCard, runSaveSetupCard } from './card-setup';
import { workClaimed, workQueue, type QueueRun } from '../queue/work-queue';

export type NewStripeTask = typeof stripeTasks.$inferInsert;

/**
 * The `expire_session` follow-ups that close the open Checkout Sessions of the leads `leadIds`
 * (other than offer `exceptOfferId`'s): when a lead is sold out, returned, or its client's data
 * erased, nobody else may pay.
 */
export async function expireOtherSessions(
  tx: Queryable,
  leadIds: string | string[],
  exceptOfferId?: string,
): Promise<NewStripeTask[]> {
  const ids = typeof leadIds === 'string' ? [leadIds] : leadIds;
  const open = await tx
    .select({ sessionId: offers.checkoutSessionId, leadId: offers.leadId, providerId: offers.providerId })
    .from(offers)
    .where(
      and(
        inArray(offers.leadId, ids),
        exceptOfferId === undefined ? undefined : ne(offers.id, exceptOfferId),
        eq(offers.status, 'offered'),
        isNotNull(offers.checkoutSessionId),
      ),
    );
  return open.map((o) => ({
    kind: 'expire_session',
    dedupeKey: `expire:${o.sessionId}`,
    checkoutSessionId: o.sessionId!,
    leadId: o.leadId,
    providerId: o.providerId,
  }));
}

/**
 * The refund of one payment, keyed by its session (or, for a saved card, its PaymentIntent) id:
 * whatever queues it (a payment past the cap, an approved return, an erasure), one key, so one
 * payment is refunded once whatever races.
 */
export const refundTask = (p: {
  checkoutSessionId: string;
  paymentIntentId: string | null;
  leadId: string;
  providerId: string;
}): NewStripeTask => ({ kind: 'refund', dedupeKey: `refund:${p.checkoutSessionId}`, ...p });

async function perform(db: Database, task: StripeTask, deadline?: Deadline): Promise<unknown> {
  switch (task.kind) {
    case 'expire_session':
      if (!task.checkoutSessionId) throw new ExternalServiceError('stripe', 'no session to expire', false);
      return { expire: await expireCheckoutSession(task.checkoutSessionId, task.attempts, deadline) };
    case 'refund':
      if (!task.paymentIntentId || !task.checkoutSessionId)
        throw new ExternalServiceError('stripe', 'no payment intent to refund', false);
      return {
        refund: await refundPayment(task.paymentIntentId, task.checkoutSessionId, task.attempts, deadline),
      };
    case 'charge':
      return runCharge(db, task, deadline);
    case 'save_card':
      return runSaveCard(db, task, deadline);
    case 'save_setup_card':
      return runSaveSetupCard(db, task, deadline);
    case 'detach_card':
      return runDetachCard(task, deadline);
  }
}

async function runOne(db: Database, task: StripeTask, deadline?: Deadline): Promise<void> {
  const result = await perform(db, task, deadline);
  await db
    .update(stripeTasks)
    .set({ status: 'done', result, lastError: null, updatedAt: sql`now()` })
    .where(eq(stripeTasks.id, task.id));
  if (task.kind === 'refund') {
    businessEvent(
      'payment refunded',
      { Refunds: 1 },
      {
        leadId: task.leadId,
        providerId: task.providerId,
        sessionId: task.checkoutSessionId,
        taskId: task.id,
      },
    );
  }
}

/**
 * Runs follow-ups a request's transaction wrote already claimed (`insertClaimed`) within its
 * budget after commit (`deadline`, as for `sendClaimedNow`), with no SDK retry; never throws (the
 * dispatcher retries what is left).
 */
export const runClaimedStripeTasksNow = (
  db: Database,
  tasks: StripeTask[],
  deadline?: Deadline,
): Promise<void> => workClaimed(db, stripeTasks, tasks, (t, d) => runOne(db, t, d), deadline).then(() => {});

export const runDueStripeTasks = (db: Database, limit = 50): Promise<QueueRun> =>
  workQueue(db, stripeTasks, { limit }, (t) => runOne(db, t));
