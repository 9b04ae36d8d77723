import { businessEvent } from '../metrics';
import { and, eq, sql } from 'drizzle-orm';
import { fromRow, rows, transaction, type Database, type Tx } from '../db/client';
import {
  leads,
  offers,
  providers,
  smsMessages,
  stripeEvents,
  stripeTasks,
  unlocks,
  type Lead,
  type SmsMessage,
} from '../db/schema';
import { log } from '../log';
import { templates } from '../sms/templates';
import { OFF_SESSION, type CheckoutSession, type PaymentIntent, type StripeEvent } from '../stripe';
import { chargeFailed } from './charge-saved-card';
import { forgetCard, forgetCustomer } from './forget-stripe-ids';
import { clientDetails } from '../privacy/client-details';
import { leadStatus } from '../leads/lead-status';
import { sendClaimedNow, type NewSms } from '../messaging/outbox';
import {
  expireOtherSessions,
  refundTask,
  runClaimedStripeTasksNow,
  type NewStripeTask,
} from './stripe-tasks';
import { claimedNow, inlineDeadline, insertClaimed } from '../queue/work-queue';
import { isUuid } from '../uuid';
import { recordReceipt } from './receipts';
import { cardSetupTask } from './card-setup';

export type EventOutcome =
  | 'duplicate'
  | 'ignored'
  | 'unlocked'
  | 'refund_queued'
  | 'already_fulfilled'
  | 'offer_freed'
  | 'refund_recorded'
  | 'already_refunded'
  | 'charge_failed'
  | 'card_removed'
  | 'card_setup'
  | 'receipt_recorded'
  | 'customer_removed';

type Effects = {
  outcome: EventOutcome;
  sms: NewSms[];
  tasks: NewStripeTask[];
  /** SMS already written, claimed by this worker (see `claimedNow`). */
  claimed?: SmsMessage[];
};
const none = (outcome: EventOutcome): Effects => ({ outcome, sms: [], tasks: [] });

const idOf = (v: string | { id: string } | null | undefined) => (typeof v === 'string' ? v : (v?.id ?? null));

/**
 * A payment to fulfil: a paid Checkout Session, or a saved card's off-session PaymentIntent seen
 * as one (its id where a session id goes: the unlock's and the refund's key), so both unlock
 * through the same code: the cap, refunds past it, the details SMS once.
 */
type Paid = Pick<
  CheckoutSession,
  'id' | 'payment_intent' | 'amount_total' | 'currency' | 'metadata' | 'customer'
> & { paidWith: 'checkout' | 'saved_card' };

/** An off-session PaymentIntent of ours (`chargeSavedCard`), not one of a Checkout Session. */
const isOffSession = (pi: PaymentIntent) => pi.metadata?.offSession === OFF_SESSION;

const asPaid = (pi: PaymentIntent): Paid => ({
  id: pi.id,
  payment_intent: pi.id,
  amount_total: pi.amount_received || pi.amount,
  currency: pi.currency,
  metadata: pi.metadata,
  customer: null,
  paidWith: 'saved_card',
});

/**
 * A paid Checkout Session: an unlock while the lead has room (the lead row is locked, so
 * concurrent payments queue up behind each other), otherwise a refund and an SMS saying so.
 */
async function fulfil(tx: Tx, session: Paid, lead: Lead | undefined): Promise<Effects> {
  const { leadId, offerId, providerId } = session.metadata ?? {};
  if (!isUuid(leadId) || !isUuid(offerId) || !isUuid(providerId)) {
    log.warn('paid Checkout Session without our metadata: ignored', { sessionId: session.id });
    return none('ignored');
  }
  const paymentIntentId = idOf(session.payment_intent);
  // Read after the lead's lock is held, so it sees whatever a payment ahead of us committed.
  const [found] = await rows<{
    offer: Record<string, unknown> | null;
    provider: Record<string, unknown> | null;
    done: boolean;
    refunded: boolean;
  }>(
    tx,
    'read_paid_offer',
    sql`select
      (select to_json(o) from ${offers} o where o.id = ${offerId}) as offer,
      (select to_json(p) from ${providers} p where p.id = ${providerId}) as provider,
      exists (select from ${unlocks} u where u.checkout_session_id = ${session.id}) as done,
      exists (select from ${stripeEvents} e where e.id = ${refundMark(paymentIntentId)}) as refunded`,
  );
  const offer = found?.offer ? fromRow(offers, found.offer) : undefined;
  const provider = found?.provider ? fromRow(providers, found.provider) : undefined;
  if (!lead || !offer || !provider || offer.leadId !== lead.id || offer.providerId !== provider.id) {
    log.error('paid Checkout Session names an unknown offer', { sessionId: session.id, leadId, offerId });
    return none('ignored');
  }
  if (found?.done) return none('already_fulfilled'); // completed and async_payment_succeeded both came
  if (found?.refunded) {
    // Refunded (from the dashboard) before its completion reached us: no unlock and no details
    // for money given back; the offer's link opens a new session should they pay again.
    log.warn('payment refunded before it was fulfilled: not unlocked', { sessionId: session.id });
    await freeOffer(tx, session);
    return none('already_refunded');
  }
  const to = { recipients: [provider.phone], providerId: provider.id, leadId: lead.id };
  // What Stripe took: the unlock's amount, or the amount a refund gives back.
  const paid = {
    amountCents: session.amount_total ?? offer.priceCents,
    currency: session.currency ?? lead.currency,
  };
  // A Checkout with the provider's customer and no card on file (or paying for what the saved
  // card failed to pay, see open-checkout) saved this one: read it from its
  // PaymentIntent after commit (whatever becomes of the payment, the card is saved at Stripe).
  const customerId = idOf(session.customer);
  const saveCard: NewStripeTask[] =
    customerId && paymentIntentId && (!provider.savedPaymentMethodId || offer.chargeStatus === 'failed')
      ? [
          {
            kind: 'save_card',
            dedupeKey: `save-card:${session.id}`,
            checkoutSessionId: session.id,
            paymentIntentId,
            customerId,
            leadId: lead.id,
            providerId: provider.id,
          },
        ]
      : [];

  if (offer.status === 'unlocked' || leadStatus(lead) !== 'open') {
    // Past the cap, past expiry, or a second payment for the same offer: give the money back.
    return {
      outcome: 'refund_queued',
      tasks: [
        refundTask({
          checkoutSessionId: session.id,
          paymentIntentId,
          leadId: lead.id,
          providerId: provider.id,
        }),
        // After what matters more, in the budget after commit.
        ...saveCard,
      ],
      sms: [
        {
          ...to,
          kind: 'refunded',
          body: templates(provider.language).refundedSms({ code: lead.code, ...paid }),
          dedupeKey: `refunded:${session.id}`,
        },
      ],
    };
  }

  const unlockCount = lead.unlockCount + 1;
  const full = unlockCount >= lead.maxUnlocks;
  // One row per message of the details (a long description makes several), so each is sent,
  // retried and resent on its own. The first keeps the key a single message always had.
  // An erased lead expired with its erasure, so it was refunded above: its details are there.
  const details: NewSms[] = templates(provider.language)
    .detailsSms(clientDetails(lead)!)
    .map((body, i) => ({
      ...to,
      kind: 'details',
      body,
      dedupeKey: i === 0 ? `details:${session.id}` : `details:${session.id}:${i + 1}`,
    }));
  // The unlock, the lead's count, the offer and the details SMS (claimed): one statement.
  const written = await rows<Record<string, unknown>>(
    tx,
    'record_unlock',
    sql`with
      unlock as (${tx
        .insert(unlocks)
        .values({
          offerId: offer.id,
          leadId: lead.id,
          providerId: provider.id,
          checkoutSessionId: session.id,
          paymentIntentId,
          ...paid,
          paidWith: session.paidWith,
        })
        .getSQL()}),
      counted as (${tx
        .update(leads)
        .set({ unlockCount, ...(full && { codeActive: false }) })
        .where(eq(leads.id, lead.id))
        .getSQL()}),
      sold as (${tx
        .update(offers)
        .set({ status: 'unlocked', checkoutSessionId: session.id })
        .where(eq(offers.id, offer.id))
        .getSQL()})
      ${tx
        .insert(smsMessages)
        .values(details.map((d) => ({ ...d, ...claimedNow })))
        .onConflictDoNothing({ target: smsMessages.dedupeKey })
        .returning()
        .getSQL()}`,
  );
  // Ids follow the VALUES order; RETURNING has none: sorted so the messages go out in order.
  const claimed = written.map((r) => fromRow(smsMessages, r)).sort((a, b) => a.id - b.id);

  // The lead is sold out: nobody else may pay, so close their open sessions at Stripe.
  const tasks = full ? await expireOtherSessions(tx, lead.id, offer.id) : [];
  return { outcome: 'unlocked', tasks: [...tasks, ...saveCard], sms: [], claimed };
}

/** `checkout.session.expired`: the offer may get a new session next time its link is opened. */
async function freeOffer(tx: Tx, session: Pick<CheckoutSession, 'id' | 'metadata'>): Promise<Effects> {
  const offerId = session.metadata?.offerId;
  if (isUuid(offerId)) {
    await tx
      .update(offers)
      .set({ checkoutUrl: null, checkoutExpiresAt: null })
      .where(
        and(eq(offers.id, offerId), eq(offers.checkoutSessionId, session.id), eq(offers.status, 'offered')),
      );
  }
  return none('offer_freed');
}

/**
 * A `stripe_events` row (ids of Stripe's own events start `evt_`) remembering that a payment
 * intent was refunded, for a completion that arrives after its refund.
 */
const refundMark = (paymentIntentId: string | null) => `refunded:${paymentIntentId ?? ''}`;

/**
 * Held to commit by a completion and by a refund of one payment intent, each in a statement
 * before the one that reads what the other writes: whichever comes second sees the first.
 */
export const paymentLock = (paymentIntentId: string | null) =>
  sql`pg_advisory_xact_lock(${PAYMENT_LOCK_CLASS}, hashtext(${paymentIntentId ?? ''}))`;
const PAYMENT_LOCK_CLASS = 0x5eed;

/**
 * A refund made from Stripe's dashboard: the unlock is marked refunded (its slot stays taken).
 * Stripe does not order events, so the refund is also remembered for a completion still to come.
 */
async function recordRefund(
  tx: Tx,
  charge: { payment_intent?: unknown; refunded?: boolean; receipt_url?: unknown },
): Promise<Effects> {
  const paymentIntentId = idOf(charge.payment_intent as string | { id: string } | null);
  if (charge.refunded && paymentIntentId) {
    await tx.execute(sql`select ${paymentLock(paymentIntentId)}`);
    await recordReceipt(tx, charge);
    await tx
      .update(unlocks)
      .set({ refundedAt: sql`now()` })
      .where(and(eq(unlocks.paymentIntentId, paymentIntentId), sql`${unlocks.refundedAt} is null`));
    await tx
      .update(stripeTasks)
      .set({ status: 'done', updatedAt: sql`now()` })
      .where(and(eq(stripeTasks.paymentIntentId, paymentIntentId), eq(stripeTasks.kind, 'refund')));
    await tx
      .insert(stripeEvents)
      .values({ id: refundMark(paymentIntentId), type: 'charge.refunded' })
      .onConflictDoNothing();
  }
  return none('refund_recorded');
}

/**
 * `payment_intent.payment_failed` of a saved card's charge: the pay link instead (once per
 * attempt, whether this or the create call's 402 answer comes first). Others: ignored.
 */
async function offSessionFailed(tx: Tx, pi: PaymentIntent): Promise<Effects> {
  const offerId = pi.metadata?.offerId;
  const attempt = Number(pi.metadata?.chargeAttempt);
  // An attempt of ours is a positive int4 (offers.charge_attempt); anything else is not our charge.
  if (
    !isOffSession(pi) ||
    !isUuid(offerId) ||
    !Number.isInteger(attempt) ||
    attempt < 1 ||
    attempt > 2 ** 31 - 1
  ) {
    return none('ignored');
  }
  const sms = await chargeFailed(tx, {
    offerId,
    attempt,
    code: pi.last_payment_error?.code ?? 'payment_failed',
  });
  return { outcome: 'charge_failed', sms, tasks: [] };
}

/** The payment an event asks us to fulfil, if any. */
function toFulfil(event: StripeEvent): Paid | undefined {
  if (event.type === 'checkout.session.async_payment_succeeded') {
    return { ...event.data.object, paidWith: 'checkout' };
  }
  // A Checkout's own PaymentIntent is fulfilled by checkout.session.completed, not here.
  if (event.type === 'payment_intent.succeeded' && isOffSession(event.data.object)) {
    return asPaid(event.data.object);
  }
  // Delayed payment methods complete unpaid and succeed later in their own event; a session in
  // `setup` mode pays nothing (the portal's card, `apply`).
  if (
    event.type === 'checkout.session.completed' &&
    event.data.object.mode !== 'setup' &&
    event.data.object.payment_status === 'paid'
  ) {
    return { ...event.data.object, paidWith: 'checkout' };
  }
  return undefined;
}

/**
 * Records the event id; when it is new and asks for a payment to be fulfilled, also locks the
 * lead it names (so concurrent payments of one lead queue up behind each other): one statement.
 */
async function recordEvent(tx: Tx, event: StripeEvent): Promise<{ fresh: boolean; lead?: Lead }> {
  const paid = toFulfil(event);
  const leadId = paid?.metadata?.leadId;
  if (!isUuid(leadId)) {
    const [fresh] = await tx
      .insert(stripeEvents)
      .values({ id: event.id, type: event.type })
      .onConflictDoNothing()
      .returning({ id: stripeEvents.id });
    return { fresh: Boolean(fresh) };
  }
  const [r] = await rows<{ fresh: number; lead: Record<string, unknown> | null }>(
    tx,
    'record_stripe_event',
    sql`with
      fresh as (${tx
        .insert(stripeEvents)
        .values({ id: event.id, type: event.type })
        .onConflictDoNothing()
        .returning({ id: stripeEvents.id })
        .getSQL()}),
      locked as (select * from ${leads} where id = ${leadId} and exists (select from fresh) for update)
    select (select count(*)::int from fresh) as fresh, (select to_json(locked) from locked) as lead,
      ${paymentLock(idOf(paid?.payment_intent))}`,
  );
  return { fresh: Boolean(r?.fresh), lead: r?.lead ? fromRow(leads, r.lead) : undefined };
}

async function apply(tx: Tx, event: StripeEvent, lead: Lead | undefined): Promise<Effects> {
  const paid = toFulfil(event);
  if (paid) return fulfil(tx, paid, lead);
  switch (event.type) {
    // An expired session, or a delayed payment that failed: the link opens a new session.
    case 'checkout.session.expired':
    case 'checkout.session.async_payment_failed':
      return freeOffer(tx, event.data.object);
    case 'charge.refunded':
      return recordRefund(tx, event.data.object);
    // The payment's receipt (lib/purchases/receipts.ts).
    case 'charge.succeeded':
      return none((await recordReceipt(tx, event.data.object)) ? 'receipt_recorded' : 'ignored');
    // A card saved in setup mode (the portal's): it replaces their saved card after commit.
    case 'checkout.session.completed': {
      const task = event.data.object.mode === 'setup' ? cardSetupTask(event.data.object) : undefined;
      return task ? { outcome: 'card_setup', sms: [], tasks: [task] } : none('ignored');
    }
    case 'payment_intent.payment_failed':
      return offSessionFailed(tx, event.data.object);
    case 'payment_method.detached': {
      const forgotten = await forgetCard(tx, event.data.object.id);
      log.info('saved card removed at Stripe', { paymentMethodId: event.data.object.id, forgotten });
      return none('card_removed');
    }
    // A Customer deleted at Stripe (Dashboard or API) takes its saved cards with it: forgotten,
    // so the provider's next YES gets the pay link and that Checkout makes a new Customer.
    case 'customer.deleted': {
      const forgotten = await forgetCustomer(tx, event.data.object.id);
      log.info('customer deleted at Stripe', { customerId: event.data.object.id, forgotten });
      return none('customer_removed');
    }
    default:
      return none('ignored');
  }
}

/**
 * A verified Stripe event: recorded once by id and applied in one transaction with the SMS and
 * Stripe follow-ups it causes; those are attempted after commit and retried if they fail.
 */
export async function handleStripeEvent(db: Database, event: StripeEvent): Promise<EventOutcome> {
  // Written already claimed (see `claimedNow`): no claiming statement after commit.
  const { outcome, sms, tasks } = await transaction(async (tx) => {
    const { fresh, lead } = await recordEvent(tx, event);
    if (!fresh) return { outcome: 'duplicate' as const, sms: [], tasks: [] };
    const effects = await apply(tx, event, lead);
    return {
      outcome: effects.outcome,
      sms: [...(effects.claimed ?? []), ...(await insertClaimed(tx, smsMessages, effects.sms))],
      tasks: await insertClaimed(tx, stripeTasks, effects.tasks),
    };
  });
  const session = outcome === 'unlocked' ? toFulfil(event) : undefined;
  if (session) {
    const { leadId, offerId, providerId } = session.metadata ?? {};
    businessEvent(
      'lead unlocked',
      { Unlocks: 1 },
      { leadId, offerId, providerId, sessionId: session.id, eventId: event.id },
    );
  }
  // One budget for all of it, so the webhook answers in time whatever Stripe and TextMagic do.
  const deadline = inlineDeadline();
  await Promise.all([sendClaimedNow(db, sms, deadline), runClaimedStripeTasksNow(db, tasks, deadline)]);
  return outcome;
}
