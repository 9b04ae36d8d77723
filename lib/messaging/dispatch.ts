import { sql } from 'drizzle-orm';
import { config } from '../config';
import type { Database } from '../db/client';
import { eraseExpiredClientData } from '../privacy/erase-client';
import { heartbeats } from '../db/schema';
import { releaseStaleCodes } from '../leads/release-codes';
import { ageDueLeads } from '../leads/age-leads';
import type { QueueRun } from '../queue/work-queue';
import { dispatchDueSms } from './outbox';
import { runDueStripeTasks } from '../purchases/stripe-tasks';

/**
 * The scheduled run: queued SMS and Stripe follow-ups that are due, the codes of leads that
 * expired since the last run handed back, leads whose aged price is due aged (their teasers go in
 * this run's sends), and client data past CLIENT_DATA_RETENTION_DAYS erased.
 */
export async function dispatchDue(
  db: Database,
): Promise<{ sms: QueueRun; stripe: QueueRun; erasedLeads: number; agedLeads: number }> {
  await releaseStaleCodes(db);
  const agedLeads = await ageDueLeads(db);
  const stripe = await runDueStripeTasks(db);
  // Last: in a burst it sends for up to a minute, and what Stripe's follow-ups queued goes too.
  const sms = await dispatchDueSms(db);
  // CLIENT_DATA_RETENTION_DAYS: the client data of old leads, erased a few batches a run.
  const days = config().clientDataRetentionDays;
  const erasedLeads = days === undefined ? 0 : await eraseExpiredClientData(db, days);
  // The operator's "dispatcher last ran" (GET /health/integrations): a run that threw never gets here.
  await db
    .insert(heartbeats)
    .values({ name: 'sms-dispatcher', lastRunAt: sql`now()`, details: { sms, stripe } })
    .onConflictDoUpdate({
      target: heartbeats.name,
      set: { lastRunAt: sql`now()`, details: { sms, stripe } },
    });
  return { sms, stripe, erasedLeads, agedLeads };
}
