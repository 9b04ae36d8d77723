import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import * as z from 'zod/mini';
import { config } from '../config';
import type { Database } from '../db/client';
import { categories, leadReturns, leads, offers, providers, unlocks, type Lead } from '../db/schema';
import { AppError, conflict, notFound } from '../errors';
import { beforeCursor, encodeCursor, micros } from '../http/cursor';
import { cursorParam, pageLimit } from '../http/fields';
import { lazy } from '../lazy';
import { DEFAULT_PAGE } from '../leads/lead-list';
import { clientDetails } from '../privacy/client-details';
import { buyOffer, paysWithSavedCard } from '../purchases/buy-offer';
import { offerStillOpen, toldOf } from '../purchases/offer-queries';
import { teaserFreeText } from '../sms/template-parts';
import { templates } from '../sms/templates';

/**
 * The portal's Leads (issue 24, section 2): a provider's open offers, which they may buy by the
 * path of `YES <code>`, and the leads they bought, with the client's details again. Every query
 * names the signed-in provider: another provider's offer is a 404, never theirs to see.
 */

/** `GET /portal/api/leads`: the bought list a page at a time, as `GET /leads`. */
export const portalLeadsQuery = lazy(() => z.object({ cursor: cursorParam(), limit: pageLimit() }));
export type PortalLeadsQuery = z.output<ReturnType<typeof portalLeadsQuery>>;

/** The most open offers listed: a lead lives hours, so a provider has few at once. */
const MAX_OPEN = 50;

/** The catalogue's name of the lead's category (null for a slug no longer in the catalogue). */
const categoryName = sql<
  string | null
>`(select c.name from ${categories} c where c.slug = ${leads.category})`;

/** The teaser's facts of an unbought lead: its free text as the teaser shows it, never the client's contact. */
function teaserFacts(lead: Lead) {
  const free = (text: string | null) => (text === null ? null : teaserFreeText(text, lead) || null);
  return { city: free(lead.city), description: free(lead.description) ?? '', budget: free(lead.budget) };
}

/** The provider's offers they can still buy (the YES path's `openOffers`), newest lead first. */
async function openList(db: Database, providerId: string) {
  const rows = await db
    .select({ offer: offers, lead: leads, provider: providers, categoryName })
    .from(offers)
    .innerJoin(leads, eq(leads.id, offers.leadId))
    .innerJoin(providers, eq(providers.id, offers.providerId))
    .where(and(eq(offers.providerId, providerId), offerStillOpen()))
    .orderBy(desc(leads.createdAt))
    .limit(MAX_OPEN);
  return rows.map(({ offer, lead, provider, categoryName }) => ({
    offerId: offer.id,
    code: lead.code,
    category: lead.category,
    categoryName,
    zipCode: lead.zipCode,
    ...teaserFacts(lead),
    // What it is charged: the offer's price, the one its teaser showed.
    priceCents: offer.priceCents,
    currency: lead.currency,
    offeredAt: (offer.teaserAt ?? offer.createdAt).toISOString(),
    expiresAt: lead.expiresAt.toISOString(),
    payWith: paysWithSavedCard(provider, offer) ? ('saved_card' as const) : ('pay_link' as const),
    charging: offer.chargeStatus === 'charging',
  }));
}

/** The return a purchase may still have: open until the window closes, once, unless refunded. */
function returnState(
  unlock: { createdAt: Date; refundedAt: Date | null },
  r: { id: string; status: string; reason: string; text: string | null; note: string | null } | null,
  createdAt: Date | null,
  decidedAt: Date | null,
) {
  const until = new Date(unlock.createdAt.getTime() + config().returnWindowDays * 86_400_000);
  return {
    canOpen: r === null && unlock.refundedAt === null && until.getTime() > Date.now(),
    openUntil: until.toISOString(),
    return: r && {
      ...r,
      createdAt: createdAt?.toISOString() ?? null,
      decidedAt: decidedAt?.toISOString() ?? null,
    },
  };
}

/** The provider's purchases, newest first, keyset on the unlock's `(created_at, id)`. */
async function boughtList(db: Database, providerId: string, q: PortalLeadsQuery) {
  const limit = q.limit ?? DEFAULT_PAGE;
  const where: SQL[] = [eq(unlocks.providerId, providerId)];
  if (q.cursor) where.push(beforeCursor(unlocks.createdAt, unlocks.id, q.cursor));
  const rows = await db
    .select({
      unlock: unlocks,
      lead: leads,
      categoryName,
      micros: micros(unlocks.createdAt),
      r: {
        id: leadReturns.id,
        status: leadReturns.status,
        reason: leadReturns.reason,
        text: leadReturns.reasonText,
        note: leadReturns.note,
      },
      returnedAt: leadReturns.createdAt,
      decidedAt: leadReturns.decidedAt,
    })
    .from(unlocks)
    .innerJoin(leads, eq(leads.id, unlocks.leadId))
    .leftJoin(leadReturns, eq(leadReturns.unlockId, unlocks.id))
    .where(and(...where))
    .orderBy(desc(unlocks.createdAt), desc(unlocks.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    bought: page.map(({ unlock, lead, categoryName, r, returnedAt, decidedAt }) => {
      // Never for a lead erased at the client's request (lib/privacy/).
      const details = clientDetails(lead);
      return {
        offerId: unlock.offerId,
        code: lead.code,
        category: lead.category,
        categoryName,
        zipCode: lead.zipCode,
        erased: details === undefined,
        client: details
          ? {
              name: details.name,
              phone: details.phone,
              email: details.email,
              city: details.city,
              description: details.description,
              budget: details.budget,
            }
          : null,
        amountCents: unlock.amountCents,
        currency: unlock.currency,
        paidAt: unlock.createdAt.toISOString(),
        paidWith: unlock.paidWith,
        refundedAt: unlock.refundedAt?.toISOString() ?? null,
        ...returnState(unlock, r, returnedAt, decidedAt),
      };
    }),
    nextCursor:
      rows.length > limit && last ? encodeCursor({ micros: last.micros, id: last.unlock.id }) : null,
  };
}

/** `GET /portal/api/leads`: `{ open, bought, nextCursor }` (the cursor pages `bought`). */
export async function portalLeads(db: Database, providerId: string, q: PortalLeadsQuery) {
  const [open, bought] = await Promise.all([
    q.cursor ? Promise.resolve(undefined) : openList(db, providerId),
    boughtList(db, providerId, q),
  ]);
  return { open: open ?? [], ...bought };
}

/** What a buy from the portal answers (2xx); refusals are 409s. */
export type PortalBuy = { status: 'charging' } | { payUrl: string } | { status: 'unlocked' };

/**
 * `POST /portal/api/offers/{id}/buy`: the same path as `YES <code>` (lib/purchases/buy-offer.ts):
 * the saved card charged (`charging`: the page polls the leads), or the offer's pay link; 409
 * `budget_refused` naming the cap in the words of the SMS, 409 `unavailable` for a lead full or
 * expired; 404 for an offer that is not theirs or not yet told of.
 */
export async function portalBuy(db: Database, providerId: string, offerId: string): Promise<PortalBuy> {
  const [row] = await db
    .select({ offer: offers, lead: leads, provider: providers })
    .from(offers)
    .innerJoin(leads, eq(leads.id, offers.leadId))
    .innerJoin(providers, eq(providers.id, offers.providerId))
    .where(and(eq(offers.id, offerId), eq(offers.providerId, providerId), toldOf()));
  if (!row) throw notFound('No offer with this id');
  const answer = await buyOffer(db, row);
  const t = templates(row.provider.language);
  switch (answer.kind) {
    case 'unlocked':
      return { status: 'unlocked' };
    case 'unavailable':
      throw conflict('unavailable', t.unavailableSms(row.lead.code));
    case 'budget_refused':
      throw new AppError(409, 'budget_refused', t.budgetRefusedSms(row.lead.code, answer.refusal), {
        cap: answer.refusal,
      });
    case 'charge':
      return { status: 'charging' };
    case 'pay_link':
      return { payUrl: answer.url };
  }
}
