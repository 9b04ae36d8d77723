import type { Database } from '../db/client';
import { releaseStaleCodes } from './release-codes';
import type { QueueRun } from './work-queue';
import { dispatchDueSms } from './outbox';
import { runDueStripeTasks } from './stripe-tasks';

/**
 * The scheduled run: queued SMS and Stripe follow-ups that are due, and the codes of leads
 * that expired since the last run handed back.
 */
export async function dispatchDue(db: Database): Promise<{ sms: QueueRun; stripe: QueueRun }> {
  await releaseStaleCodes(db);
  const sms = await dispatchDueSms(db);
  const stripe = await runDueStripeTasks(db);
  return { sms, stripe };
}
