/** What paying on Checkout's page does: the PaymentIntent, the card, and the session's events. */
import { getSession, publicSession, type FakeSession } from './checkout-sessions';
import { newSetupIntent } from './setup-intents';
import { emit, makeEvent, type StripeEvent } from './events';
import { newId, now } from './ids';
import { publicCharge, type FakePaymentIntent } from './payment-intents';
import { newCard, type CardBehaviour } from './payment-methods';
import type { StripeState } from './state';

/**
 * Marks an open session complete (creates a payment_intent, and a PaymentMethod for the card,
 * attached to the session's customer when it has `setup_future_usage`) and returns
 * `checkout.session.completed`.
 */
export function complete(
  state: StripeState,
  id: string,
  o: { paymentStatus?: 'paid' | 'unpaid'; card?: CardBehaviour } = {},
): StripeEvent {
  const s = getSession(state, id);
  if (s.status !== 'open') throw new Error(`fake-stripe: session ${id} is ${s.status}, not open`);
  if (s.mode === 'setup') return completeSetup(state, s, o.card ?? 'succeeds');
  const paid = (o.paymentStatus ?? 'paid') === 'paid';
  const intent = s.intentData ?? { metadata: {}, setupFutureUsage: null };
  const customer = typeof s.customer === 'string' ? s.customer : null;
  // The card typed on the page; saved to the customer when the session asked for it.
  const card = newCard(state, o.card ?? 'succeeds', intent.setupFutureUsage && customer ? customer : null);
  const pi: FakePaymentIntent = {
    id: newId('pi_'),
    charge: newId('ch_'),
    session: id,
    amount: s.amount_total!,
    amount_refunded: 0,
    currency: s.currency!,
    status: paid ? 'succeeded' : 'processing',
    customer,
    payment_method: card.id,
    metadata: { ...intent.metadata },
    created: now(),
    last_payment_error: null,
    setup_future_usage: intent.setupFutureUsage,
  };
  state.paymentIntents.set(pi.id, pi);
  if (paid) emit(state, 'charge.succeeded', publicCharge(state, pi));
  s.status = 'complete';
  s.payment_status = paid ? 'paid' : 'unpaid';
  s.payment_intent = pi.id;
  s.url = null;
  s.customer_details = customerDetails(s);
  return makeEvent(state, 'checkout.session.completed', publicSession(s));
}

/**
 * A setup-mode session completed: the card typed on the page saved to the session's customer,
 * a succeeded SetupIntent naming it (`setup_intent` on the session), nothing paid
 * (`payment_status` stays `no_payment_required`): `checkout.session.completed`
 * (docs.stripe.com/payments/save-and-reuse?platform=checkout).
 */
function completeSetup(state: StripeState, s: FakeSession, behaviour: CardBehaviour): StripeEvent {
  const customer = typeof s.customer === 'string' ? s.customer : null;
  const card = newCard(state, behaviour, customer);
  const si = newSetupIntent(state, { customer, paymentMethod: card.id, metadata: s.setupMetadata ?? {} });
  s.status = 'complete';
  s.setup_intent = si.id;
  s.url = null;
  s.customer_details = customerDetails(s);
  return makeEvent(state, 'checkout.session.completed', publicSession(s));
}

/** What the buyer typed on the page, as the completed session shows it. */
function customerDetails(s: FakeSession) {
  return {
    address: { city: null, country: 'US', line1: null, line2: null, postal_code: '10001', state: null },
    business_name: null,
    email: s.customer_email ?? 'buyer@example.com',
    individual_name: null,
    name: 'Test Buyer',
    phone: null,
    tax_exempt: 'none',
    tax_ids: [],
  };
}

/** For a session completed `unpaid`: its payment succeeds (`true`) or fails, and the event of it. */
export function settleAsyncPayment(state: StripeState, id: string, succeeded: boolean): StripeEvent {
  const s = getSession(state, id);
  if (s.status !== 'complete' || s.payment_status !== 'unpaid' || !s.payment_intent) {
    throw new Error(`fake-stripe: session ${id} is not awaiting an async payment`);
  }
  const pi = state.paymentIntents.get(s.payment_intent)!;
  if (!succeeded) {
    pi.status = 'requires_payment_method';
    return makeEvent(state, 'checkout.session.async_payment_failed', publicSession(s));
  }
  pi.status = 'succeeded';
  emit(state, 'charge.succeeded', publicCharge(state, pi));
  s.payment_status = 'paid';
  return makeEvent(state, 'checkout.session.async_payment_succeeded', publicSession(s));
}
