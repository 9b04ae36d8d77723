import { sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { heartbeats } from '../db/schema';
import { releaseStaleCodes } from '../leads/release-codes';
import type { QueueRun } from '../queue/work-queue';
import { dispatchDueSms } from './outbox';
import { runDueStripeTasks } from '../purchases/stripe-tasks';

/**
 * The scheduled run: queued SMS and Stripe follow-ups that are due, and the codes of leads
 * that expired since the last run handed back.
 */
export async function dispatchDue(db: Database): Promise<{ sms: QueueRun; stripe: QueueRun }> {
  await releaseStaleCodes(db);
  const sms = await dispatchDueSms(db);
  const stripe = await runDueStripeTasks(db);
  // The operator's "dispatcher last ran" (GET /health/integrations): a run that threw never gets here.
  await db
    .insert(heartbeats)
    .values({ name: 'sms-dispatcher', lastRunAt: sql`now()`, details: { sms, stripe } })
    .onConflictDoUpdate({
      target: heartbeats.name,
      set: { lastRunAt: sql`now()`, details: { sms, stripe } },
    });
  return { sms, stripe };
}
