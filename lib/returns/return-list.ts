import { and, desc, eq, type SQL } from 'drizzle-orm';
import type { Database } from '../db/client';
import { leadReturns, leads, providers, unlocks } from '../db/schema';
import type { ReturnListQuery } from './return-input';
import { beforeCursor, encodeCursor, micros } from '../http/cursor';
import { DEFAULT_PAGE } from '../leads/lead-list';

/**
 * `GET /returns?status=open`: the Returns queue, newest first, a page at a time (keyset on
 * `(created_at, id)`, as `GET /leads`), each return with its purchase, lead and provider. The
 * portal's `GET /portal/api/returns`: one provider's (`providerId`), of every status.
 */
export async function listReturns(
  db: Database,
  q: Omit<ReturnListQuery, 'status'> & { status?: ReturnListQuery['status']; providerId?: string },
) {
  const limit = q.limit ?? DEFAULT_PAGE;
  const where: SQL[] = [];
  if (q.status) where.push(eq(leadReturns.status, q.status));
  if (q.providerId) where.push(eq(leadReturns.providerId, q.providerId));
  if (q.cursor) {
    where.push(beforeCursor(leadReturns.createdAt, leadReturns.id, q.cursor));
  }
  const rows = await db
    .select({
      r: leadReturns,
      micros: micros(leadReturns.createdAt),
      lead: { id: leads.id, code: leads.code, category: leads.category, zipCode: leads.zipCode },
      provider: { id: providers.id, name: providers.name, language: providers.language },
      unlock: {
        id: unlocks.id,
        offerId: unlocks.offerId,
        amountCents: unlocks.amountCents,
        currency: unlocks.currency,
        createdAt: unlocks.createdAt,
      },
    })
    .from(leadReturns)
    .innerJoin(leads, eq(leads.id, leadReturns.leadId))
    .innerJoin(providers, eq(providers.id, leadReturns.providerId))
    .innerJoin(unlocks, eq(unlocks.id, leadReturns.unlockId))
    .where(and(...where))
    .orderBy(desc(leadReturns.createdAt), desc(leadReturns.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    returns: page.map(({ r, lead, provider, unlock }) => ({
      id: r.id,
      status: r.status,
      reason: r.reason,
      reasonText: r.reasonText,
      source: r.source,
      auto: r.auto,
      note: r.note,
      createdAt: r.createdAt.toISOString(),
      decidedAt: r.decidedAt?.toISOString() ?? null,
      lead,
      provider,
      unlock: { ...unlock, createdAt: unlock.createdAt.toISOString() },
    })),
    nextCursor: rows.length > limit && last ? encodeCursor({ micros: last.micros, id: last.r.id }) : null,
  };
}

/** `GET /returns`'s answer: a page of returns. */
export type ReturnPage = Awaited<ReturnType<typeof listReturns>>;
