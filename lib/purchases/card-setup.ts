import { and, eq, sql } from 'drizzle-orm';
import { rows, transaction, type Database } from '../db/client';
import type { Deadline } from '../deadline';
import { providers, stripeTasks, type StripeTask } from '../db/schema';
import { ExternalServiceError } from '../errors';
import { CARD_SETUP, detachPaymentMethod, setupPaymentMethodOf, type CheckoutSession } from '../stripe';
import { insertClaimed } from '../queue/work-queue';
import { isUuid } from '../uuid';
import { runClaimedStripeTasksNow, type NewStripeTask } from './stripe-tasks';

/**
 * A card saved through the portal (lib/portal/card.ts): a Checkout Session in `setup` mode whose
 * `checkout.session.completed` (routed here by its `mode`, lib/purchases/fulfil-payment.ts)
 * queues `save_setup_card`: after commit, its SetupIntent's card becomes the provider's saved
 * card, replacing the old one, which `detach_card` detaches at Stripe.
 */

/** The follow-up of a completed setup-mode session of ours; undefined for one not ours. */
export function cardSetupTask(session: CheckoutSession): NewStripeTask | undefined {
  const providerId = session.metadata?.providerId;
  const setupIntentId =
    typeof session.setup_intent === 'string' ? session.setup_intent : session.setup_intent?.id;
  const customerId = typeof session.customer === 'string' ? session.customer : session.customer?.id;
  if (session.metadata?.purpose !== CARD_SETUP || !isUuid(providerId) || !setupIntentId || !customerId) {
    return undefined;
  }
  return {
    kind: 'save_setup_card',
    dedupeKey: `setup-card:${session.id}`,
    checkoutSessionId: session.id,
    setupIntentId,
    customerId,
    providerId,
  };
}

/** The detach of a card no provider keeps any more: once per card. */
export const detachTask = (paymentMethodId: string, providerId: string | null): NewStripeTask => ({
  kind: 'detach_card',
  dedupeKey: `detach:${paymentMethodId}`,
  paymentMethodId,
  providerId,
});

/**
 * `save_setup_card`: the SetupIntent's card saved as the provider's (while their Customer is the
 * session's), the old card's detach queued in the same transaction and tried at once.
 */
export async function runSaveSetupCard(
  db: Database,
  task: StripeTask,
  deadline?: Deadline,
): Promise<unknown> {
  if (!task.setupIntentId || !task.providerId || !task.customerId) {
    throw new ExternalServiceError('stripe', 'save_setup_card task without its setup', false);
  }
  const paymentMethodId = await setupPaymentMethodOf(task.setupIntentId, deadline);
  if (!paymentMethodId) return { saved: null };
  const { detach } = await transaction(async (tx) => {
    const [old] = await rows<{ saved_payment_method_id: string | null }>(
      tx,
      'lock_card_owner',
      sql`select saved_payment_method_id from providers
        where id = ${task.providerId} and stripe_customer_id = ${task.customerId} for update`,
    );
    if (!old) return { detach: [] };
    await tx
      .update(providers)
      .set({ savedPaymentMethodId: paymentMethodId, updatedAt: sql`now()` })
      .where(and(eq(providers.id, task.providerId!), eq(providers.stripeCustomerId, task.customerId!)));
    const replaced = old.saved_payment_method_id;
    const detach =
      replaced && replaced !== paymentMethodId
        ? await insertClaimed(tx, stripeTasks, [detachTask(replaced, task.providerId)])
        : [];
    return { detach };
  });
  await runClaimedStripeTasksNow(db, detach, deadline);
  return { saved: paymentMethodId, replaced: detach.length > 0 };
}

/** `detach_card`: the card detached at Stripe (one gone already counts as done). */
export async function runDetachCard(task: StripeTask, deadline?: Deadline): Promise<unknown> {
  if (!task.paymentMethodId)
    throw new ExternalServiceError('stripe', 'detach_card task without its card', false);
  return { detach: await detachPaymentMethod(task.paymentMethodId, deadline) };
}
