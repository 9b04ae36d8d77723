import { eq, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import type { Deadline } from '../deadline';
import { unlocks, type StripeTask } from '../db/schema';
import { ExternalServiceError } from '../errors';
import { receiptUrlOf } from '../stripe';
import type { NewStripeTask } from './stripe-tasks';

/**
 * Stripe's receipt link of each purchase, for the portal's Spending (lib/portal/spending.ts): no
 * event of a Checkout's or an off-session payment carries it, so a paid purchase queues this
 * follow-up with its unlock (lib/purchases/fulfil-payment.ts), run after commit like the others.
 * A `charge.refunded` event carries its Charge, and fills a link still missing.
 */
export const receiptTask = (p: {
  checkoutSessionId: string;
  paymentIntentId: string;
  leadId: string;
  providerId: string;
}): NewStripeTask => ({ kind: 'receipt', dedupeKey: `receipt:${p.checkoutSessionId}`, ...p });

/** The `receipt` follow-up: the payment's receipt link, stored on its unlock. */
export async function runReceipt(db: Database, task: StripeTask, deadline?: Deadline): Promise<unknown> {
  if (!task.paymentIntentId || !task.checkoutSessionId) {
    throw new ExternalServiceError('stripe', 'receipt task without its payment', false);
  }
  const receiptUrl = await receiptUrlOf(task.paymentIntentId, deadline);
  if (receiptUrl) {
    await db.update(unlocks).set({ receiptUrl }).where(eq(unlocks.checkoutSessionId, task.checkoutSessionId));
  }
  return { receipt: receiptUrl !== null };
}

/** SQL: a receipt link from a Charge Stripe sent, where the unlock has none yet. */
export const receiptFromCharge = (receiptUrl: unknown) =>
  typeof receiptUrl === 'string' && /^https:\/\//.test(receiptUrl)
    ? sql`coalesce(${unlocks.receiptUrl}, ${receiptUrl})`
    : sql`${unlocks.receiptUrl}`;
