import { businessEvent } from '../metrics';
import { createHash } from 'node:crypto';
import { count, eq, sql } from 'drizzle-orm';
import { config } from '../config';
import { fromRow, namedRows, type Database, type Tx } from '../db/client';
import { jsonParam } from '../db/json-param';
import { leads, offers, smsMessages, type Lead } from '../db/schema';
import { conflict } from '../errors';
import type { LeadInput } from './lead-input';
import { leadCode, payToken } from './codes';
import { sendClaimedNow } from '../messaging/outbox';
import { releaseStaleCodes } from './release-codes';
import { refusalSql } from '../purchases/budget';
import { teaserAtSql } from './quiet-hours';
import { optInPendingSql, unmatchedReasonSql } from './unmatched';
import { heldUntilSql } from './lead-view';
import { insertTeasersSql, teaserLanguageSql, teaserTexts } from './teasers';
import { agingSql, zipPriceFor } from '../catalogue/prices';
import { categoryCurrentSql, leadCategory, sameTerms } from '../catalogue/lead-category';

export type CreatedLead = {
  lead: Lead;
  offeredTo: number;
  created: boolean;
  /** The earliest teaser held for its provider's quiet hours, when one is. */
  teasersHeldUntil: Date | null;
};

/**
 * Same validated body, same hash: key order and spacing do not make a retry a new request.
 * Keys sort by code unit, not `localeCompare`, whose first call loads ICU's collator (about 5 ms
 * of a cold start's first lead); for our ASCII field names both give the same order, so hashes
 * stored before stay valid.
 */
export function requestHash(input: LeadInput): string {
  const sorted = Object.fromEntries(Object.entries(input).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex');
}

async function replay(db: Database | Tx, key: string, hash: string): Promise<CreatedLead | undefined> {
  const [existing] = await db.select().from(leads).where(eq(leads.idempotencyKey, key)).limit(1);
  if (!existing) return undefined;
  if (existing.requestHash !== hash) {
    throw conflict('idempotency_key_reused', 'This Idempotency-Key was used with a different request body');
  }
  const [offered] = await db
    .select({ n: count(), heldUntil: heldUntilSql })
    .from(offers)
    .where(eq(offers.leadId, existing.id));
  return {
    lead: existing,
    offeredTo: offered?.n ?? 0,
    created: false,
    teasersHeldUntil: offered?.heldUntil ?? null,
  };
}

/**
 * The lead's category is the catalogue's (lib/catalogue/lead-category.ts), resolved from a copy
 * the container keeps and checked by the statement itself, so it costs no round trip.
 * Stores the lead, matches providers (active, not opted out, category and zip code theirs,
 * within their weekly spend and daily lead caps, least recently offered first, at most
 * LEAD_MAX_OFFERS), writes their offers and one teaser
 * to all of them per language (one TextMagic request each), then sends them. A provider outside
 * their teaser hours (lib/leads/quiet-hours.ts) is offered the lead all the same, but their
 * teaser is queued for the start of their next hours, one row per language and start, which the
 * dispatcher sends then, or drops if the lead is no longer open. A lead from the same
 * client (phone, or e-mail in any case) and category as one received within DUPLICATE_WINDOW_DAYS
 * is stored as its duplicate (`duplicateOf`) and offered only to providers who were offered
 * neither the original nor an earlier duplicate of it; that is not an Idempotency-Key retry, which
 * returns the same lead. A lead matched to nobody is stored with why (`unmatched_reason`,
 * lib/leads/unmatched.ts), worked out only then. All of the writing is one statement, hence one transaction,
 * and the teaser is written already claimed for this request: two round trips in all with the
 * send (an Idempotency-Key retry is found when the insert meets the key, not by a query before it).
 */
export async function createLead(
  db: Database,
  input: LeadInput,
  idempotencyKey?: string,
  catalogueRereads = 0,
): Promise<CreatedLead> {
  const cfg = config();
  const hash = requestHash(input);
  // The catalogue's category (lib/catalogue/lead-category.ts): a 400 for an unknown or inactive
  // one, unless this is a retry of a lead created before; its price, cap and life by default.
  let category;
  try {
    category = await leadCategory(db, input.category);
  } catch (err) {
    const earlier = idempotencyKey ? await replay(db, idempotencyKey, hash) : undefined;
    if (earlier) return earlier;
    throw err;
  }
  // Unless the request sets it: the price of the category's longest zip prefix the lead's zip
  // code starts with, else the category's (lib/catalogue/prices.ts).
  const priceCents =
    input.priceCents ?? zipPriceFor(category.zipPrices, input.zipCode) ?? category.priceCents;
  const maxUnlocks = input.maxUnlocks ?? category.maxUnlocks;
  const { consent } = input;
  const fields = {
    category: category.slug,
    zipCode: input.zipCode,
    city: input.city ?? null,
    description: input.description,
    budget: input.budget ?? null,
    priceCents,
    currency: cfg.currency,
  };
  // The category's aged price as it stands now, kept with the lead (lib/catalogue/prices.ts).
  const aging = agingSql(fields.category, priceCents, category.ttlHours);

  for (let attempt = 0; ; attempt++) {
    if (attempt >= 10) throw new Error('could not find a free lead code');
    const code = leadCode(attempt);
    // The client's own name, phone and email are given so that the teaser can leave them out
    // wherever they were typed into the free text (lib/leads/teasers.ts).
    const texts = teaserTexts({
      ...fields,
      code,
      name: input.name,
      phone: input.phone,
      email: input.email ?? null,
    });
    const tokens = Array.from({ length: cfg.leadMaxOffers }, payToken);
    const [row] = await namedRows<
      Record<string, unknown> & {
        teasers: Record<string, unknown>[] | null;
        offered: number;
        deferred: number;
        held_until: string | null;
      }
    >(
      'create_lead',
      sql`
        with texts as (
          select ${texts}::jsonb as by_language
        ),
        dup as (
          -- The original this lead duplicates, if any, and the providers already offered it or
          -- its duplicates. The function (lead_duplicate_of(), drizzle/functions/lead-duplicate-of.sql,
          -- which says why it cannot be done here) locks the client's identity first and reads with
          -- a snapshot of its own, so that a duplicate sent at the same moment waits for this one and
          -- then sees it.
          select original, offered
          from lead_duplicate_of(${input.phone}, ${input.email ?? null}, ${fields.category},
            ${cfg.duplicateWindowDays}::int)
        ),
        candidates as (
          -- Before the insert, which stores why nobody matched. Locked in id order, so that leads created at the same time for the same providers
          -- queue up instead of deadlocking on their last_offered_at.
          select p.id, p.phone, p.last_offered_at,
            ${teaserLanguageSql(sql.raw('p'))} as language,
            -- now() within their teaser hours, else the start of their next (quiet-hours.ts).
            ${teaserAtSql(sql.raw('p'))} as teaser_at
          from providers p
          where p.active and not p.opted_out
            -- Not before their opt-in confirmation has gone out (lib/providers/providers.ts).
            and not ${optInPendingSql(sql.raw('p'))}
            and ${fields.category} = any(p.categories) and ${fields.zipCode} = any(p.zip_codes)
            -- A duplicate goes only to providers who were not offered the same request before.
            and p.id <> all((select offered from dup)::uuid[])
            -- Within their budgets: no teaser for a lead they could not buy (lib/purchases/budget.ts).
            and ${refusalSql(sql.raw('p'), priceCents)} is null
          order by p.id
          for update of p
        ),
        ranked as (
          select id, phone, language, last_offered_at, teaser_at, random() as tie from candidates
        ),
        matched as (
          -- Least recently offered first; ties (everyone offered the same lead) by lot.
          select id, phone, language, teaser_at,
            row_number() over (order by last_offered_at asc nulls first, tie) as n
          from ranked
          order by last_offered_at asc nulls first, tie
          limit ${cfg.leadMaxOffers}
        ),
        ins as (
          insert into leads (code, name, phone, email, category, zip_code, city, description, budget,
            price_cents, currency, max_unlocks, expires_at, idempotency_key, request_hash, duplicate_of,
            source, unmatched_reason, ages_at, aged_price_cents)
          select ${code}, ${input.name}, ${input.phone}, ${input.email ?? null}, ${fields.category},
            ${fields.zipCode}, ${fields.city}, ${fields.description}, ${fields.budget}, ${priceCents},
            ${cfg.currency}, ${maxUnlocks}, now() + make_interval(hours => ${category.ttlHours}),
            ${idempotencyKey ?? null}, ${hash}, (select original from dup),
            ${input.source ? jsonParam(input.source) : null}::jsonb,
            -- Why nobody was offered it, worked out only then (lib/leads/unmatched.ts): so the
            -- matching above runs first, and what only an inserted lead does (offers,
            -- last_offered_at, teasers) reads ins.
            case when not exists (select from matched) then
              ${unmatchedReasonSql(fields, sql`(select offered from dup)::uuid[]`)} end,
            ${aging.agesAt}, ${aging.agedPriceCents}
          -- Only while the category reads as the kept catalogue says (lib/catalogue/lead-category.ts).
          where ${categoryCurrentSql(category)}
          -- The code is taken by an open lead, or the Idempotency-Key by an earlier request.
          on conflict do nothing
          returning *
        ),
        consent as (
          -- What the client agreed to, kept with the lead (lib/privacy/consent-input.ts).
          insert into lead_consents (lead_id, text, agreed_at, ip, user_agent, page_url, certificate_url)
          select ins.id, ${consent?.text ?? null}, coalesce(${consent?.agreedAt ?? null}::timestamptz, now()),
            ${consent?.ip ?? null}, ${consent?.userAgent ?? null}, ${consent?.pageUrl ?? null},
            ${consent?.certificateUrl ?? null}
          from ins where ${consent?.text ?? null}::text is not null
        ),
        tokens as (
          -- One array parameter, not one per token: less to build and bind per request.
          select t, n from unnest(${sql.param(tokens)}::text[]) with ordinality as x(t, n)
        ),
        offered as (
          -- Each offer keeps the price its teaser shows (charged whatever the lead's price becomes).
          insert into offers (lead_id, provider_id, pay_token, teaser_at, price_cents)
          select ins.id, m.id, tokens.t, m.teaser_at, ins.price_cents from ins, matched m join tokens using (n)
          returning provider_id
        ),
        touched as (
          update providers p set last_offered_at = now()
          from matched m where p.id = m.id and exists (select from ins)
        ),
        teaser as (
          -- One request per language (teaser:<lead>[:<code>]), claimed for this request; those
          -- outside their teaser hours queued for their next (lib/leads/teasers.ts).
          ${insertTeasersSql({ from: sql`ins, matched m`, leadId: sql`ins.id`, key: sql`'teaser:' || ins.id`, claim: true })}
        )
        select ins.*,
          (select json_agg(teaser order by id) filter (where attempts > 0) from teaser) as teasers,
          (select coalesce(sum(cardinality(recipients)) filter (where attempts = 0), 0)::int
            from teaser) as deferred,
          (select count(*)::int from offered) as offered,
          (select min(teaser_at) from matched where teaser_at > now()) as held_until
        from ins
      `,
    );
    if (row) {
      const lead = fromRow(leads, row);
      businessEvent(
        'lead created',
        { LeadsCreated: 1 },
        // teasersDeferred: providers outside their teaser hours, teased at the start of their next.
        {
          leadId: lead.id,
          offeredTo: row.offered,
          teasersDeferred: row.deferred,
          duplicateOf: lead.duplicateOf,
        },
      );
      const teasers = (row.teasers ?? []).map((t) => fromRow(smsMessages, t));
      // Its last work: behind a queue, what is left of its budget sends the queue's head.
      if (teasers.length) await sendClaimedNow(db, teasers, undefined, { drainQueue: true });
      const teasersHeldUntil = row.held_until === null ? null : new Date(row.held_until);
      return { lead, offeredTo: row.offered, created: true, teasersHeldUntil };
    }
    // Nothing written: either a request with our key came first, the category changed since the
    // catalogue was kept (read it again, and start over), or the code is taken.
    if (idempotencyKey) {
      const earlier = await replay(db, idempotencyKey, hash);
      if (earlier) return earlier;
    }
    const current = await leadCategory(db, input.category, { reread: true });
    if (!sameTerms(current, category)) {
      if (catalogueRereads >= 3) throw new Error('the category kept changing while the lead was written');
      return createLead(db, input, idempotencyKey, catalogueRereads + 1);
    }
    await releaseStaleCodes(db, code);
  }
}
