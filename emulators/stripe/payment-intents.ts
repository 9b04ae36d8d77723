/**
 * PaymentIntents (saved cards charged off-session), with Stripe's validation and answers:
 * `off_session` only with `confirm=true`, the customer must own the payment method, 402
 * `card_error` answers (`card_declined`, `authentication_required`) carrying the PaymentIntent,
 * and the `payment_intent.*` events. Checkout Sessions make theirs when completed.
 */
import { invalid, missing, noSuch, type StripeErrorBody } from './errors';
import { emit } from './events';
import { minAmount } from './amounts';
import { newId, now } from './ids';
import { bool, checkKnown, int, isObj, rejectEmptyStrings, str, validMetadata } from './params';
import { paymentMethod, publicPaymentMethod, type FakePaymentMethod } from './payment-methods';
import type { FakeCustomer } from './customers';
import { ok, type Answer, type Route } from './route';
import type { StripeState } from './state';

export type FakePaymentIntent = {
  id: string;
  charge: string;
  /** The Checkout Session that created it; null for one created with `POST /v1/payment_intents`. */
  session: string | null;
  amount: number;
  amount_refunded: number;
  currency: string;
  status:
    'succeeded' | 'processing' | 'requires_payment_method' | 'requires_confirmation' | 'requires_action';
  customer: string | null;
  payment_method: string | null;
  metadata: Record<string, string>;
  created: number;
  last_payment_error: Record<string, unknown> | null;
  setup_future_usage: string | null;
};

const PAYMENT_INTENT_PARAMS = [
  'amount',
  'automatic_payment_methods',
  'capture_method',
  'confirm',
  'confirmation_method',
  'currency',
  'customer',
  'description',
  'error_on_requires_action',
  'expand',
  'mandate',
  'metadata',
  'off_session',
  'payment_method',
  'payment_method_options',
  'payment_method_types',
  'receipt_email',
  'return_url',
  'setup_future_usage',
  'statement_descriptor',
  'statement_descriptor_suffix',
  'use_stripe_sdk',
] as const;

/**
 * Stripe's refusal to confirm a PaymentIntent that may need a redirect without a place to come
 * back to. Its text as Stripe answers it (reported by public projects that met it against a live
 * test account for saved cards charged off-session, e.g. aschmelyun/laravel-vue-stripe-cashier#4,
 * opencollective/opencollective-frontend#12346).
 */
export const RETURN_URL_REQUIRED =
  'A `return_url` must be specified because this Payment Intent is configured to automatically accept the payment methods enabled in the Dashboard, some of which may require a full page redirect to succeed. If you do not want to accept redirect-based payment methods, set `automatic_payment_methods[enabled]` to `true` and `automatic_payment_methods[allow_redirects]` to `never` when creating Setup Intents and Payment Intents.';

/** API version 2023-08-16 turned automatic payment methods on by default (Stripe's changelog). */
const AUTOMATIC_BY_DEFAULT_SINCE = '2023-08-16';

/**
 * Whether the PaymentIntent accepts redirect-based payment methods: with `payment_method_types`
 * it takes only those (cards need no redirect here); otherwise `automatic_payment_methods` is on
 * (by default since 2023-08-16) with `allow_redirects` `always` unless it says `never`
 * (docs.stripe.com/api/payment_intents/create#create_payment_intent-automatic_payment_methods).
 */
function redirectsAllowed(params: Record<string, unknown>, apiVersion: string): boolean {
  const apm = params.automatic_payment_methods;
  if (apm !== undefined) {
    if (!isObj(apm)) throw invalid('Invalid object', 'automatic_payment_methods');
    checkKnown(apm, ['allow_redirects', 'enabled'], 'automatic_payment_methods');
    if (apm.enabled === undefined) throw missing('automatic_payment_methods[enabled]');
    const enabled = bool(apm.enabled, 'automatic_payment_methods[enabled]');
    if (apm.allow_redirects !== undefined && !['always', 'never'].includes(String(apm.allow_redirects))) {
      throw invalid(
        'Invalid automatic_payment_methods[allow_redirects]: must be one of always or never',
        'automatic_payment_methods[allow_redirects]',
      );
    }
    if (enabled && params.payment_method_types !== undefined) {
      throw invalid(
        'You may only specify one of these parameters: automatic_payment_methods, payment_method_types.',
        'automatic_payment_methods',
      );
    }
    if (enabled) return apm.allow_redirects !== 'never';
  }
  if (params.payment_method_types !== undefined) return false;
  return apiVersion.slice(0, 10) >= AUTOMATIC_BY_DEFAULT_SINCE;
}

/** The PaymentIntent as the API returns it. */
export function publicPaymentIntent(pi: FakePaymentIntent): Record<string, unknown> {
  return {
    id: pi.id,
    object: 'payment_intent',
    amount: pi.amount,
    amount_capturable: 0,
    amount_received: pi.status === 'succeeded' ? pi.amount : 0,
    capture_method: 'automatic_async',
    client_secret: `${pi.id}_secret_x`,
    confirmation_method: 'automatic',
    created: pi.created,
    currency: pi.currency,
    customer: pi.customer,
    description: null,
    last_payment_error: pi.last_payment_error,
    latest_charge: pi.status === 'succeeded' || pi.last_payment_error ? pi.charge : null,
    livemode: false,
    metadata: { ...pi.metadata },
    next_action: null,
    payment_method: pi.payment_method,
    payment_method_types: ['card'],
    setup_future_usage: pi.setup_future_usage,
    status: pi.status,
  };
}

/**
 * The PaymentIntent's Charge as the API returns it (the fields we read, and what identifies it).
 * `receipt_url`: "the URL to view the receipt for this charge. The receipt is kept up-to-date to
 * the latest state of the charge, including any refunds"
 * (docs.stripe.com/api/charges/object#charge_object-receipt_url); Stripe's live ones are under
 * pay.stripe.com/receipts/, the stand-in's under its own address (tests reach only loopback).
 */
export function publicCharge(state: StripeState, pi: FakePaymentIntent): Record<string, unknown> {
  return {
    id: pi.charge,
    object: 'charge',
    amount: pi.amount,
    amount_captured: pi.status === 'succeeded' ? pi.amount : 0,
    amount_refunded: pi.amount_refunded,
    created: pi.created,
    currency: pi.currency,
    customer: pi.customer,
    livemode: false,
    metadata: { ...pi.metadata },
    paid: pi.status === 'succeeded',
    payment_intent: pi.id,
    payment_method: pi.payment_method,
    receipt_url: pi.status === 'succeeded' ? `${state.url}/receipts/payment/${pi.charge}` : null,
    refunded: pi.amount_refunded >= pi.amount,
    status: pi.status === 'succeeded' ? 'succeeded' : 'failed',
  };
}

/**
 * `expand[]=latest_charge`: the Charge in place of its id ("Expandable", docs.stripe.com/api/
 * payment_intents/object#payment_intent_object-latest_charge; docs.stripe.com/api/expanding_objects).
 * Any other path is refused with Stripe's text for a field it cannot expand, "This property cannot
 * be expanded (data)." (a live answer quoted in gitpod-io/gitpod#13035).
 */
function expanded(state: StripeState, pi: FakePaymentIntent, expand: unknown): Record<string, unknown> {
  const object = publicPaymentIntent(pi);
  if (expand === undefined) return object;
  if (!Array.isArray(expand)) throw invalid('Invalid array', 'expand');
  for (const path of expand) {
    if (path !== 'latest_charge') {
      throw invalid(`This property cannot be expanded (${String(path)}).`, 'expand');
    }
    if (object.latest_charge) object.latest_charge = publicCharge(state, pi);
  }
  return object;
}

/** A failed charge: the PaymentIntent keeps `requires_payment_method`, the answer is 402. */
function declined(state: StripeState, pi: FakePaymentIntent, pm: FakePaymentMethod, code: string): Answer {
  const error: StripeErrorBody & Record<string, unknown> = {
    type: 'card_error',
    code,
    decline_code: code === 'card_declined' ? 'generic_decline' : 'authentication_required',
    message:
      code === 'card_declined'
        ? 'Your card was declined.'
        : 'Your card was declined. This transaction requires authentication.',
    doc_url: `https://docs.stripe.com/error-codes/${code.replace(/_/g, '-')}`,
    charge: pi.charge,
  };
  pi.status = 'requires_payment_method';
  pi.last_payment_error = { ...error, payment_method: publicPaymentMethod(pm) };
  const object = publicPaymentIntent(pi);
  emit(state, 'payment_intent.payment_failed', object);
  return {
    status: 402,
    body: { error: { ...error, payment_intent: object, payment_method: publicPaymentMethod(pm) } },
  };
}

/** `amount` and `currency`, at least Stripe's minimum charge. */
function amountOf(params: Record<string, unknown>): { amount: number; currency: string } {
  if (params.amount === undefined) throw missing('amount');
  if (params.currency === undefined) throw missing('currency');
  const amount = int(params.amount, 'amount');
  const currency = str(params.currency, 'currency').toLowerCase();
  if (!/^[a-z]{3}$/.test(currency)) throw invalid(`Invalid currency: ${currency}.`, 'currency');
  const min = minAmount(currency);
  if (amount < min) {
    throw invalid(
      `Amount must be at least ${min} in the smallest unit of ${currency}`,
      'amount',
      'amount_too_small',
    );
  }
  return { amount, currency };
}

/** `confirm`, `off_session` and `return_url`, as Stripe lets them go together. */
function confirmation(
  params: Record<string, unknown>,
  apiVersion: string,
): { confirm: boolean; offSession: boolean } {
  const confirm = params.confirm === undefined ? false : bool(params.confirm, 'confirm');
  let offSession = false;
  if (params.off_session !== undefined) {
    // `true`, or for recurring/one-off saved cards the strings Stripe also takes.
    offSession = ['one_off', 'recurring'].includes(String(params.off_session))
      ? true
      : bool(params.off_session, 'off_session');
    if (!confirm) {
      throw invalid('You can only pass in `off_session` when `confirm` is set to `true`.', 'off_session');
    }
  }
  const redirects = redirectsAllowed(params, apiVersion);
  if (confirm && redirects && params.return_url === undefined) {
    throw invalid(RETURN_URL_REQUIRED);
  }
  if (params.return_url !== undefined) {
    if (!confirm) {
      throw invalid('You can only pass in `return_url` when `confirm` is set to `true`.', 'return_url');
    }
    str(params.return_url, 'return_url');
  }
  return { confirm, offSession };
}

/** The customer and the card to charge: the card must be the customer's own. */
function payer(
  state: StripeState,
  params: Record<string, unknown>,
): { customer: FakeCustomer | undefined; pm: FakePaymentMethod | undefined } {
  let customer: FakeCustomer | undefined;
  if (params.customer !== undefined) {
    const id = str(params.customer, 'customer');
    customer = state.customers.get(id);
    if (!customer) throw noSuch('customer', id, 'customer', 400);
  }
  let pm: FakePaymentMethod | undefined;
  if (params.payment_method !== undefined) {
    pm = paymentMethod(state, str(params.payment_method, 'payment_method'), 'payment_method');
    if (customer && pm.customer !== customer.id) {
      throw invalid(
        pm.customer === null
          ? 'The provided PaymentMethod was previously used with a PaymentIntent without Customer attachment, shared with a connected account without Customer attachment, or was detached from a Customer. It may not be used again. To use a PaymentMethod multiple times, you must attach it to a Customer first.'
          : `The provided PaymentMethod belongs to a different Customer (${pm.customer}) than the one on this PaymentIntent.`,
        'payment_method',
      );
    }
    if (!customer && pm.customer !== null) {
      throw invalid(
        `The provided PaymentMethod is attached to a Customer (${pm.customer}); pass that customer to use it.`,
        'payment_method',
      );
    }
  }
  return { customer, pm };
}

function createPaymentIntent(
  state: StripeState,
  params: Record<string, unknown>,
  apiVersion: string,
): Answer {
  checkKnown(params, PAYMENT_INTENT_PARAMS, '');
  rejectEmptyStrings(params, []);
  const { amount, currency } = amountOf(params);
  const { confirm, offSession } = confirmation(params, apiVersion);
  const metadata = validMetadata(params.metadata, 'metadata');
  const { customer, pm } = payer(state, params);
  if (confirm && !pm) {
    throw invalid(
      'You cannot confirm this PaymentIntent because it is missing a payment method. You can either update the PaymentIntent with a payment method and then confirm it again, or confirm it again directly with a payment method.',
      'payment_method',
      'payment_intent_unexpected_state',
    );
  }
  const pi: FakePaymentIntent = {
    id: newId('pi_'),
    charge: newId('ch_'),
    session: null,
    amount,
    amount_refunded: 0,
    currency,
    status: pm ? (confirm ? 'processing' : 'requires_confirmation') : 'requires_payment_method',
    customer: customer?.id ?? null,
    payment_method: pm?.id ?? null,
    metadata,
    created: now(),
    last_payment_error: null,
    setup_future_usage: params.setup_future_usage === undefined ? null : String(params.setup_future_usage),
  };
  state.paymentIntents.set(pi.id, pi);
  emit(state, 'payment_intent.created', publicPaymentIntent(pi));
  if (!confirm || !pm) return ok(publicPaymentIntent(pi));
  return charge(state, pi, pm, offSession);
}

/** Charges the card as its test card behaves. */
function charge(
  state: StripeState,
  pi: FakePaymentIntent,
  pm: FakePaymentMethod,
  offSession: boolean,
): Answer {
  if (pm.behaviour === 'declined') return declined(state, pi, pm, 'card_declined');
  if (pm.behaviour === 'authentication_required') {
    // On-session it would ask for 3D Secure (`requires_action`); off-session it cannot.
    if (offSession) return declined(state, pi, pm, 'authentication_required');
    pi.status = 'requires_action';
    return ok(publicPaymentIntent(pi));
  }
  pi.status = 'succeeded';
  // Stripe sends the Charge too (`charge.succeeded`), with its `receipt_url`.
  emit(state, 'charge.succeeded', publicCharge(state, pi));
  const object = publicPaymentIntent(pi);
  emit(state, 'payment_intent.succeeded', object);
  return ok(object);
}

export const paymentIntentRoutes: Route[] = [
  {
    method: 'POST',
    path: /^\/v1\/payment_intents$/,
    handle: ({ state, params, stripeVersion }) => createPaymentIntent(state, params, stripeVersion),
  },
  {
    method: 'GET',
    path: /^\/v1\/payment_intents\/([^/]+)$/,
    handle: ({ state, params, id }) => {
      checkKnown(params, ['expand', 'client_secret'], '');
      const pi = state.paymentIntents.get(id);
      if (!pi) throw noSuch('payment_intent', id, 'intent');
      return ok(expanded(state, pi, params.expand));
    },
  },
];
