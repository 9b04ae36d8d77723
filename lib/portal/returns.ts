import { and, eq, sql } from 'drizzle-orm';
import * as z from 'zod/mini';
import type { Database } from '../db/client';
import { leads, offers, providers } from '../db/schema';
import { conflict, notFound } from '../errors';
import { cursorParam, optionalText, pageLimit, uuidParam } from '../http/fields';
import { lazy } from '../lazy';
import { listReturns } from '../returns/return-list';
import { openReturnAndTell, REFUSED } from '../returns/returns';
import { MAX_REASON_TEXT } from '../sms/parse-reply';
import { RETURN_REASONS } from '../sms/return-reason';
import { templates } from '../sms/templates';

/**
 * The portal's Returns (issue 24, section 2): a provider's returns, and a return opened by the
 * rules of `BAD <code> <reason>` and `POST /unlocks/{id}/return` (lib/returns/returns.ts).
 */

/** `GET /portal/api/returns`: newest first, a page at a time. */
export const portalReturnsQuery = lazy(() => z.object({ cursor: cursorParam(), limit: pageLimit() }));

/**
 * `POST /portal/api/returns`: the purchase by its offer's id (the id the leads list gives open and
 * bought leads alike), the reason, and their words.
 */
export const portalReturnInput = lazy(() =>
  z.object({
    offerId: uuidParam(),
    reason: z.enum(RETURN_REASONS, { error: `must be one of ${RETURN_REASONS.join(', ')}` }),
    text: optionalText(MAX_REASON_TEXT),
  }),
);
export type PortalReturnInput = z.output<ReturnType<typeof portalReturnInput>>;

/** `GET /portal/api/returns`: the provider's returns of every status, with the operator's note. */
export async function portalReturns(
  db: Database,
  providerId: string,
  q: z.output<ReturnType<typeof portalReturnsQuery>>,
) {
  const page = await listReturns(db, { ...q, providerId });
  return {
    returns: page.returns.map((r) => ({
      id: r.id,
      offerId: r.unlock.offerId,
      code: r.lead.code,
      category: r.lead.category,
      zipCode: r.lead.zipCode,
      status: r.status,
      reason: r.reason,
      text: r.reasonText,
      note: r.note,
      amountCents: r.unlock.amountCents,
      currency: r.unlock.currency,
      paidAt: r.unlock.createdAt,
      createdAt: r.createdAt,
      decidedAt: r.decidedAt,
    })),
    nextCursor: page.nextCursor,
  };
}

/**
 * `POST /portal/api/returns`: 201 with the return (the provider gets the SMS a BAD gets); 409
 * `not_bought` for an offer of theirs they did not buy, `window_closed` past RETURN_WINDOW_DAYS,
 * `already_returned` (a return or a refund already), each in the words of the SMS; 404 for an
 * offer that is not theirs.
 */
export async function portalOpenReturn(db: Database, providerId: string, input: PortalReturnInput) {
  const [offer] = await db
    .select({ language: providers.language, code: leads.code })
    .from(offers)
    .innerJoin(providers, eq(providers.id, offers.providerId))
    .innerJoin(leads, eq(leads.id, offers.leadId))
    .where(and(eq(offers.id, input.offerId), eq(offers.providerId, providerId)));
  if (!offer) throw notFound('No offer with this id');
  const opened = await openReturnAndTell(
    db,
    sql`u.offer_id = ${input.offerId} and u.provider_id = ${providerId}`,
    { reason: input.reason, text: input.text, source: 'portal' },
  );
  if (opened.refused) {
    throw conflict(opened.refused, REFUSED[opened.refused](templates(offer.language), offer.code));
  }
  const r = opened.leadReturn;
  return {
    id: r.id,
    offerId: input.offerId,
    status: r.status,
    reason: r.reason,
    text: r.reasonText,
    note: r.note,
    createdAt: r.createdAt.toISOString(),
    decidedAt: r.decidedAt?.toISOString() ?? null,
  };
}
