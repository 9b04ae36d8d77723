import * as z from 'zod/mini';
import { and, desc, eq, gte, lt, type SQL } from 'drizzle-orm';
import type { Database } from '../db/client';
import { auditEntries } from '../db/schema';
import { beforeCursor, encodeCursor, micros } from '../http/cursor';
import {
  cursorParam,
  endOf,
  INSTANT_MESSAGE,
  instant,
  pageLimit,
  param,
  parsed,
  toNotBeforeFrom,
} from '../http/fields';
import { lazy } from '../lazy';
import { isUuid } from '../uuid';

const ACTION = /^[a-z][a-z_]{0,40}\.[a-z][a-z_]{0,40}$/;

/** `?actor=`: `api_key` (the admin key), or an operator's id. */
const actorFilter = (value: string) =>
  value === 'api_key'
    ? ({ type: 'api_key' } as const)
    : isUuid(value)
      ? ({ type: 'operator', id: value.toLowerCase() } as const)
      : undefined;

/** `GET /audit`: newest first, a page at a time, by actor, action and time. */
export const auditQuery = lazy(() =>
  z
    .object({
      cursor: cursorParam(),
      limit: param(pageLimit()),
      actor: param(parsed(actorFilter, "must be api_key or an operator's id (a UUID)")),
      action: param(
        parsed((v) => (ACTION.test(v) ? v : undefined), 'must be an action name, e.g. return.approve'),
      ),
      from: param(parsed(instant, INSTANT_MESSAGE)),
      to: param(parsed(instant, INSTANT_MESSAGE)),
    })
    .check(toNotBeforeFrom()),
);
export type AuditQuery = z.output<ReturnType<typeof auditQuery>>;

const DEFAULT_PAGE = 50;

/**
 * The audit trail, newest first, keyset-paged on `(at, id)`: each filter is an equality on the
 * leading columns of one of the table's indexes (all, by actor, by action), walked backward.
 */
export async function listAudit(db: Database, q: AuditQuery) {
  const limit = q.limit ?? DEFAULT_PAGE;
  const where: SQL[] = [];
  if (q.actor) where.push(eq(auditEntries.actorType, q.actor.type));
  if (q.actor?.type === 'operator') where.push(eq(auditEntries.actorId, q.actor.id));
  if (q.action) where.push(eq(auditEntries.action, q.action));
  if (q.from) where.push(gte(auditEntries.at, q.from.at));
  if (q.to) where.push(lt(auditEntries.at, endOf(q.to)));
  if (q.cursor) where.push(beforeCursor(auditEntries.at, auditEntries.id, q.cursor));
  const rows = await db
    .select({ e: auditEntries, micros: micros(auditEntries.at) })
    .from(auditEntries)
    .where(and(...where))
    .orderBy(desc(auditEntries.at), desc(auditEntries.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    entries: page.map(({ e }) => ({
      at: e.at.toISOString(),
      actor: { type: e.actorType, id: e.actorId },
      action: e.action,
      route: e.route,
      objectId: e.objectId,
      ...(e.amountCents !== null ? { amountCents: e.amountCents } : {}),
      outcome: e.outcome,
    })),
    nextCursor: rows.length > limit && last ? encodeCursor({ micros: last.micros, id: last.e.id }) : null,
  };
}

/** `GET /audit`'s answer. */
export type AuditPage = Awaited<ReturnType<typeof listAudit>>;
