import { and, desc, eq, gte, lt, lte, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/client';
import { leads } from '../db/schema';
import { leadStatus, onSaleSql } from './lead-status';
import { endOf } from '../http/fields';
import { type LeadListQuery } from './lead-input';
import { beforeCursor, encodeCursor, micros } from '../http/cursor';
import { categoryIndex, listCategories } from '../catalogue/categories';
import { foldCategory } from '../catalogue/fold';

export const DEFAULT_PAGE = 50;

/** `like` metacharacters taken literally (the default escape character is the backslash). */
const likeLiteral = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The filters as SQL, each on the leads table alone. */
function filters(q: LeadListQuery): SQL[] {
  const where: SQL[] = [];
  const full = sql`${leads.unlockCount} >= ${leads.maxUnlocks}`;
  if (q.status === 'full') where.push(full);
  if (q.status === 'closed') where.push(sql`not (${full}) and ${leads.closedAt} is not null`);
  if (q.status === 'expired') {
    where.push(sql`not (${full}) and ${leads.closedAt} is null and ${leads.expiresAt} <= now()`);
  }
  if (q.status === 'open') where.push(onSaleSql(sql`${leads}`));
  if (q.category) where.push(eq(leads.category, q.category));
  if (q.zipCode) where.push(eq(leads.zipCode, q.zipCode));
  if (q.from) where.push(gte(leads.createdAt, q.from.at));
  // A date means through the end of that day; a date-time, up to and including that instant.
  if (q.to) where.push(q.to.date ? lt(leads.createdAt, endOf(q.to)) : lte(leads.createdAt, q.to.at));
  if (q.q) {
    where.push(sql`(lower(${leads.code}) = lower(${q.q}) or ${leads.name} ilike ${`%${likeLiteral(q.q)}%`})`);
  }
  if (q.cursor) {
    // Row comparison on (created_at, id): walks the leads_created_idx index from the cursor on.
    where.push(beforeCursor(leads.createdAt, leads.id, q.cursor));
  }
  return where;
}

/**
 * `GET /leads`: newest first, a page at a time (keyset pagination on `(created_at, id)`), with
 * each lead's summary: providers offered, unlocks of its cap, revenue net of refunds.
 */
export async function listLeads(db: Database, q: LeadListQuery) {
  const limit = q.limit ?? DEFAULT_PAGE;
  if (q.category) {
    // A synonym or another spelling of a category filters by its slug (what leads store).
    const known = categoryIndex(await listCategories(db)).get(foldCategory(q.category));
    if (known) q = { ...q, category: known.slug };
  }
  const rows = await db
    .select({
      id: leads.id,
      code: leads.code,
      category: leads.category,
      zipCode: leads.zipCode,
      unlockCount: leads.unlockCount,
      maxUnlocks: leads.maxUnlocks,
      expiresAt: leads.expiresAt,
      closedAt: leads.closedAt,
      currency: leads.currency,
      duplicateOf: leads.duplicateOf,
      unmatchedReason: leads.unmatchedReason,
      createdAt: leads.createdAt,
      // Microseconds, which a Date would round to milliseconds.
      micros: micros(leads.createdAt),
      // Qualified by hand: inside a subquery drizzle's bare column names would bind to the inner table.
      offeredTo: sql<number>`(select count(*) from offers o where o.lead_id = "leads"."id")`.mapWith(Number),
      revenueCents: sql<number>`(select coalesce(sum(u.amount_cents), 0) from unlocks u
        where u.lead_id = "leads"."id" and u.refunded_at is null)`.mapWith(Number),
    })
    .from(leads)
    .where(and(...filters(q)))
    .orderBy(desc(leads.createdAt), desc(leads.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    leads: page.map((r) => ({
      id: r.id,
      code: r.code,
      category: r.category,
      zipCode: r.zipCode,
      status: leadStatus(r),
      offeredTo: r.offeredTo,
      unlockCount: r.unlockCount,
      maxUnlocks: r.maxUnlocks,
      revenueCents: r.revenueCents,
      currency: r.currency,
      duplicateOf: r.duplicateOf,
      unmatchedReason: r.unmatchedReason,
      createdAt: r.createdAt.toISOString(),
    })),
    nextCursor: rows.length > limit && last ? encodeCursor({ micros: last.micros, id: last.id }) : null,
  };
}

/** `GET /leads`'s answer: a page of leads. */
export type LeadPage = Awaited<ReturnType<typeof listLeads>>;
export type LeadRow = LeadPage['leads'][number];
