import { eq, sql } from 'drizzle-orm';
import type { Queryable } from '../db/client';
import { providers } from '../db/schema';

/** A card removed at Stripe: no provider keeps it, so their next YES gets the pay link. */
export async function forgetCard(tx: Queryable, paymentMethodId: string): Promise<number> {
  const forgotten = await tx
    .update(providers)
    .set({ savedPaymentMethodId: null, updatedAt: sql`now()` })
    .where(eq(providers.savedPaymentMethodId, paymentMethodId))
    .returning({ id: providers.id });
  return forgotten.length;
}

/**
 * A Customer Stripe does not know (deleted at Stripe, or of another account or mode): no provider
 * keeps it, nor the card saved to it; their next Checkout creates a Customer and saves a card.
 */
export async function forgetCustomer(tx: Queryable, customerId: string): Promise<number> {
  const forgotten = await tx
    .update(providers)
    .set({ stripeCustomerId: null, savedPaymentMethodId: null, updatedAt: sql`now()` })
    .where(eq(providers.stripeCustomerId, customerId))
    .returning({ id: providers.id });
  return forgotten.length;
}
