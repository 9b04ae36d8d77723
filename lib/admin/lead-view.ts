import { asc, eq } from 'drizzle-orm';
import type { Database } from '../db/client';
import { leads, offers, providers, unlocks, type Lead } from '../db/schema';
import { notFound } from '../errors';
import { leadStatus, type LeadStatus } from '../unlock/lead-status';

/** The lead's summary as `POST /leads` answers it. */
export function leadSummary(lead: Lead, offeredTo: number) {
  return {
    id: lead.id,
    code: lead.code,
    status: leadStatus(lead) as LeadStatus,
    priceCents: lead.priceCents,
    maxUnlocks: lead.maxUnlocks,
    offeredTo,
  };
}

/** `GET /leads/{id}`: the lead with its offers and unlocks, for the operator. */
export async function leadDetail(db: Database, id: string) {
  const [lead] = await db.select().from(leads).where(eq(leads.id, id));
  if (!lead) throw notFound('No lead with this id');
  const [offerRows, unlockRows] = await Promise.all([
    db
      .select({ offer: offers, providerName: providers.name })
      .from(offers)
      .innerJoin(providers, eq(providers.id, offers.providerId))
      .where(eq(offers.leadId, id))
      .orderBy(asc(offers.createdAt), asc(offers.id)),
    db.select().from(unlocks).where(eq(unlocks.leadId, id)).orderBy(asc(unlocks.createdAt)),
  ]);
  return {
    id: lead.id,
    code: lead.code,
    status: leadStatus(lead),
    name: lead.name,
    phone: lead.phone,
    email: lead.email,
    category: lead.category,
    zipCode: lead.zipCode,
    city: lead.city,
    description: lead.description,
    budget: lead.budget,
    priceCents: lead.priceCents,
    currency: lead.currency,
    maxUnlocks: lead.maxUnlocks,
    unlockCount: lead.unlockCount,
    expiresAt: lead.expiresAt.toISOString(),
    createdAt: lead.createdAt.toISOString(),
    offers: offerRows.map(({ offer, providerName }) => ({
      id: offer.id,
      providerId: offer.providerId,
      providerName,
      status: offer.status,
      checkoutSessionId: offer.checkoutSessionId,
      createdAt: offer.createdAt.toISOString(),
    })),
    unlocks: unlockRows.map((u) => ({
      id: u.id,
      offerId: u.offerId,
      providerId: u.providerId,
      checkoutSessionId: u.checkoutSessionId,
      amountCents: u.amountCents,
      currency: u.currency,
      refunded: u.refundedAt !== null,
      createdAt: u.createdAt.toISOString(),
    })),
  };
}
