import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { config } from '../config';
import type { Database } from '../db/client';
import { providers } from '../db/schema';
import { ExternalServiceError, notFound, unavailable } from '../errors';
import { forgetCard, forgetCustomer } from '../purchases/forget-stripe-ids';
import { customerOf } from '../purchases/open-checkout';
import { languageModule } from '../sms/language';
import { createCardSetupSession, detachPaymentMethod, RESOURCE_MISSING } from '../stripe';

/**
 * The portal's saved card: replaced through a Stripe Checkout Session in `setup` mode (its
 * completion saves the card and detaches the old one: lib/purchases/card-setup.ts), or removed
 * (detached at Stripe, then forgotten: auto-pay has no card, a YES sends the pay link).
 */

/** Where Checkout sends the provider back: the portal's Settings. */
const RETURN_PATH = '/portal/settings';

async function providerRow(db: Database, providerId: string) {
  const [provider] = await db.select().from(providers).where(eq(providers.id, providerId));
  if (!provider) throw notFound('No such provider');
  return provider;
}

const stripeDown = (err: unknown): never => {
  if (err instanceof ExternalServiceError) {
    throw unavailable(
      'payments_unavailable',
      'Stripe could not be reached: nothing changed, try again shortly',
    );
  }
  throw err;
};

/**
 * A setup-mode Checkout Session for the provider's Customer (created as the pay path creates it
 * when they have none; one Stripe no longer knows is forgotten and made anew, once): `{ url }`.
 */
export async function startCardSetup(db: Database, providerId: string): Promise<{ url: string }> {
  const provider = await providerRow(db, providerId);
  const back = `${config().publicBaseUrl}${RETURN_PATH}`;
  const open = (customerId: string) =>
    createCardSetupSession({
      providerId,
      customerId,
      currency: config().currency,
      successUrl: `${back}?card=saved`,
      cancelUrl: `${back}?card=cancelled`,
      locale: languageModule(provider.language).checkout.locale,
    });
  try {
    const customerId = await customerOf(db, provider, `card:${randomUUID()}`);
    try {
      return { url: (await open(customerId)).url! };
    } catch (err) {
      const gone =
        err instanceof ExternalServiceError &&
        err.answer.code === RESOURCE_MISSING &&
        err.answer.param === 'customer';
      if (!gone) throw err;
      await forgetCustomer(db, customerId);
      const fresh = await customerOf(
        db,
        { ...provider, stripeCustomerId: null },
        `card:${randomUUID()}`,
        customerId,
      );
      return { url: (await open(fresh)).url! };
    }
  } catch (err) {
    return stripeDown(err);
  }
}

/** Their saved card detached at Stripe, then forgotten; none saved: nothing to do. */
export async function removeCard(db: Database, providerId: string): Promise<{ card: { saved: false } }> {
  const provider = await providerRow(db, providerId);
  const card = provider.savedPaymentMethodId;
  if (card) {
    await detachPaymentMethod(card).catch(stripeDown);
    await forgetCard(db, card);
  }
  return { card: { saved: false } };
}
