import { and, eq, isNotNull, ne, sql } from 'drizzle-orm';
import type { Database, Tx } from '../db/client';
import { leads, offers, providers, stripeEvents, stripeTasks, unlocks } from '../db/schema';
import { log } from '../log';
import * as t from '../sms/templates';
import type { CheckoutSession, StripeEvent } from '../stripe';
import { leadStatus } from './lead-status';
import { queueSms, sendNow, type NewSms } from './outbox';
import { queueStripeTasks, runStripeTasksNow, type NewStripeTask } from './stripe-tasks';

export type EventOutcome =
  | 'duplicate'
  | 'ignored'
  | 'unlocked'
  | 'refund_queued'
  | 'already_fulfilled'
  | 'offer_freed'
  | 'refund_recorded';

type Effects = { outcome: EventOutcome; sms: NewSms[]; tasks: NewStripeTask[] };
const none = (outcome: EventOutcome): Effects => ({ outcome, sms: [], tasks: [] });

const idOf = (v: string | { id: string } | null | undefined) => (typeof v === 'string' ? v : (v?.id ?? null));

/**
 * A paid Checkout Session: an unlock while the lead has room (the lead row is locked, so
 * concurrent payments queue up behind each other), otherwise a refund and an SMS saying so.
 */
async function fulfil(tx: Tx, session: CheckoutSession): Promise<Effects> {
  const { leadId, offerId, providerId } = session.metadata ?? {};
  if (!leadId || !offerId || !providerId) {
    log.warn('paid Checkout Session without our metadata: ignored', { sessionId: session.id });
    return none('ignored');
  }
  const [lead] = await tx.select().from(leads).where(eq(leads.id, leadId)).for('update');
  const [offer] = await tx.select().from(offers).where(eq(offers.id, offerId));
  const [provider] = await tx.select().from(providers).where(eq(providers.id, providerId));
  if (!lead || !offer || !provider || offer.leadId !== lead.id || offer.providerId !== provider.id) {
    log.error('paid Checkout Session names an unknown offer', { sessionId: session.id, leadId, offerId });
    return none('ignored');
  }
  const [done] = await tx
    .select({ id: unlocks.id })
    .from(unlocks)
    .where(eq(unlocks.checkoutSessionId, session.id));
  if (done) return none('already_fulfilled'); // completed and async_payment_succeeded both came

  const paymentIntentId = idOf(session.payment_intent);
  const to = { recipients: [provider.phone], providerId: provider.id, leadId: lead.id };

  if (offer.status === 'unlocked' || leadStatus(lead) !== 'open') {
    // Past the cap, past expiry, or a second payment for the same offer: give the money back.
    return {
      outcome: 'refund_queued',
      tasks: [
        {
          kind: 'refund',
          dedupeKey: `refund:${session.id}`,
          checkoutSessionId: session.id,
          paymentIntentId,
          leadId: lead.id,
          providerId: provider.id,
        },
      ],
      sms: [{ ...to, kind: 'refunded', body: t.refundedSms(lead), dedupeKey: `refunded:${session.id}` }],
    };
  }

  await tx.insert(unlocks).values({
    offerId: offer.id,
    leadId: lead.id,
    providerId: provider.id,
    checkoutSessionId: session.id,
    paymentIntentId,
    amountCents: session.amount_total ?? lead.priceCents,
    currency: session.currency ?? lead.currency,
  });
  const unlockCount = lead.unlockCount + 1;
  const full = unlockCount >= lead.maxUnlocks;
  await tx
    .update(leads)
    .set({ unlockCount, ...(full && { codeActive: false }) })
    .where(eq(leads.id, lead.id));
  await tx
    .update(offers)
    .set({ status: 'unlocked', checkoutSessionId: session.id })
    .where(eq(offers.id, offer.id));

  const tasks: NewStripeTask[] = [];
  if (full) {
    // The lead is sold out: nobody else may pay, so close their open sessions at Stripe.
    const others = await tx
      .select({ sessionId: offers.checkoutSessionId, providerId: offers.providerId })
      .from(offers)
      .where(
        and(
          eq(offers.leadId, lead.id),
          ne(offers.id, offer.id),
          eq(offers.status, 'offered'),
          isNotNull(offers.checkoutSessionId),
        ),
      );
    for (const o of others) {
      tasks.push({
        kind: 'expire_session',
        dedupeKey: `expire:${o.sessionId}`,
        checkoutSessionId: o.sessionId!,
        leadId: lead.id,
        providerId: o.providerId,
      });
    }
  }
  return {
    outcome: 'unlocked',
    tasks,
    sms: [{ ...to, kind: 'details', body: t.detailsSms(lead), dedupeKey: `details:${session.id}` }],
  };
}

/** `checkout.session.expired`: the offer may get a new session next time its link is opened. */
async function freeOffer(tx: Tx, session: CheckoutSession): Promise<Effects> {
  const offerId = session.metadata?.offerId;
  if (offerId) {
    await tx
      .update(offers)
      .set({ checkoutUrl: null, checkoutExpiresAt: null })
      .where(
        and(eq(offers.id, offerId), eq(offers.checkoutSessionId, session.id), eq(offers.status, 'offered')),
      );
  }
  return none('offer_freed');
}

/** A refund made from Stripe's dashboard: the unlock is marked refunded. */
async function recordRefund(
  tx: Tx,
  charge: { payment_intent?: unknown; refunded?: boolean },
): Promise<Effects> {
  const paymentIntentId = idOf(charge.payment_intent as string | { id: string } | null);
  if (charge.refunded && paymentIntentId) {
    await tx
      .update(unlocks)
      .set({ refundedAt: sql`now()` })
      .where(and(eq(unlocks.paymentIntentId, paymentIntentId), sql`${unlocks.refundedAt} is null`));
    await tx
      .update(stripeTasks)
      .set({ status: 'done', updatedAt: sql`now()` })
      .where(and(eq(stripeTasks.paymentIntentId, paymentIntentId), eq(stripeTasks.kind, 'refund')));
  }
  return none('refund_recorded');
}

async function apply(tx: Tx, event: StripeEvent): Promise<Effects> {
  switch (event.type) {
    case 'checkout.session.completed':
      // Delayed payment methods complete unpaid and succeed later in their own event.
      return event.data.object.payment_status === 'paid' ? fulfil(tx, event.data.object) : none('ignored');
    case 'checkout.session.async_payment_succeeded':
      return fulfil(tx, event.data.object);
    case 'checkout.session.expired':
      return freeOffer(tx, event.data.object);
    case 'charge.refunded':
      return recordRefund(tx, event.data.object);
    default:
      return none('ignored');
  }
}

/**
 * A verified Stripe event: recorded once by id and applied in one transaction with the SMS and
 * Stripe follow-ups it causes; those are attempted after commit and retried if they fail.
 */
export async function handleStripeEvent(db: Database, event: StripeEvent): Promise<EventOutcome> {
  const { outcome, smsIds, taskIds } = await db.transaction(async (tx) => {
    const [fresh] = await tx
      .insert(stripeEvents)
      .values({ id: event.id, type: event.type })
      .onConflictDoNothing()
      .returning({ id: stripeEvents.id });
    if (!fresh) return { outcome: 'duplicate' as const, smsIds: [], taskIds: [] };
    const effects = await apply(tx, event);
    return {
      outcome: effects.outcome,
      smsIds: await queueSms(tx, effects.sms),
      taskIds: await queueStripeTasks(tx, effects.tasks),
    };
  });
  await Promise.all([sendNow(db, smsIds), runStripeTasksNow(db, taskIds)]);
  return outcome;
}
