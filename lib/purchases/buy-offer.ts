import { eq, sql, type SQL } from 'drizzle-orm';
import { fromRow, rows, type Database, type Queryable } from '../db/client';
import { offers, stripeTasks, type Lead, type Offer, type Provider, type StripeTask } from '../db/schema';
import { leadStatus } from '../leads/lead-status';
import { claimedNow, inlineDeadline } from '../queue/work-queue';
import type { Priced } from '../sms/templates';
import { purchaseRefusal, type BudgetRefusal } from './budget';
import { offerPrice } from './offer-queries';
import { payUrl } from './pay-url';
import { runClaimedStripeTasksNow } from './stripe-tasks';

/**
 * A provider asking to buy an offer: by `YES <code>` (lib/messaging/handle-reply.ts) or from the
 * portal (lib/portal/leads.ts). Both decide with `buyAnswer` and record the ask (and queue a
 * saved-card charge) with `acceptOfferSql`, so one rule and one budget answer both.
 */

export type OfferRow = { offer: Offer; lead: Lead; provider: Provider };

/** What asking to buy an offer comes to. */
export type BuyAnswer =
  /** Theirs already: the details (again). */
  | { kind: 'unlocked' }
  /** The lead is full or expired. */
  | { kind: 'unavailable' }
  /** A budget refuses it (lib/purchases/budget.ts): no link, no charge. */
  | { kind: 'budget_refused'; refusal: BudgetRefusal }
  /** Auto-pay on and a saved card that has not failed on this offer: charge it off-session. */
  | { kind: 'charge'; priced: Priced }
  /** The offer's pay link, which opens Stripe Checkout. */
  | { kind: 'pay_link'; priced: Priced; url: string };

/** A saved card, auto-pay on, and no charge of this offer that failed: a buy charges the card. */
export const paysWithSavedCard = (provider: Provider, offer: Offer): boolean =>
  provider.autoPay &&
  provider.savedPaymentMethodId !== null &&
  provider.stripeCustomerId !== null &&
  offer.chargeStatus !== 'failed';

/**
 * How a request to buy `row` is answered. A pay link or a charge only within the provider's
 * budgets (one read, counting their purchases under way): a refused one starts no payment. Read
 * before anything is written: a lead that fills meanwhile gets a link whose page says it is gone
 * (open-checkout checks again), and a charge checks again under the provider's lock just before
 * it calls Stripe (charge-saved-card.ts), so a stale read costs nothing.
 */
export async function buyAnswer(q: Queryable, row: OfferRow): Promise<BuyAnswer> {
  const { offer, lead, provider } = row;
  if (offer.status === 'unlocked') return { kind: 'unlocked' };
  if (leadStatus(lead) !== 'open') return { kind: 'unavailable' };
  const refusal = await purchaseRefusal(q, {
    providerId: offer.providerId,
    priceCents: offer.priceCents,
    offerId: offer.id,
  });
  if (refusal) return { kind: 'budget_refused', refusal };
  const priced = offerPrice(lead, offer);
  return paysWithSavedCard(provider, offer)
    ? { kind: 'charge', priced }
    : { kind: 'pay_link', priced, url: payUrl(offer.payToken) };
}

/**
 * The charge a buy queues, on the offer's row as updated there: only while the provider (as
 * locked, `p`) still has auto-pay and a card, and no charge of the offer is in flight or failed;
 * `old` is the offer before the update.
 */
const chargeNow = sql`(old.status = 'offered' and old.charge_status is null
  and p.auto_pay and p.saved_payment_method_id is not null and p.stripe_customer_id is not null)`;

/**
 * SQL: the CTEs `old`, `accepted` and `charge` that record a buy of lead `leadId`'s offer to the
 * provider `p` (a CTE of the statement: their row, locked, with `id`, `auto_pay`,
 * `saved_payment_method_id`, `stripe_customer_id`): the funnel's "replied YES" step
 * (`accepted_at`, the first time) and, with `charge`, the saved card's next charge attempt and its
 * Stripe follow-up, written already claimed (run it after commit). `when` guards the whole,
 * `apply` the writes (the reply's statement writes nothing for a TextMagic id seen before).
 *
 * The offer is locked after the provider: a buy that waited for another buy of theirs reads the
 * charge that one queued. Joined unlocked, it would be read as of the statement's start, and both
 * would charge (two attempts, two keys).
 */
export function acceptOfferSql(o: { leadId: string | null; when: SQL; apply: SQL; charge: boolean }): SQL {
  const charging = sql`${o.charge} and ${chargeNow}`;
  return sql`
    old as (
      select id, status, charge_status from offers
      where ${o.when} and lead_id = ${o.leadId}::uuid and provider_id = (select id from p)
      for update
    ),
    accepted as (
      update offers set
        accepted_at = coalesce(offers.accepted_at, now()),
        charge_attempt = case when ${charging} then offers.charge_attempt + 1 else offers.charge_attempt end,
        charge_status = case when ${charging} then 'charging' else offers.charge_status end
      from p, old
      where ${o.when} and offers.lead_id = ${o.leadId}::uuid
        and offers.provider_id = p.id and old.id = offers.id and ${o.apply}
        and (offers.accepted_at is null or (${charging}))
      returning offers.id, offers.lead_id, offers.provider_id, offers.charge_attempt, offers.price_cents,
        ${charging} as charged
    ),
    charge as (
      insert into stripe_tasks (kind, dedupe_key, offer_id, lead_id, provider_id, charge_attempt,
        customer_id, payment_method_id, price_cents, currency, attempts, next_attempt_at)
      select 'charge', 'charge:' || a.id || ':' || a.charge_attempt, a.id, a.lead_id, a.provider_id,
        a.charge_attempt, p.stripe_customer_id, p.saved_payment_method_id, a.price_cents, l.currency,
        ${claimedNow.attempts}, ${claimedNow.nextAttemptAt}
      from accepted a cross join p join leads l on l.id = a.lead_id
      where a.charged
      on conflict (dedupe_key) do nothing
      returning *
    )`;
}

/**
 * A buy asked for outside an SMS (the portal): `buyAnswer`, and for a link or a charge the ask
 * recorded as a YES records it, the charge queued and run within the request's budget (the
 * dispatcher retries what is left). The details SMS follows the payment as for a YES. A charge
 * refused already, or neither queued nor in flight (the card removed or auto-pay turned off since
 * the read), answers the pay link instead.
 */
export async function buyOffer(db: Database, row: OfferRow): Promise<BuyAnswer> {
  const answer = await buyAnswer(db, row);
  if (answer.kind !== 'charge' && answer.kind !== 'pay_link') return answer;
  const [recorded] = await rows<{ tasks: Record<string, unknown>[] | null; charging: boolean }>(
    db,
    'accept_offer',
    sql`with
      p as (
        select id, auto_pay, saved_payment_method_id, stripe_customer_id
        from providers where id = ${row.offer.providerId}
        for update
      ),
      ${acceptOfferSql({ leadId: row.lead.id, when: sql`true`, apply: sql`true`, charge: answer.kind === 'charge' })}
    select (select json_agg(charge) from charge) as tasks,
      coalesce((select bool_or(charged) from accepted), false)
        or coalesce((select charge_status = 'charging' from old), false) as charging`,
  );
  const tasks: StripeTask[] = (recorded?.tasks ?? []).map((r) => fromRow(stripeTasks, r));
  await runClaimedStripeTasksNow(db, tasks, inlineDeadline());
  if (answer.kind !== 'charge') return answer;
  // The card refused already (declined, needs authentication: the SMS with the link is on its
  // way too), or no charge at all: the link at once.
  const [now] = await db
    .select({ chargeStatus: offers.chargeStatus })
    .from(offers)
    .where(eq(offers.id, row.offer.id));
  return recorded?.charging && now?.chargeStatus !== 'failed'
    ? answer
    : { kind: 'pay_link', priced: answer.priced, url: payUrl(row.offer.payToken) };
}
