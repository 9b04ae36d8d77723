import { desc, inArray } from 'drizzle-orm';
import * as z from 'zod/mini';
import type { Database } from '../db/client';
import { stripeTasks } from '../db/schema';
import { lazy } from '../lazy';

/** `GET /stripe/tasks?status=pending`. */
export const stripeTasksQuery = lazy(() =>
  z.object({ status: z._default(z.enum(['pending'], { error: 'must be pending' }), 'pending') }),
);

/** Most follow-ups listed at once: more than that pending means Stripe itself is the problem. */
const MAX_LISTED = 100;

/**
 * `GET /stripe/tasks?status=pending`: calls to Stripe that follow a committed change (expire the
 * other sessions of a full lead, refund a payment past the cap) not done yet: still queued
 * (retried by the dispatcher) or failed (given up on), newest first.
 */
export async function pendingStripeTasks(db: Database) {
  const rows = await db
    .select()
    .from(stripeTasks)
    .where(inArray(stripeTasks.status, ['queued', 'failed']))
    .orderBy(desc(stripeTasks.createdAt), desc(stripeTasks.id))
    .limit(MAX_LISTED);
  return {
    tasks: rows.map((t) => ({
      id: t.id,
      kind: t.kind,
      leadId: t.leadId,
      providerId: t.providerId,
      status: t.status,
      attempts: t.attempts,
      lastError: t.lastError,
      nextAttemptAt: t.nextAttemptAt.toISOString(),
      createdAt: t.createdAt.toISOString(),
    })),
  };
}

/** `GET /stripe/tasks`'s answer. */
export type PendingStripeTasks = Awaited<ReturnType<typeof pendingStripeTasks>>;
