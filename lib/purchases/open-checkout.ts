import { businessEvent } from '../metrics';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { config } from '../config';
import type { Database } from '../db/client';
import { offers, providers, type Lead, type Offer, type Provider } from '../db/schema';
import { ExternalServiceError } from '../errors';
import { log } from '../log';
import {
  checkoutSessionState,
  createCheckoutSession,
  createCustomer,
  RESOURCE_MISSING,
  type CheckoutSession,
} from '../stripe';
import { forgetCustomer } from './forget-stripe-ids';
import { leadStatus } from '../leads/lead-status';
import { offerByToken } from './offer-queries';
import { budgetRefusedMessage, purchaseRefusal, reservePurchase, type BudgetRefusal } from './budget';
import { queueSms, sendNow } from '../messaging/outbox';
import { languageModule, type Language } from '../sms/language';

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

/** A stored session that may be handed out again: not within minutes of its end. */
const reusable = (offer: Offer, now = Date.now()): offer is Offer & { checkoutUrl: string } =>
  Boolean(
    offer.checkoutUrl && offer.checkoutExpiresAt && offer.checkoutExpiresAt.getTime() - now > REUSE_MARGIN_MS,
  );

/**
 * An attempt started and not finished: its number and `expires_at` were written before Stripe was
 * asked (`startAttempt`), and no session is stored for it yet. Its create is retried with the same
 * key and the same parameters while that `expires_at` is still one Stripe takes for a new session.
 */
const pendingAttempt = (offer: Offer, now = Date.now()): offer is Offer & { checkoutExpiresAt: Date } =>
  offer.checkoutAttempt > 0 &&
  offer.checkoutSessionId === null &&
  offer.checkoutExpiresAt !== null &&
  offer.checkoutExpiresAt.getTime() - now > MIN_SESSION_MS;

/**
 * `GET /p/<token>`: the provider's Checkout Session for this offer, created at Stripe or the
 * open one reused. Stripe failures throw ExternalServiceError; nothing is stored then.
 */
export async function openCheckout(db: Database, token: string): Promise<PayLinkOutcome> {
  const row = await offerByToken(db, token);
  if (!row) return { kind: 'not_found' };
  const { lead, provider } = row;
  let { offer } = row;
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
  let reuse = reusable(offer);
  if (reuse) {
    // Asked of Stripe before it is handed out again (one read): a session Stripe closed before
    // its expiry event reached us, or one it does not know (the secret key now names another
    // account or mode, test data deleted, the sandbox's stand-in restarted), gets a new attempt
    // instead of a dead page the provider cannot leave.
    const state = await checkoutSessionState(offer.checkoutSessionId!);
    if (state === 'expired' || state === 'unknown') {
      offer = (await forgetSession(db, offer)) ?? offer;
      reuse = reusable(offer);
    }
  }
  // Within the provider's budgets, checked again now, for a stored session as for a new one (which
  // is reserved as under way meanwhile): refused, no Checkout and an SMS saying why.
  // The offer's own price: what its teaser (or pay link SMS) showed, whatever the lead's is now.
  const purchase = { providerId: offer.providerId, priceCents: offer.priceCents, offerId: offer.id };
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
  return { kind: 'redirect', url: await newSession(db, offer, lead, provider, token) };
}

/** Stripe has no usable session under the stored id: the offer keeps none (the next open starts an attempt). */
async function forgetSession(db: Database, offer: Offer): Promise<Offer | undefined> {
  const [row] = await db
    .update(offers)
    .set({ checkoutUrl: null, checkoutExpiresAt: null })
    .where(and(eq(offers.id, offer.id), eq(offers.checkoutSessionId, offer.checkoutSessionId!)))
    .returning();
  return row;
}

/**
 * The attempt a new session is created under: the pending one, else a new one, numbered and given
 * its `expires_at` before Stripe is asked, so that every request under one idempotency key
 * carries the same parameters (Stripe answers `idempotency_error` to a key reused with others,
 * for 24 hours). Concurrent opens of the link share one attempt: whichever starts it first, the
 * others read it (or the session it already stored).
 */
async function startAttempt(
  db: Database,
  offer: Offer,
  lead: Lead,
): Promise<{ attempt: number; expiresAt: Date } | { url: string }> {
  let current = offer;
  for (;;) {
    if (pendingAttempt(current))
      return { attempt: current.checkoutAttempt, expiresAt: current.checkoutExpiresAt };
    const expiresAt = sessionExpiry(lead.expiresAt);
    const [started] = await db
      .update(offers)
      .set({
        checkoutAttempt: current.checkoutAttempt + 1,
        checkoutExpiresAt: expiresAt,
        checkoutSessionId: null,
        checkoutUrl: null,
      })
      .where(and(eq(offers.id, current.id), eq(offers.checkoutAttempt, current.checkoutAttempt)))
      .returning();
    if (started) return { attempt: started.checkoutAttempt, expiresAt };
    const [now] = await db.select().from(offers).where(eq(offers.id, current.id));
    if (!now) throw new Error(`offer ${current.id} vanished`);
    if (reusable(now)) return { url: now.checkoutUrl };
    current = now;
  }
}

/**
 * Ends a pending attempt whose key Stripe has spent (a 500 it keeps for that key, or the key met
 * with other parameters): the next open starts a new attempt with a new key.
 */
async function endAttempt(db: Database, offerId: string, attempt: number): Promise<void> {
  await db
    .update(offers)
    .set({ checkoutExpiresAt: null })
    .where(
      and(eq(offers.id, offerId), eq(offers.checkoutAttempt, attempt), isNull(offers.checkoutSessionId)),
    );
}

/**
 * A new Checkout Session for the offer, stored and its URL returned. An answer that spent the
 * attempt's key ends the attempt; when Stripe refused the parameters themselves (the key met
 * other ones: the provider's language or saved card changed since the attempt started; or a
 * Customer Stripe does not know, forgotten here) one more attempt is made at once.
 */
async function newSession(
  db: Database,
  offer: Offer,
  lead: Lead,
  provider: Provider,
  token: string,
  retry?: { replacesCustomer: string | undefined },
): Promise<string> {
  const started = await startAttempt(db, offer, lead);
  if ('url' in started) return started.url;
  const { attempt, expiresAt } = started;
  const base = `${config().publicBaseUrl}/p/${token}`;
  // Their first Checkout (or the first since their card was removed, or one paying for what
  // their saved card failed to pay) saves the card they use.
  const saveCard = !provider.savedPaymentMethodId || offer.chargeStatus === 'failed';
  const { checkout } = languageModule(provider.language);
  let customerId: string | undefined;
  let session: CheckoutSession;
  try {
    customerId = await customerOf(db, provider, `${offer.id}:${attempt}`, retry?.replacesCustomer);
    session = await createCheckoutSession({
      offerId: offer.id,
      leadId: lead.id,
      providerId: offer.providerId,
      attempt,
      priceCents: offer.priceCents,
      currency: lead.currency,
      productName: `Lead ${lead.code}: ${lead.category}, ${lead.zipCode}`,
      expiresAt,
      successUrl: `${base}?paid=1`,
      cancelUrl: `${base}?cancelled=1`,
      customerId,
      // The page and its notice in the provider's language.
      locale: checkout.locale,
      ...(saveCard && { saveCard: { notice: checkout.saveCardNotice } }),
    });
  } catch (err) {
    if (!(err instanceof ExternalServiceError)) throw err;
    const unknownCustomer =
      customerId !== undefined && err.answer.code === RESOURCE_MISSING && err.answer.param === 'customer';
    if (err.answer.keySpent || unknownCustomer) await endAttempt(db, offer.id, attempt);
    if (unknownCustomer && customerId) {
      await forgetCustomer(db, customerId);
      log.warn('Stripe does not know the stored customer: forgotten', {
        providerId: provider.id,
        customerId,
      });
    }
    const refused = unknownCustomer || (err.answer.keySpent && !err.retryable);
    if (!refused || retry) throw err;
    const [fresh] = await db
      .select({ offer: offers, provider: providers })
      .from(offers)
      .innerJoin(providers, eq(providers.id, offers.providerId))
      .where(eq(offers.id, offer.id));
    if (!fresh) throw err;
    return newSession(db, fresh.offer, lead, fresh.provider, token, {
      replacesCustomer: unknownCustomer ? customerId : undefined,
    });
  }
  if (!session.url) throw new Error(`Stripe returned session ${session.id} without a url`);

  // Concurrent opens of the link share the attempt, hence the idempotency key and the session:
  // whichever stores it first, both redirect to the same place.
  await db
    .update(offers)
    .set({
      checkoutSessionId: session.id,
      checkoutUrl: session.url,
      checkoutExpiresAt: new Date(session.expires_at * 1000),
      checkoutCreatedAt: sql`coalesce(${offers.checkoutCreatedAt}, now())`,
      // The stored session now counts as the purchase under way (lib/purchases/budget.ts).
      checkoutReservedUntil: null,
    })
    .where(and(eq(offers.id, offer.id), eq(offers.checkoutAttempt, attempt)));
  businessEvent(
    'checkout opened',
    { CheckoutsOpened: 1 },
    { leadId: lead.id, offerId: offer.id, providerId: offer.providerId, sessionId: session.id },
  );
  return session.url;
}

/**
 * The provider's Stripe Customer, created the first time it is needed (or after Stripe forgot
 * the one `replaces` names). Two first opens at once both ask Stripe with the same idempotency
 * key (naming the provider), so both get one customer.
 */
export async function customerOf(
  db: Database,
  provider: Provider,
  attempt: string,
  replaces?: string,
): Promise<string> {
  if (provider.stripeCustomerId) return provider.stripeCustomerId;
  let id: string;
  try {
    id = await createCustomer(provider.id, { replaces });
  } catch (err) {
    // A 500 Stripe kept for the provider's key would answer every open for 24 hours: this
    // attempt's own key instead (two attempts at once could then make two; one is kept).
    if (!(err instanceof ExternalServiceError && err.answer.keySpent)) throw err;
    id = await createCustomer(provider.id, { replaces, within: attempt });
  }
  await db
    .update(providers)
    .set({ stripeCustomerId: id })
    .where(and(eq(providers.id, provider.id), isNull(providers.stripeCustomerId)));
  return id;
}
