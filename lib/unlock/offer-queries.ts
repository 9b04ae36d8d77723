import { and, desc, eq, gt, lt, sql } from 'drizzle-orm';
import type { Queryable } from '../db/client';
import { leads, offers } from '../db/schema';

/** An offer with the lead it is for. */
export async function offerForCode(q: Queryable, providerId: string, code: string) {
  const [row] = await q
    .select({ offer: offers, lead: leads })
    .from(offers)
    .innerJoin(leads, eq(leads.id, offers.leadId))
    .where(and(eq(offers.providerId, providerId), eq(leads.code, code)))
    .orderBy(desc(leads.createdAt))
    .limit(1);
  return row;
}

/** The provider's offers they can still buy: not bought, lead neither full nor expired. */
export async function openOffers(q: Queryable, providerId: string) {
  return q
    .select({ offer: offers, lead: leads })
    .from(offers)
    .innerJoin(leads, eq(leads.id, offers.leadId))
    .where(
      and(
        eq(offers.providerId, providerId),
        eq(offers.status, 'offered'),
        lt(leads.unlockCount, leads.maxUnlocks),
        gt(leads.expiresAt, sql`now()`),
      ),
    )
    .orderBy(desc(leads.createdAt))
    .limit(20);
}

export async function offerByToken(q: Queryable, token: string) {
  const [row] = await q
    .select({ offer: offers, lead: leads })
    .from(offers)
    .innerJoin(leads, eq(leads.id, offers.leadId))
    .where(eq(offers.payToken, token))
    .limit(1);
  return row;
}
