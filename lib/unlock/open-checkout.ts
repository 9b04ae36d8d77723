import { businessEvent } from '../metrics';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { config } from '../config';
import type { Database } from '../db/client';
import { offers, providers, type Lead, type Offer, type Provider } from '../db/schema';
import { createCheckoutSession, createCustomer } from '../stripe';
import { leadStatus } from './lead-status';
import { offerByToken } from './offer-queries';
import { budgetRefusedMessage, purchaseRefusal, reservePurchase, type BudgetRefusal } from './budget';
import { queueSms, sendNow } from './outbox';
import type { Language } from '../sms/language';

/** What a pay link answers; pages in the provider's `language`. */
export type PayLinkOutcome =
  | { kind: 'redirect'; url: string }
  | { kind: 'owned'; language: Language }
  | { kind: 'unavailable'; language: Language }
  | { kind: 'refused'; reason: BudgetRefusal; language: Language }
  | { kind: 'not_found' };

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

async function tellBudgetRefused(db: Database, offer: Offer, lead: Lead, reason: BudgetRefusal) {
  const [provider] = await db
    .select({ phone: providers.phone, language: providers.language })
    .from(providers)
    .where(eq(providers.id, offer.providerId));
  if (!provider) return;
  await sendNow(db, await queueSms(db, [budgetRefusedMessage(offer, lead, provider, reason)]));
}

/**
 * `GET /p/<token>`: the provider's Checkout Session for this offer, created at Stripe or the
 * open one reused. Stripe failures throw ExternalServiceError; nothing is stored then.
 */
export async function openCheckout(db: Database, token: string): Promise<PayLinkOutcome> {
  const row = await offerByToken(db, token);
  if (!row) return { kind: 'not_found' };
  const { offer, lead, provider } = row;
  const { language } = provider;
  if (offer.status === 'unlocked') return { kind: 'owned', language };
  if (leadStatus(lead) !== 'open') return { kind: 'unavailable', language };
  // The funnel's "link opened" step, written once: later opens cost no write.
  if (!offer.linkOpenedAt) {
    await db
      .update(offers)
      .set({ linkOpenedAt: sql`coalesce(${offers.linkOpenedAt}, now())` })
      .where(eq(offers.id, offer.id));
  }
  const now = Date.now();
  const reuse =
    offer.checkoutUrl && offer.checkoutExpiresAt && offer.checkoutExpiresAt.getTime() - now > REUSE_MARGIN_MS;
  // Within the provider's budgets, checked again now, for a stored session as for a new one (which
  // is reserved as under way meanwhile): refused, no Checkout and an SMS saying why.
  const purchase = { providerId: offer.providerId, priceCents: lead.priceCents, offerId: offer.id };
  const refusal = reuse ? await purchaseRefusal(db, purchase) : await reservePurchase(db, purchase);
  if (refusal) {
    businessEvent(
      'purchase refused',
      { PurchasesRefused: 1 },
      { leadId: lead.id, offerId: offer.id, providerId: offer.providerId, reason: refusal },
    );
    await tellBudgetRefused(db, offer, lead, refusal);
    return { kind: 'refused', reason: refusal, language };
  }
  if (reuse) return { kind: 'redirect', url: offer.checkoutUrl! };

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
    language: provider.language,
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
      // The stored session now counts as the purchase under way (lib/unlock/budget.ts).
      checkoutReservedUntil: null,
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
