import { businessEvent } from '../metrics';
import { and, eq, sql } from 'drizzle-orm';
import { transaction, type Database, type Tx } from '../db/client';
import type { Deadline } from '../deadline';
import { leads, offers, providers, stripeTasks, type StripeTask } from '../db/schema';
import { ExternalServiceError } from '../errors';
import { log } from '../log';
import { templates } from '../sms/templates';
import { chargeSavedCard, paymentMethodOf, type ChargeAnswer } from '../stripe';
import { MAX_ATTEMPTS } from '../queue/backoff';
import { budgetRefusedMessage, reservePurchase } from './budget';
import { forgetCard, forgetCustomer } from './forget-stripe-ids';
import { leadStatus } from '../leads/lead-status';
import { queueSms, sendNow, type NewSms } from '../messaging/outbox';
import { payUrl } from './pay-url';
import { offerPrice } from './offer-queries';

/**
 * One reply buys: a `YES <code>` from a provider with a saved card and auto-pay on queues a
 * `charge` Stripe follow-up in the reply's own transaction (handle-reply.ts); this runs it. The
 * PaymentIntent's idempotency key names the offer and the attempt, so a retry after a fault at
 * Stripe or in the database gets Stripe's first answer back and never charges twice. The unlock
 * itself stays the webhook's (`payment_intent.succeeded`, fulfil-payment.ts).
 */

export type ChargeFailure = {
  offerId: string;
  attempt: number;
  /** Stripe's code: `card_declined`, `authentication_required`, … */
  code: string;
  /** The card Stripe will not charge any more (detached): forgotten, so the next YES gets a link. */
  forgetCard?: string;
  /** A customer Stripe does not know (deleted): forgotten with its card; the next Checkout makes one. */
  forgetCustomer?: string;
};

/**
 * A saved-card charge that did not go through: the offer is marked so that a YES sends the pay
 * link again, and the provider gets that link with wording saying the card was refused, once
 * per attempt (the create call's answer and `payment_intent.payment_failed` may both say so).
 */
export async function chargeFailed(tx: Tx, failure: ChargeFailure): Promise<NewSms[]> {
  const [row] = await tx
    .update(offers)
    .set({ chargeStatus: 'failed' })
    .where(and(eq(offers.id, failure.offerId), eq(offers.chargeAttempt, failure.attempt)))
    .returning();
  if (!row) return [];
  const [lead] = await tx.select().from(leads).where(eq(leads.id, row.leadId));
  if (failure.forgetCard) await forgetCard(tx, failure.forgetCard);
  if (failure.forgetCustomer) await forgetCustomer(tx, failure.forgetCustomer);
  const [provider] = await tx.select().from(providers).where(eq(providers.id, row.providerId));
  log.warn('saved card not charged: pay link sent instead', {
    offerId: row.id,
    leadId: row.leadId,
    providerId: row.providerId,
    code: failure.code,
    cardForgotten: Boolean(failure.forgetCard || failure.forgetCustomer),
  });
  if (!lead || !provider || row.status !== 'offered') return [];
  return [
    {
      kind: 'card_failed',
      recipients: [provider.phone],
      body: templates(provider.language).cardFailedSms(offerPrice(lead, row), payUrl(row.payToken)),
      dedupeKey: `card-failed:${row.id}:${failure.attempt}`,
      leadId: lead.id,
      providerId: row.providerId,
    },
  ];
}

/** Writes what a failed or skipped charge causes, marks the task done, then sends the SMS. */
async function settle(
  db: Database,
  task: StripeTask,
  result: Record<string, unknown>,
  effects: (tx: Tx) => Promise<NewSms[]>,
  deadline?: Deadline,
  done = true,
): Promise<Record<string, unknown>> {
  const ids = await transaction(async (tx) => {
    const sms = await effects(tx);
    if (done) {
      await tx
        .update(stripeTasks)
        .set({ status: 'done', result, lastError: null, updatedAt: sql`now()` })
        .where(eq(stripeTasks.id, task.id));
    }
    return queueSms(tx, sms);
  });
  await sendNow(db, ids, deadline);
  return result;
}

/** The `charge` follow-up: checks the lead is still for sale, then charges the saved card. */
export async function runCharge(db: Database, task: StripeTask, deadline?: Deadline): Promise<unknown> {
  const { offerId, chargeAttempt: attempt, customerId, paymentMethodId, priceCents, currency } = task;
  if (!offerId || !attempt || !customerId || !paymentMethodId || !priceCents || !currency) {
    throw new ExternalServiceError('stripe', 'charge task without what it charges', false);
  }
  const [row] = await db
    .select({ offer: offers, lead: leads, provider: providers })
    .from(offers)
    .innerJoin(leads, eq(leads.id, offers.leadId))
    .innerJoin(providers, eq(providers.id, offers.providerId))
    .where(eq(offers.id, offerId));
  if (!row) throw new ExternalServiceError('stripe', 'charge task names an unknown offer', false);
  const { offer, lead, provider } = row;
  if (
    offer.chargeAttempt === attempt &&
    offer.status === 'offered' &&
    leadStatus(lead) === 'open' &&
    (!provider.autoPay || provider.savedPaymentMethodId !== paymentMethodId)
  ) {
    // A retry after AUTO OFF (or with the card removed or replaced meanwhile): what they asked
    // for now holds, so no charge, and the pay link. Should an earlier try have reached Stripe
    // after all, its webhook still unlocks, and a second payment by the link is refunded.
    return settle(
      db,
      task,
      { skipped: provider.autoPay ? 'card_changed' : 'auto_pay_off' },
      async (tx) => {
        await tx
          .update(offers)
          .set({ chargeStatus: null })
          .where(and(eq(offers.id, offerId), eq(offers.chargeAttempt, attempt)));
        return [
          {
            kind: 'pay_link',
            recipients: [provider.phone],
            body: templates(provider.language).payLinkSms(offerPrice(lead, offer), payUrl(offer.payToken)),
            dedupeKey: `pay-link:${offerId}:${attempt}`,
            leadId: lead.id,
            providerId: provider.id,
          },
        ];
      },
      deadline,
    );
  }
  const stale = offer.chargeAttempt !== attempt || offer.status !== 'offered';
  if (stale || leadStatus(lead) !== 'open') {
    // Sold out or expired since the YES (or bought meanwhile): no charge, the usual answer.
    return settle(
      db,
      task,
      { skipped: stale ? 'stale' : leadStatus(lead) },
      async (tx) => {
        await tx
          .update(offers)
          .set({ chargeStatus: null })
          .where(and(eq(offers.id, offerId), eq(offers.chargeAttempt, attempt)));
        if (stale) return [];
        const [provider] = await tx.select().from(providers).where(eq(providers.id, offer.providerId));
        if (!provider) return [];
        return [
          {
            kind: 'unavailable',
            recipients: [provider.phone],
            body: templates(provider.language).unavailableSms(lead.code),
            dedupeKey: `unavailable:${offerId}:${attempt}`,
            leadId: lead.id,
            providerId: provider.id,
          },
        ];
      },
      deadline,
    );
  }

  // Within the provider's budgets, under their lock, and reserved as under way: charges racing
  // for one provider across leads cannot together pass a cap (lib/purchases/budget.ts).
  const refusal = await reservePurchase(db, {
    providerId: offer.providerId,
    priceCents,
    offerId,
  });
  if (refusal) {
    businessEvent(
      'purchase refused',
      { PurchasesRefused: 1 },
      { leadId: lead.id, offerId, providerId: offer.providerId, reason: refusal },
    );
    return settle(
      db,
      task,
      { skipped: refusal },
      async (tx) => {
        await tx
          .update(offers)
          .set({ chargeStatus: null })
          .where(and(eq(offers.id, offerId), eq(offers.chargeAttempt, attempt)));
        const [provider] = await tx.select().from(providers).where(eq(providers.id, offer.providerId));
        return provider ? [budgetRefusedMessage(offer, lead, provider, refusal)] : [];
      },
      deadline,
    );
  }

  let answer: ChargeAnswer;
  try {
    answer = await chargeSavedCard(
      {
        offerId,
        leadId: lead.id,
        providerId: offer.providerId,
        attempt,
        customerId,
        paymentMethodId,
        priceCents,
        currency,
      },
      deadline,
    );
  } catch (err) {
    const retryable = err instanceof ExternalServiceError ? err.retryable && !err.answer.keySpent : true;
    if (retryable && task.attempts < MAX_ATTEMPTS) throw err;
    // This try is the last (Stripe refused the request, or answered a 500 it would replay to any
    // retry under this attempt's key, or the tenth failure): the pay link, so the provider is not
    // left waiting; the task is marked failed for the operator by the queue. Should Stripe have
    // charged after all, its webhook still unlocks (a second payment is refunded).
    await settle(
      db,
      task,
      {},
      (tx) => chargeFailed(tx, { offerId, attempt, code: 'charge_error' }),
      deadline,
      false,
    );
    // Given up on, for the operator to see: a spent key cannot succeed on a later try either.
    throw err instanceof ExternalServiceError && err.answer.keySpent
      ? new ExternalServiceError(err.service, err.message, false, err.status, err.answer)
      : err;
  }
  if (answer.kind === 'created') {
    businessEvent(
      'saved card charged',
      { SavedCardCharges: 1 },
      { leadId: lead.id, offerId, providerId: offer.providerId, paymentIntentId: answer.paymentIntentId },
    );
    return { charge: answer };
  }
  return settle(
    db,
    task,
    { charge: answer },
    (tx) =>
      chargeFailed(tx, {
        offerId,
        attempt,
        code: answer.code,
        ...(answer.kind === 'card_unusable' &&
          (answer.forget === 'customer' ? { forgetCustomer: customerId } : { forgetCard: paymentMethodId })),
      }),
    deadline,
  );
}

/**
 * The `save_card` follow-up of a completed Checkout that saved the card: the PaymentIntent names
 * the PaymentMethod, which becomes the provider's saved card (auto-pay stays as they set it).
 */
export async function runSaveCard(db: Database, task: StripeTask, deadline?: Deadline): Promise<unknown> {
  if (!task.paymentIntentId || !task.providerId || !task.customerId) {
    throw new ExternalServiceError('stripe', 'save_card task without its payment', false);
  }
  const paymentMethodId = await paymentMethodOf(task.paymentIntentId, deadline);
  if (!paymentMethodId) return { saved: null };
  await db
    .update(providers)
    .set({ savedPaymentMethodId: paymentMethodId, updatedAt: sql`now()` })
    .where(and(eq(providers.id, task.providerId), eq(providers.stripeCustomerId, task.customerId)));
  return { saved: paymentMethodId };
}
