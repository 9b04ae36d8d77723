/** PaymentMethods: the cards typed on the checkout page, saved to a customer or not, and detached. */
import { invalid, noSuch } from './errors';
import { emit, type StripeEvent } from './events';
import { newId, now } from './ids';
import { checkKnown } from './params';
import { ok, type Route } from './route';
import type { StripeState } from './state';

/** How a saved card behaves when charged off-session (Stripe's test cards 4242…, 0341, 3184). */
export type CardBehaviour = 'succeeds' | 'declined' | 'authentication_required';

export const TEST_CARDS: Record<CardBehaviour, { last4: string; brand: string }> = {
  succeeds: { last4: '4242', brand: 'visa' },
  // 4000 0000 0000 0341: attaches to a customer, every charge is declined.
  declined: { last4: '0341', brand: 'visa' },
  // 4000 0027 6000 3184: always asks for 3D Secure, so an off-session charge fails.
  authentication_required: { last4: '3184', brand: 'visa' },
};

export type FakePaymentMethod = {
  id: string;
  object: 'payment_method';
  type: 'card';
  card: {
    brand: string;
    last4: string;
    exp_month: number;
    exp_year: number;
    country: string;
    funding: string;
  };
  billing_details: Record<string, unknown>;
  customer: string | null;
  created: number;
  livemode: false;
  metadata: Record<string, string>;
  /** Not part of the API object: how charges to it go. */
  behaviour: CardBehaviour;
};

export function publicPaymentMethod(pm: FakePaymentMethod): Record<string, unknown> {
  const { behaviour: _b, ...rest } = pm;
  return structuredClone(rest);
}

/** A card entered on the checkout page: a new PaymentMethod, attached to `customer` if saved. */
export function newCard(
  state: StripeState,
  behaviour: CardBehaviour,
  customer: string | null,
): FakePaymentMethod {
  const card = TEST_CARDS[behaviour];
  const pm: FakePaymentMethod = {
    id: newId('pm_'),
    object: 'payment_method',
    type: 'card',
    card: {
      ...card,
      exp_month: 12,
      exp_year: new Date().getFullYear() + 3,
      country: 'US',
      funding: 'credit',
    },
    billing_details: { address: null, email: null, name: 'Test Buyer', phone: null },
    customer,
    created: now(),
    livemode: false,
    metadata: {},
    behaviour,
  };
  state.paymentMethods.set(pm.id, pm);
  return pm;
}

/** The PaymentMethod `id` names; `param` is where the request named it (the path's `id`: a 404). */
export function paymentMethod(state: StripeState, id: string, param: string): FakePaymentMethod {
  const pm = state.paymentMethods.get(id);
  if (!pm) throw noSuch('PaymentMethod', id, param, param === 'id' ? 404 : 400);
  return pm;
}

/** Removes a card from its customer: `payment_method.detached`, with the customer it had. */
export function detach(state: StripeState, pm: FakePaymentMethod): StripeEvent {
  const previous = pm.customer;
  pm.customer = null;
  return emit(state, 'payment_method.detached', publicPaymentMethod(pm), { customer: previous });
}

export const paymentMethodRoutes: Route[] = [
  {
    method: 'GET',
    path: /^\/v1\/payment_methods\/([^/]+)$/,
    handle: ({ state, params, id }) => {
      checkKnown(params, ['expand'], '');
      return ok(publicPaymentMethod(paymentMethod(state, id, 'id')));
    },
  },
  {
    method: 'POST',
    path: /^\/v1\/payment_methods\/([^/]+)\/detach$/,
    handle: ({ state, params, id }) => {
      checkKnown(params, ['expand'], '');
      const pm = paymentMethod(state, id, 'id');
      // Stripe refuses to detach a card no customer holds, in these words (a live answer quoted in
      // stripe-ruby-mock/stripe-ruby-mock#751): an invalid request, no code.
      if (pm.customer === null) {
        throw invalid(
          'The payment method you provided is not attached to a customer so detachment is impossible.',
          'payment_method',
        );
      }
      detach(state, pm);
      return ok(publicPaymentMethod(pm));
    },
  },
];
