import { eq, sql } from 'drizzle-orm';
import type { Queryable } from '../db/client';
import { auditEntries } from '../db/schema';
import type { Actor } from '../http/auth';

/** What an entry holds before the change runs. */
export type AuditStart = {
  actor: Actor;
  sessionId?: string;
  action: string;
  route: string;
  objectId?: string;
  requestId?: string;
};

/** What the change said of itself once it succeeded. */
export type AuditFinish = { objectId?: string; amountCents?: number; changed: boolean };

/** Writes the entry of a change about to run, `pending`: one statement; returns its id. */
export async function beginEntry(db: Queryable, start: AuditStart): Promise<string> {
  const [row] = await db
    .insert(auditEntries)
    .values({
      actorType: start.actor.type,
      actorId: start.actor.id,
      sessionId: start.sessionId ?? null,
      action: start.action,
      route: start.route,
      objectId: start.objectId ?? null,
      requestId: start.requestId ?? null,
    })
    .returning({ id: auditEntries.id });
  return row!.id;
}

/** Completes the entry of a change that succeeded: `done`, or `unchanged` when it changed nothing. */
export async function finishEntry(db: Queryable, id: string, finish: AuditFinish): Promise<void> {
  await db
    .update(auditEntries)
    .set({
      outcome: finish.changed ? 'done' : 'unchanged',
      finishedAt: sql`now()`,
      ...(finish.objectId !== undefined ? { objectId: finish.objectId } : {}),
      ...(finish.amountCents !== undefined ? { amountCents: finish.amountCents } : {}),
    })
    .where(eq(auditEntries.id, id));
}

/** Removes the entry of a request that was refused (4xx): it changed nothing. */
export async function dropEntry(db: Queryable, id: string): Promise<void> {
  await db.delete(auditEntries).where(eq(auditEntries.id, id));
}
