import { sql, type SQL } from 'drizzle-orm';
import { config } from '../config';
import { rows, transaction, type Database, type Queryable } from '../db/client';
import { templates, type Language } from '../sms/templates';
import type { NewSms } from '../messaging/outbox';
import { onSaleSql } from '../leads/lead-status';

/**
 * A provider's budgets, each optional: `weekly_spend_cap_cents` (spend in the week from Monday
 * 00:00) and `daily_lead_cap` (purchases in the day from midnight), both in the provider's own
 * time zone (`time_zone`, else DEFAULT_TIME_ZONE). A purchase counts when it is an unlock not
 * refunded: a refund gives its money and its slot back.
 *
 * The periods are computed by Postgres (`date_trunc` on `now() at time zone …`), not in
 * JavaScript: no time-zone library to load at cold start, and one clock for every statement.
 * The sums read `unlocks_provider_idx` (provider_id, created_at).
 *
 * The rule is written once, as SQL (`refusalSql`), so that the set-based lead matching (no teaser
 * for a provider who could not buy the lead) and the checks before any charge cannot disagree:
 * `purchaseRefusal` (the YES that asks for a pay link) and `reservePurchase` (just before a
 * Checkout Session is created, or an off-session charge).
 */
export type BudgetRefusal = 'weekly_cap' | 'daily_cap';

/** What a purchase would be: who buys, at what price (the offer's, in cents: what it was shown). */
export type PurchaseAttempt = {
  providerId: string;
  priceCents: number;
  /** The offer being bought, when there is one: its own Checkout Session is not counted twice. */
  offerId?: string;
};

/** `p` is the alias of a `providers` row in the statement. */
type Alias = SQL;
/** Provider `p`'s zone: theirs, else DEFAULT_TIME_ZONE (also that of their teaser hours, quiet-hours.ts). */
export const zone = (p: Alias) => sql`coalesce(${p}.time_zone, ${config().defaultTimeZone}::text)`;
/** The start of the provider's current local week (Monday 00:00) and day, as timestamptz. */
const weekStart = (p: Alias) =>
  sql`(date_trunc('week', now() at time zone ${zone(p)}) at time zone ${zone(p)})`;
const dayStart = (p: Alias) =>
  sql`(date_trunc('day', now() at time zone ${zone(p)}) at time zone ${zone(p)})`;

const weekSpentCents = (p: Alias) =>
  sql`(select coalesce(sum(u.amount_cents), 0)::int8 from unlocks u
    where u.provider_id = ${p}.id and u.refunded_at is null and u.created_at >= ${weekStart(p)})`;
const todayPurchases = (p: Alias) =>
  sql`(select count(*)::int from unlocks u
    where u.provider_id = ${p}.id and u.refunded_at is null and u.created_at >= ${dayStart(p)})`;

/**
 * Purchases of provider `p` under way: its other offers with a Checkout Session still open (or
 * one being created, `checkout_reserved_until`) on a lead still open. Each may be paid at any
 * moment, so a check before a charge counts them as bought.
 */
const pending = (p: Alias, exceptOfferId: string | null, what: 'cents' | 'count') =>
  sql`(select ${what === 'cents' ? sql`coalesce(sum(o.price_cents), 0)::int8` : sql`count(*)::int`}
    from offers o join leads l on l.id = o.lead_id
    where o.provider_id = ${p}.id and o.status = 'offered' and o.id is distinct from ${exceptOfferId}::uuid
      and ${onSaleSql(sql`l`)}
      and ((o.checkout_url is not null and o.checkout_expires_at > now()) or o.checkout_reserved_until > now()))`;

/**
 * SQL: why provider `p` may not buy a lead priced `priceCents` now — `'weekly_cap'` when its
 * spend this week plus the price would pass the weekly cap, `'daily_cap'` when today's purchases
 * have reached the daily cap — or null. A provider without caps costs no subquery.
 *
 * With `pendingExcept` (the offer being bought, or null), purchases under way count too: what a
 * check before a charge needs. Lead matching leaves them out: a teaser costs nothing, and an
 * abandoned Checkout Session should not keep a provider from hearing of new leads.
 */
export function refusalSql(p: Alias, priceCents: SQL | number, pendingExcept?: string | null): SQL {
  const counting = pendingExcept !== undefined;
  const cents = counting ? sql` + ${pending(p, pendingExcept, 'cents')}` : sql``;
  const count = counting ? sql` + ${pending(p, pendingExcept, 'count')}` : sql``;
  return sql`(case
    when ${p}.weekly_spend_cap_cents is not null
      and ${weekSpentCents(p)}${cents} + ${priceCents}::int8 > ${p}.weekly_spend_cap_cents then 'weekly_cap'
    when ${p}.daily_lead_cap is not null and ${todayPurchases(p)}${count} >= ${p}.daily_lead_cap then 'daily_cap'
  end)`;
}

/**
 * Whether this purchase must be refused before any charge, and why; null when it may go ahead
 * (or the provider does not exist: the caller's own checks answer that). Counts the provider's
 * other purchases under way (open Checkout Sessions) as bought. One round trip.
 */
export async function purchaseRefusal(q: Queryable, attempt: PurchaseAttempt): Promise<BudgetRefusal | null> {
  const p = sql.raw('p');
  const [row] = await rows<{ refusal: BudgetRefusal | null }>(
    q,
    'purchase_refusal',
    sql`select ${refusalSql(p, attempt.priceCents, attempt.offerId ?? null)} as refusal
      from providers p where p.id = ${attempt.providerId}`,
  );
  return row?.refusal ?? null;
}

/** How long a reservation holds a purchase under way before its Checkout Session is stored. */
const RESERVATION = sql`interval '2 minutes'`;

/**
 * `purchaseRefusal`, and when the purchase may go ahead, the offer reserved as under way, both
 * under the provider's row lock: concurrent purchases of one provider (across leads) queue up
 * and each counts those before it, so together they cannot pass a cap. Call it just before
 * creating the charge (the Checkout Session); the reservation lapses by itself.
 *
 * The lock is taken by a statement of its own: in READ COMMITTED a statement that waited for a
 * row lock still reads other tables as of its start, so the count is a second statement, whose
 * snapshot sees every reservation committed before the lock came free.
 *
 * What it cannot stop, fulfilment keeps (the money is taken by then; it is never taken without
 * the lead delivered): a session paid after its week turned, or paid after the cap was lowered.
 */
export async function reservePurchase(
  db: Database,
  attempt: PurchaseAttempt & { offerId: string },
): Promise<BudgetRefusal | null> {
  const p = sql.raw('p');
  return transaction(async (tx) => {
    await rows(tx, 'lock_provider', sql`select 1 from providers where id = ${attempt.providerId} for update`);
    const [row] = await rows<{ refusal: BudgetRefusal | null }>(
      tx,
      'reserve_purchase',
      sql`with r as (
          select ${refusalSql(p, attempt.priceCents, attempt.offerId)} as refusal
          from providers p where p.id = ${attempt.providerId}
        ),
        held as (
          update offers set checkout_reserved_until = now() + ${RESERVATION}
          where id = ${attempt.offerId} and not exists (select from r where refusal is not null)
        )
        select refusal from r`,
    );
    return row?.refusal ?? null;
  });
}

export type BudgetStatus = {
  weeklySpendCapCents: number | null;
  dailyLeadCap: number | null;
  /** The zone the periods are in: the provider's, or DEFAULT_TIME_ZONE. */
  timeZone: string;
  weekStartedAt: string;
  dayStartedAt: string;
  /** Unlocks not refunded since the week's and the day's start. */
  weekSpentCents: number;
  todayPurchases: number;
  /** Spend has reached the weekly cap (no lead fits), or purchases the daily cap. */
  atWeeklyCap: boolean;
  atDailyCap: boolean;
  atCap: boolean;
};

/** A provider's budgets as the admin API shows them; undefined for an unknown provider. */
export async function budgetStatus(q: Queryable, providerId: string): Promise<BudgetStatus | undefined> {
  const p = sql.raw('p');
  const [row] = await rows<{
    weekly_spend_cap_cents: number | null;
    daily_lead_cap: number | null;
    time_zone: string;
    week_started_at: string | Date;
    day_started_at: string | Date;
    week_spent_cents: string | number;
    today_purchases: number;
  }>(
    q,
    'budget_status',
    sql`select p.weekly_spend_cap_cents, p.daily_lead_cap, ${zone(p)} as time_zone,
        ${weekStart(p)} as week_started_at, ${dayStart(p)} as day_started_at,
        ${weekSpentCents(p)} as week_spent_cents, ${todayPurchases(p)} as today_purchases
      from providers p where p.id = ${providerId}`,
  );
  if (!row) return undefined;
  const spent = Number(row.week_spent_cents);
  const atWeeklyCap = row.weekly_spend_cap_cents !== null && spent >= row.weekly_spend_cap_cents;
  const atDailyCap = row.daily_lead_cap !== null && row.today_purchases >= row.daily_lead_cap;
  return {
    weeklySpendCapCents: row.weekly_spend_cap_cents,
    dailyLeadCap: row.daily_lead_cap,
    timeZone: row.time_zone,
    weekStartedAt: new Date(row.week_started_at).toISOString(),
    dayStartedAt: new Date(row.day_started_at).toISOString(),
    weekSpentCents: spent,
    todayPurchases: row.today_purchases,
    atWeeklyCap,
    atDailyCap,
    atCap: atWeeklyCap || atDailyCap,
  };
}

/**
 * The name of this time zone as Postgres, which computes the periods, spells it
 * (`europe/berlin` → `Europe/Berlin`); undefined when it does not know it. A name the API's own
 * check accepted but Postgres does not know would fail every lead matched to the provider.
 */
export async function postgresZoneName(q: Queryable, timeZone: string): Promise<string | undefined> {
  const [row] = await rows<{ name: string }>(
    q,
    'time_zone_name',
    sql`select name from pg_timezone_names where lower(name) = lower(${timeZone})
      order by name = ${timeZone} desc, name limit 1`,
  );
  return row?.name;
}

/** The SMS of a refusal: once per offer, cap and UTC day however often the provider asks. */
export function budgetRefusedMessage(
  offer: { id: string; providerId: string },
  lead: { id: string; code: string },
  provider: { phone: string; language: Language },
  reason: BudgetRefusal,
): NewSms {
  return {
    kind: 'budget_refused',
    recipients: [provider.phone],
    body: templates(provider.language).budgetRefusedSms(lead.code, reason),
    dedupeKey: `budget_refused:${offer.id}:${reason}:${new Date().toISOString().slice(0, 10)}`,
    leadId: lead.id,
    providerId: offer.providerId,
  };
}
