import { and, eq, sql } from 'drizzle-orm';
import { transaction, type Database, type Tx } from '../db/client';
import { leads, smsMessages, stripeTasks, type Lead } from '../db/schema';
import { conflict, notFound } from '../errors';
import { log } from '../log';
import { expireOtherSessions, runClaimedStripeTasksNow } from '../purchases/stripe-tasks';
import { CANCELLED_TEASER, inlineDeadline, insertClaimed } from '../queue/work-queue';
import { leadStatus } from './lead-status';

/**
 * Closing a lead (`POST /leads/{id}/close`): the operator stops its sale now. It is an expiry
 * now (`expires_at`, so every rule that stops an expired lead stops it: no new teasers, a YES is
 * answered "no longer available", its pay links answer 410, a payment that completes anyway is
 * refunded past expiry, its code is freed) that remembers who ended it: `closed_at`, so that the
 * lead reads `closed` with the time it was closed, never an `expired` whose expiry moved.
 */

/** The lead row, locked as a payment or a return's approval locks it (`no key update`). */
export async function lockedLead(tx: Tx, id: string): Promise<Lead> {
  const [lead] = await tx.select().from(leads).where(eq(leads.id, id)).for('no key update');
  if (!lead) throw notFound('No lead with this id');
  return lead;
}

/** The 409 of an action that needs the lead on sale, naming what it is instead. */
export function notOpen(lead: Lead, doing: string) {
  const status = leadStatus(lead);
  return conflict('lead_not_open', `This lead is ${status}, not open: ${doing} only an open lead`);
}

export type ClosedLead = {
  id: string;
  code: string;
  status: 'closed';
  closedAt: string;
  /** Open Checkout Sessions of it that were queued to be expired at Stripe. */
  checkoutSessionsExpired: number;
  /** Teasers held for their providers' quiet hours that will now not go. */
  teasersCancelled: number;
};

/**
 * Closes an open lead in one transaction (409 `lead_not_open` for one full, expired or closed
 * already), then expires its open Checkout Sessions at Stripe within the request's budget (the
 * dispatcher retries what is left; a session paid meanwhile is refunded as one past expiry).
 */
export async function closeLead(db: Database, id: string): Promise<ClosedLead> {
  const { closed, tasks, cancelled } = await transaction(async (tx) => {
    const lead = await lockedLead(tx, id);
    if (leadStatus(lead) !== 'open') throw notOpen(lead, 'one can close');
    const [row] = await tx
      .update(leads)
      .set({ closedAt: sql`now()`, expiresAt: sql`least(${leads.expiresAt}, now())`, codeActive: false })
      .where(eq(leads.id, id))
      .returning();
    // Held teasers not claimed by a sender yet (attempts 0): the dispatcher would drop them at
    // their time anyway; cancelled now, the lead page says so at once.
    const dropped = await tx
      .update(smsMessages)
      .set({ status: 'cancelled', lastError: CANCELLED_TEASER })
      .where(
        and(
          eq(smsMessages.leadId, id),
          eq(smsMessages.kind, 'teaser'),
          eq(smsMessages.status, 'queued'),
          eq(smsMessages.attempts, 0),
        ),
      )
      .returning({ recipients: smsMessages.recipients });
    const claimed = await insertClaimed(tx, stripeTasks, await expireOtherSessions(tx, id));
    return {
      closed: row!,
      tasks: claimed,
      cancelled: dropped.reduce((n, m) => n + m.recipients.length, 0),
    };
  });
  log.info('lead closed', { leadId: id, sessions: tasks.length, teasersCancelled: cancelled });
  await runClaimedStripeTasksNow(db, tasks, inlineDeadline());
  return {
    id: closed.id,
    code: closed.code,
    status: 'closed',
    closedAt: closed.closedAt!.toISOString(),
    checkoutSessionsExpired: tasks.length,
    teasersCancelled: cancelled,
  };
}
