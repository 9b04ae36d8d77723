import { asc, eq } from 'drizzle-orm';
import type { Database } from '../db/client';
import { leads, offers, providers, smsMessages, unlocks, type Lead, type SmsMessage } from '../db/schema';
import { notFound } from '../errors';
import { messagePart } from '../sms/segments';
import { resendKey, undeliveredTo } from '../unlock/delivery-report';
import { leadStatus } from '../unlock/lead-status';

/** The lead's summary as `POST /leads` answers it. */
export function leadSummary(lead: Lead, offeredTo: number) {
  return {
    id: lead.id,
    code: lead.code,
    status: leadStatus(lead),
    priceCents: lead.priceCents,
    maxUnlocks: lead.maxUnlocks,
    offeredTo,
  };
}

/**
 * One SMS of the lead as the operator sees it. `needsAttention`: the send failed for good (a
 * 4xx from TextMagic, or every try used), or a phone did not get it and no resend followed.
 * `part`: which message of a set it is (`{n: 2, of: 3}`), for details of a long description
 * (the body, with the client's contact, is not shown); null for a message on its own.
 */
function smsView(m: SmsMessage, keys: ReadonlySet<string | null>) {
  const undelivered = undeliveredTo(m.deliveryStatus);
  return {
    id: m.id,
    kind: m.kind,
    part: m.kind === 'details' ? messagePart(m.body) : null,
    recipients: m.recipients,
    status: m.status,
    attempts: m.attempts,
    lastError: m.lastError,
    sentAt: m.sentAt?.toISOString() ?? null,
    delivery: m.deliveryStatus ?? {},
    resendOf: m.resendOf,
    needsAttention: m.status === 'failed' || undelivered.some((to) => !keys.has(resendKey(m.id, to))),
  };
}

/** `GET /leads/{id}`: the lead with its offers, unlocks and SMS, for the operator. */
export async function leadDetail(db: Database, id: string) {
  const [lead] = await db.select().from(leads).where(eq(leads.id, id));
  if (!lead) throw notFound('No lead with this id');
  const [offerRows, unlockRows, smsRows] = await Promise.all([
    db
      .select({ offer: offers, providerName: providers.name })
      .from(offers)
      .innerJoin(providers, eq(providers.id, offers.providerId))
      .where(eq(offers.leadId, id))
      .orderBy(asc(offers.createdAt), asc(offers.id)),
    db.select().from(unlocks).where(eq(unlocks.leadId, id)).orderBy(asc(unlocks.createdAt)),
    db.select().from(smsMessages).where(eq(smsMessages.leadId, id)).orderBy(asc(smsMessages.id)),
  ]);
  const keys = new Set(smsRows.map((m) => m.dedupeKey));
  const sms = smsRows.map((m) => smsView(m, keys));
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
    sms,
    smsNeedingAttention: sms.filter((m) => m.needsAttention).length,
  };
}
