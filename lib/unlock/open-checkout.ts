import { businessEvent } from '../metrics';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { config } from '../config';
import type { Database } from '../db/client';
import { offers, providers, type Provider } from '../db/schema';
import { createCheckoutSession, createCustomer } from '../stripe';
import { leadStatus } from './lead-status';
import { offerByToken } from './offer-queries';

export type PayLinkOutcome =
  { kind: 'redirect'; url: string } | { kind: 'owned' } | { kind: 'unavailable' } | { kind: 'not_found' };

const MINUTE = 60_000;
/** Stripe takes `expires_at` between 30 minutes and 24 hours ahead; we keep inside both ends. */
const MIN_SESSION_MS = 31 * MINUTE;
const MAX_SESSION_MS = 23 * 60 * MINUTE;
/** A stored session this close to its end is not handed out again. */
const REUSE_MARGIN_MS = 2 * MINUTE;

/** The session's end: 23 h ahead, or the lead's expiry if sooner, but never under 31 minutes. */
export function sessionExpiry(leadExpiresAt: Date, now: Date = new Date()): Date {
  const latest = now.getTime() + MAX_SESSION_MS;
  const earliest = now.getTime() + MIN_SESSION_MS;
  return new Date(Math.max(earliest, Math.min(latest, leadExpiresAt.getTime())));
}

/**
 * `GET /p/<token>`: the provider's Checkout Session for this offer, created at Stripe or the
 * open one reused. Stripe failures throw ExternalServiceError; nothing is stored then.
 */
export async function openCheckout(db: Database, token: string): Promise<PayLinkOutcome> {
  const row = await offerByToken(db, token);
  if (!row) return { kind: 'not_found' };
  const { offer, lead, provider } = row;
  if (offer.status === 'unlocked') return { kind: 'owned' };
  if (leadStatus(lead) !== 'open') return { kind: 'unavailable' };
  // The funnel's "link opened" step, written once: later opens cost no write.
  if (!offer.linkOpenedAt) {
    await db
      .update(offers)
      .set({ linkOpenedAt: sql`coalesce(${offers.linkOpenedAt}, now())` })
      .where(eq(offers.id, offer.id));
  }

  const now = Date.now();
  if (
    offer.checkoutUrl &&
    offer.checkoutExpiresAt &&
    offer.checkoutExpiresAt.getTime() - now > REUSE_MARGIN_MS
  ) {
    return { kind: 'redirect', url: offer.checkoutUrl };
  }

  const customerId = await customerOf(db, provider);
  const attempt = offer.checkoutAttempt + 1;
  const base = `${config().publicBaseUrl}/p/${token}`;
  const session = await createCheckoutSession({
    offerId: offer.id,
    leadId: lead.id,
    providerId: offer.providerId,
    attempt,
    amountCents: lead.priceCents,
    currency: lead.currency,
    productName: `Lead ${lead.code}: ${lead.category}, ${lead.zipCode}`,
    expiresAt: sessionExpiry(lead.expiresAt),
    successUrl: `${base}?paid=1`,
    cancelUrl: `${base}?cancelled=1`,
    customerId,
    // Their first Checkout (or the first since their card was removed, or one paying for what
    // their saved card failed to pay) saves the card they use.
    saveCard: !provider.savedPaymentMethodId || offer.chargeStatus === 'failed',
  });
  if (!session.url) throw new Error(`Stripe returned session ${session.id} without a url`);

  // Concurrent opens of the link share the attempt number, hence the idempotency key and the
  // session: whichever stores it first, both redirect to the same place.
  await db
    .update(offers)
    .set({
      checkoutAttempt: attempt,
      checkoutSessionId: session.id,
      checkoutUrl: session.url,
      checkoutExpiresAt: new Date(session.expires_at * 1000),
      checkoutCreatedAt: sql`coalesce(${offers.checkoutCreatedAt}, now())`,
    })
    .where(and(eq(offers.id, offer.id), eq(offers.checkoutAttempt, offer.checkoutAttempt)));
  businessEvent(
    'checkout opened',
    { CheckoutsOpened: 1 },
    { leadId: lead.id, offerId: offer.id, providerId: offer.providerId, sessionId: session.id },
  );
  return { kind: 'redirect', url: session.url };
}

/**
 * The provider's Stripe Customer, created the first time it is needed. Two first opens at once
 * both ask Stripe with the same idempotency key (naming the provider), so both get one customer.
 */
async function customerOf(db: Database, provider: Provider): Promise<string> {
  if (provider.stripeCustomerId) return provider.stripeCustomerId;
  const id = await createCustomer(provider.id);
  await db
    .update(providers)
    .set({ stripeCustomerId: id })
    .where(and(eq(providers.id, provider.id), isNull(providers.stripeCustomerId)));
  return id;
}
