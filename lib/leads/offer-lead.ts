import { sql } from 'drizzle-orm';
import { fromRow, rows, transaction, type Database } from '../db/client';
import { smsMessages } from '../db/schema';
import { conflict, notFound } from '../errors';
import { log } from '../log';
import { sendClaimedNow } from '../messaging/outbox';
import { clientDetails } from '../privacy/client-details';
import { refusalSql } from '../purchases/budget';
import { payToken } from './codes';
import { lockedLead, notOpen } from './close-lead';
import { leadStatus } from './lead-status';
import { teaserAtSql } from './quiet-hours';
import { insertTeasersSql, teaserLanguageSql, teaserTexts } from './teasers';
import { optInPendingSql } from './unmatched';

/**
 * Offering a lead to a provider the operator names (`POST /leads/{id}/offers`): the teaser goes
 * as matching would send it (lib/leads/create-lead.ts), at the lead's price now, within the
 * provider's teaser hours (held for their next start otherwise), and only to a provider matching
 * would not refuse: not opted out, not paused, their opt-in confirmation sent, within their
 * weekly spend and daily lead caps, and not offered this lead, its original or the original's
 * duplicates before. The operator's choice stands in for the category, the zip code and
 * LEAD_MAX_OFFERS: that is what naming a provider is for.
 */

/** Why a provider may not be offered the lead, each with its 409 (`provider_<reason>`). */
export const OFFER_REFUSALS = {
  already_offered: 'This provider was offered this lead already',
  duplicate: "This provider was offered this client's same request already (its original or a duplicate)",
  opted_out: 'This provider replied STOP: they get no teasers until they reply START',
  paused: 'This provider is paused: resume them first',
  awaiting_opt_in: "This provider's opt-in confirmation has not gone out yet",
  weekly_cap: "This lead's price would take this provider past their weekly spend cap",
  daily_cap: 'This provider has reached their daily lead cap',
} as const;
export type OfferRefusal = keyof typeof OFFER_REFUSALS;

export type OfferedLead = {
  offer: { id: string; leadId: string; providerId: string; priceCents: number; currency: string };
  /** When the teaser goes: now, or the start of the provider's next teaser hours (`held`). */
  teaserAt: string;
  held: boolean;
};

/**
 * One transaction: the lead locked first (409 `lead_not_open` unless open), then the provider
 * (404 when unknown; 409 `provider_<reason>` when refused), then the offer, `last_offered_at`
 * and the teaser, written claimed and sent after commit (or queued for their teaser hours).
 */
export async function offerLead(db: Database, leadId: string, providerId: string): Promise<OfferedLead> {
  const { offered, teasers } = await transaction(async (tx) => {
    const lead = await lockedLead(tx, leadId);
    const details = clientDetails(lead);
    if (leadStatus(lead) !== 'open' || !details) throw notOpen(lead, 'one can offer');
    const p = sql.raw('p');
    const original = lead.duplicateOf ?? lead.id;
    // Locked as create-lead locks a matched provider (after the lead, as the aged round does).
    const [check] = await rows<{ refusal: OfferRefusal | null; inactive: boolean }>(
      tx,
      'offer_lead_check',
      sql`select case
          when exists (select from offers o where o.lead_id = ${lead.id} and o.provider_id = p.id) then 'already_offered'
          when exists (select from offers x join leads f on f.id = x.lead_id
            where x.provider_id = p.id and (f.id = ${original} or f.duplicate_of = ${original})) then 'duplicate'
          when p.opted_out then 'opted_out'
          when not p.active then 'paused'
          when ${optInPendingSql(p)} then 'awaiting_opt_in'
          else ${refusalSql(p, lead.priceCents)}
        end as refusal,
        exists (select from categories k where k.slug = ${lead.category} and not k.active) as inactive
        from providers p where p.id = ${providerId}
        for update of p`,
    );
    if (!check) throw notFound('No provider with this id');
    if (check.inactive) {
      throw conflict(
        'category_inactive',
        `The category ${lead.category} is inactive: its leads get no teasers`,
      );
    }
    if (check.refusal) throw conflict(`provider_${check.refusal}`, OFFER_REFUSALS[check.refusal]);
    const texts = teaserTexts({
      ...details,
      code: lead.code,
      priceCents: lead.priceCents,
      currency: lead.currency,
    });
    const [row] = await rows<{
      offer: { id: string; teaser_at: string; price_cents: number };
      teasers: Record<string, unknown>[] | null;
    }>(
      tx,
      'offer_lead',
      sql`with texts as (
          select ${texts}::jsonb as by_language
        ),
        l as (
          select ${lead.id}::uuid as id
        ),
        m as (
          select p.id, p.phone, ${teaserLanguageSql(p)} as language, ${teaserAtSql(p)} as teaser_at, 1 as n
          from providers p where p.id = ${providerId}
        ),
        offered as (
          insert into offers (lead_id, provider_id, pay_token, teaser_at, price_cents)
          select l.id, m.id, ${payToken()}, m.teaser_at, ${lead.priceCents} from l, m
          returning *
        ),
        touched as (
          update providers p set last_offered_at = now() from m where p.id = m.id
        ),
        teaser as (
          ${insertTeasersSql({ from: sql`l, m`, leadId: sql`l.id`, key: sql`'teaser:' || l.id || ':to:' || ${providerId}::text`, claim: true })}
        )
        select (select row_to_json(offered) from offered) as offer,
          (select json_agg(teaser order by id) filter (where attempts > 0) from teaser) as teasers`,
    );
    return {
      offered: { ...row!.offer, currency: lead.currency },
      teasers: (row!.teasers ?? []).map((t) => fromRow(smsMessages, t)),
    };
  });
  const teaserAt = new Date(offered.teaser_at);
  log.info('lead offered by an operator', {
    leadId,
    providerId,
    offerId: offered.id,
    held: teasers.length === 0,
  });
  if (teasers.length) await sendClaimedNow(db, teasers);
  return {
    offer: {
      id: offered.id,
      leadId,
      providerId,
      priceCents: offered.price_cents,
      currency: offered.currency,
    },
    teaserAt: teaserAt.toISOString(),
    held: teasers.length === 0,
  };
}
