import { and, desc, eq, sql } from 'drizzle-orm';
import type { Queryable } from '../db/client';
import { leads, offers, providers } from '../db/schema';
import type { Priced } from '../sms/templates';
import { onSaleSql } from '../leads/lead-status';

/**
 * What a pay link or a charge SMS shows for this offer: the lead's code at the offer's own price
 * (the one its teaser showed, which is what it is charged), not the lead's current price.
 */
export const offerPrice = (
  lead: { code: string; currency: string },
  offer: { priceCents: number },
): Priced => ({
  code: lead.code,
  priceCents: offer.priceCents,
  currency: lead.currency,
});

/**
 * The offer of lead `code` to the provider with this phone, with its lead. Looked up by phone so
 * that answering a reply reads everything it needs in one round trip.
 */
export async function offerForCode(q: Queryable, phone: string, code: string) {
  const [row] = await q
    .select({ offer: offers, lead: leads, provider: providers })
    .from(offers)
    .innerJoin(leads, eq(leads.id, offers.leadId))
    .innerJoin(providers, eq(providers.id, offers.providerId))
    .where(and(eq(providers.phone, phone), eq(leads.code, code)))
    .orderBy(desc(leads.createdAt))
    .limit(1);
  return row;
}

/** The offer has been told of: not one whose teaser waits for their teaser hours (lib/leads/quiet-hours.ts). */
export const toldOf = () => sql`coalesce(${offers.teaserAt}, ${offers.createdAt}) <= now()`;

/**
 * An offer its provider can still buy: not bought, lead neither full nor expired (leadStatus
 * `open`), and told of. On `offers` joined with `leads`.
 */
export const offerStillOpen = () => and(eq(offers.status, 'offered'), onSaleSql(sql`${leads}`), toldOf());

/** The offers the provider with this phone can still buy (`offerStillOpen`), newest lead first. */
export async function openOffers(q: Queryable, phone: string) {
  return q
    .select({ offer: offers, lead: leads, provider: providers })
    .from(offers)
    .innerJoin(leads, eq(leads.id, offers.leadId))
    .innerJoin(providers, eq(providers.id, offers.providerId))
    .where(and(eq(providers.phone, phone), offerStillOpen()))
    .orderBy(desc(leads.createdAt))
    .limit(20);
}

export async function offerByToken(q: Queryable, token: string) {
  const [row] = await q
    .select({ offer: offers, lead: leads, provider: providers })
    .from(offers)
    .innerJoin(leads, eq(leads.id, offers.leadId))
    .innerJoin(providers, eq(providers.id, offers.providerId))
    .where(eq(offers.payToken, token))
    .limit(1);
  return row;
}
