import { sql } from 'drizzle-orm';
import { config } from '../config';
import { fromRow, rows, type Database } from '../db/client';
import { leads, type Lead } from '../db/schema';
import { log } from '../log';
import { businessEvent } from '../metrics';
import { refusalSql } from '../purchases/budget';
import { clientDetails } from '../privacy/client-details';
import { payToken } from './codes';
import { teaserAtSql } from './quiet-hours';
import { insertTeasersSql, teaserLanguageSql, teaserTexts } from './teasers';

/**
 * Aged prices (lib/catalogue/prices.ts): a lead keeps the aged rule its category had when it came
 * in (`ages_at`, `aged_price_cents`). When it passes `ages_at` still open with no unlock, the
 * dispatcher drops its price to the aged one, once, and sends one more teaser round at that price
 * (`ageLead`). A lead sold or expired by then never ages, and no longer waits for it.
 */

/** Leads aged per dispatcher run at most: each is one statement; the rest wait a minute. */
const BATCH = 20;

/** Ages the leads whose aged price is due; how many it aged. */
export async function ageDueLeads(db: Database): Promise<number> {
  const due = await rows<Record<string, unknown>>(
    db,
    'leads_to_age',
    sql`with never as (
        -- Sold, expired or erased before its time: it will not age, and leaves the index.
        update leads set ages_at = null
        where aged_at is null and ages_at <= now()
          and (unlock_count > 0 or expires_at <= now() or not code_active or erased_at is not null)
      )
      select * from leads
      where aged_at is null and ages_at <= now()
        and unlock_count = 0 and expires_at > now() and code_active and erased_at is null
      order by ages_at limit ${BATCH}`,
  );
  let aged = 0;
  for (const raw of due) {
    const lead = fromRow(leads, raw);
    try {
      if (await ageLead(db, lead)) aged++;
    } catch (err) {
      // One lead's failure does not hold the others (nor the outbox after them): next run again.
      log.error('lead not aged; retried next run', { leadId: lead.id, err });
    }
  }
  return aged;
}

/**
 * One statement: the lead's price drops to its aged price (only if it still may: open, unsold,
 * not aged yet), and one more teaser round at that price goes to the providers who match it
 * (category, zip code, active, within their caps at the aged price, their teaser hours applied):
 * those offered it who did not answer (no YES, no pay link opened, no charge; their teaser
 * already due), whose offer is re-priced at the aged price; and those not offered it yet (nor
 * its original or the original's duplicates), who get an offer at that price. At most
 * LEAD_MAX_OFFERS of them, those already offered first, then the least recently offered.
 * A provider who answered keeps the price they were shown.
 */
export async function ageLead(db: Database, lead: Lead): Promise<boolean> {
  const details = clientDetails(lead);
  if (!details || lead.agedPriceCents === null) return false;
  const cfg = config();
  const price = lead.agedPriceCents;
  const texts = teaserTexts({ ...details, code: lead.code, priceCents: price, currency: lead.currency });
  const tokens = Array.from({ length: cfg.leadMaxOffers }, payToken);
  const p = sql.raw('p');
  const [row] = await rows<{ aged: number; reoffered: number; offered: number; teased: number }>(
    db,
    'age_lead',
    sql`with texts as (
        select ${texts}::jsonb as by_language
      ),
      aging as (
        update leads set price_cents = aged_price_cents, aged_at = now()
        where id = ${lead.id} and aged_at is null and ages_at <= now() and aged_price_cents = ${price}
          and unlock_count = 0 and expires_at > now() and code_active and erased_at is null
        returning *
      ),
      family as (
        -- Its original and the original's duplicates: a provider offered one of them knows the client.
        select f.id from leads f, aging
        where f.id <> aging.id and (f.id = coalesce(aging.duplicate_of, aging.id)
          or f.duplicate_of = coalesce(aging.duplicate_of, aging.id))
      ),
      candidates as (
        -- Locked in id order after the lead, as create-lead locks them.
        select p.id, p.phone, p.last_offered_at, o.id as offer_id,
          ${teaserLanguageSql(p)} as language, ${teaserAtSql(p)} as teaser_at
        from providers p
        left join offers o on o.lead_id = ${lead.id} and o.provider_id = p.id
        where exists (select from aging) and p.active and not p.opted_out
          and not exists (select from sms_messages c
            where c.dedupe_key = 'opt-in:' || p.id::text and c.status <> 'sent')
          and ${lead.category} = any(p.categories) and ${lead.zipCode} = any(p.zip_codes)
          -- An inactive category gets no teasers.
          and not exists (select from categories k where k.slug = ${lead.category} and not k.active)
          and case when o.id is null
            then not exists (select from offers x join family f on f.id = x.lead_id where x.provider_id = p.id)
            else o.status = 'offered' and o.accepted_at is null and o.link_opened_at is null
              and o.charge_status is null and o.checkout_attempt = 0
              and coalesce(o.teaser_at, o.created_at) <= now() end
          and ${refusalSql(p, price)} is null
        order by p.id
        for update of p
      ),
      ranked as (
        select *, random() as tie from candidates
      ),
      matched as (
        select id, phone, language, teaser_at, offer_id,
          row_number() over (order by offer_id is null, last_offered_at asc nulls first, tie) as n
        from ranked
        order by offer_id is null, last_offered_at asc nulls first, tie
        limit ${cfg.leadMaxOffers}
      ),
      tokens as (
        select t, n from unnest(${sql.param(tokens)}::text[]) with ordinality as x(t, n)
      ),
      offered as (
        insert into offers (lead_id, provider_id, pay_token, teaser_at, price_cents)
        select aging.id, m.id, tokens.t, m.teaser_at, aging.price_cents
        from aging, matched m join tokens using (n) where m.offer_id is null
        returning provider_id
      ),
      reoffered as (
        -- Checked again on the offer's newest version: a YES or an opened link that committed
        -- while this statement waited for the provider's lock keeps the price it was shown.
        update offers o set price_cents = aging.price_cents
        from aging, matched m
        where o.id = m.offer_id and o.status = 'offered' and o.accepted_at is null
          and o.link_opened_at is null and o.charge_status is null and o.checkout_attempt = 0
        returning o.provider_id
      ),
      touched as (
        update providers p set last_offered_at = now()
        from offered where p.id = offered.provider_id
      ),
      teased as (
        select m.* from matched m
        where m.id in (select provider_id from offered union all select provider_id from reoffered)
      ),
      teaser as (
        ${insertTeasersSql({ from: sql`aging, teased m`, leadId: sql`aging.id`, key: sql`'teaser:' || aging.id || ':aged'`, claim: false })}
      )
      select (select count(*)::int from aging) as aged, (select count(*)::int from reoffered) as reoffered,
        (select count(*)::int from offered) as offered,
        (select coalesce(sum(cardinality(recipients)), 0)::int from teaser) as teased`,
  );
  if (!row?.aged) return false;
  businessEvent(
    'lead aged',
    { LeadsAged: 1 },
    {
      leadId: lead.id,
      priceCents: price,
      reoffered: row.reoffered,
      offered: row.offered,
      teased: row.teased,
    },
  );
  return true;
}
