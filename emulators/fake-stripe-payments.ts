/**
 * The fake's Customers, PaymentMethods and PaymentIntents (saved cards charged off-session), with
 * Stripe's validation and answers: `off_session` only with `confirm=true`, the customer must own
 * the payment method, 402 `card_error` answers (`card_declined`, `authentication_required`)
 * carrying the PaymentIntent, and the `payment_intent.*` / `payment_method.detached` events.
 */
import {
  checkKnown,
  int,
  invalid,
  isObj,
  missing,
  noSuch,
  rejectEmptyStrings,
  str,
  validMetadata,
  type FakePaymentIntent,
  type StripeErrorBody,
  type StripeEvent,
} from './fake-stripe';

/** How a saved card behaves when charged off-session (Stripe's test cards 4242…, 0341, 3184). */
export type CardBehaviour = 'succeeds' | 'declined' | 'authentication_required';

export const TEST_CARDS: Record<CardBehaviour, { last4: string; brand: string }> = {
  succeeds: { last4: '4242', brand: 'visa' },
  // 4000 0000 0000 0341: attaches to a customer, every charge is declined.
  declined: { last4: '0341', brand: 'visa' },
  // 4000 0027 6000 3184: always asks for 3D Secure, so an off-session charge fails.
  authentication_required: { last4: '3184', brand: 'visa' },
};

export type FakeCustomer = {
  id: string;
  object: 'customer';
  created: number;
  description: string | null;
  email: string | null;
  name: string | null;
  phone: string | null;
  metadata: Record<string, string>;
  invoice_settings: { default_payment_method: string | null };
  livemode: false;
  [field: string]: unknown;
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

type Ctx = {
  customers: Map<string, FakeCustomer>;
  paymentMethods: Map<string, FakePaymentMethod>;
  paymentIntents: Map<string, FakePaymentIntent>;
  newId: (prefix: string, n?: number) => string;
  now: () => number;
  minAmount: (currency: string) => number;
  /** Records the event (and delivers it when the fake has a webhook URL). */
  emit: (type: string, object: Record<string, unknown>, previous?: Record<string, unknown>) => StripeEvent;
};

const CUSTOMER_PARAMS = [
  'address',
  'description',
  'email',
  'expand',
  'invoice_settings',
  'metadata',
  'name',
  'payment_method',
  'phone',
  'preferred_locales',
  'shipping',
  'tax_exempt',
] as const;

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

function bool(v: unknown, param: string): boolean {
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw invalid(`Invalid boolean: ${String(v)}`, param);
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

export function publicPaymentMethod(pm: FakePaymentMethod): Record<string, unknown> {
  const { behaviour: _b, ...rest } = pm;
  return structuredClone(rest);
}

/** A card entered on the checkout page: a new PaymentMethod, attached to `customer` if saved. */
export function newCard(ctx: Ctx, behaviour: CardBehaviour, customer: string | null): FakePaymentMethod {
  const card = TEST_CARDS[behaviour];
  const pm: FakePaymentMethod = {
    id: ctx.newId('pm_'),
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
    created: ctx.now(),
    livemode: false,
    metadata: {},
    behaviour,
  };
  ctx.paymentMethods.set(pm.id, pm);
  return pm;
}

export type Answer = { status: number; body: unknown };

export function paymentRoutes(ctx: Ctx) {
  const createCustomer = (params: Record<string, unknown>): FakeCustomer => {
    checkKnown(params, CUSTOMER_PARAMS, '');
    rejectEmptyStrings(params, []);
    const email = params.email === undefined ? null : str(params.email, 'email');
    if (email !== null && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
      throw invalid(`Invalid email address: ${email}`, 'email', 'email_invalid');
    }
    const text = (k: 'name' | 'phone' | 'description') => {
      if (params[k] === undefined) return null;
      const v = str(params[k], k);
      if (v.length > 256) throw invalid('This value must be 256 characters or fewer.', k);
      return v;
    };
    const c: FakeCustomer = {
      id: ctx.newId('cus_', 14),
      object: 'customer',
      address: null,
      balance: 0,
      created: ctx.now(),
      currency: null,
      default_source: null,
      delinquent: false,
      description: text('description'),
      email,
      invoice_prefix: ctx.newId('', 8).toUpperCase(),
      invoice_settings: { default_payment_method: null },
      livemode: false,
      metadata: validMetadata(params.metadata, 'metadata'),
      name: text('name'),
      phone: text('phone'),
      preferred_locales: [],
      shipping: null,
      tax_exempt: 'none',
    };
    ctx.customers.set(c.id, c);
    return c;
  };

  const paymentMethod = (id: string, param: string): FakePaymentMethod => {
    const pm = ctx.paymentMethods.get(id);
    if (!pm) throw noSuch('PaymentMethod', id, param, param === 'id' ? 404 : 400);
    return pm;
  };

  /** A failed charge: the PaymentIntent keeps `requires_payment_method`, the answer is 402. */
  const declined = (pi: FakePaymentIntent, pm: FakePaymentMethod, code: string): Answer => {
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
    ctx.emit('payment_intent.payment_failed', object);
    return {
      status: 402,
      body: { error: { ...error, payment_intent: object, payment_method: publicPaymentMethod(pm) } },
    };
  };

  const createPaymentIntent = (params: Record<string, unknown>, apiVersion: string): Answer => {
    checkKnown(params, PAYMENT_INTENT_PARAMS, '');
    rejectEmptyStrings(params, []);
    if (params.amount === undefined) throw missing('amount');
    if (params.currency === undefined) throw missing('currency');
    const amount = int(params.amount, 'amount');
    const currency = str(params.currency, 'currency').toLowerCase();
    if (!/^[a-z]{3}$/.test(currency)) throw invalid(`Invalid currency: ${currency}.`, 'currency');
    const min = ctx.minAmount(currency);
    if (amount < min) {
      throw invalid(
        `Amount must be at least ${min} in the smallest unit of ${currency}`,
        'amount',
        'amount_too_small',
      );
    }
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
    const metadata = validMetadata(params.metadata, 'metadata');
    let customer: FakeCustomer | undefined;
    if (params.customer !== undefined) {
      const id = str(params.customer, 'customer');
      customer = ctx.customers.get(id);
      if (!customer) throw noSuch('customer', id, 'customer', 400);
    }
    let pm: FakePaymentMethod | undefined;
    if (params.payment_method !== undefined) {
      pm = paymentMethod(str(params.payment_method, 'payment_method'), 'payment_method');
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
    if (confirm && !pm) {
      throw invalid(
        'You cannot confirm this PaymentIntent because it is missing a payment method. You can either update the PaymentIntent with a payment method and then confirm it again, or confirm it again directly with a payment method.',
        'payment_method',
        'payment_intent_unexpected_state',
      );
    }
    const pi: FakePaymentIntent = {
      id: ctx.newId('pi_'),
      charge: ctx.newId('ch_'),
      session: null,
      amount,
      amount_refunded: 0,
      currency,
      status: pm ? (confirm ? 'processing' : 'requires_confirmation') : 'requires_payment_method',
      customer: customer?.id ?? null,
      payment_method: pm?.id ?? null,
      metadata,
      created: ctx.now(),
      last_payment_error: null,
      setup_future_usage: params.setup_future_usage === undefined ? null : String(params.setup_future_usage),
    };
    ctx.paymentIntents.set(pi.id, pi);
    ctx.emit('payment_intent.created', publicPaymentIntent(pi));
    if (!confirm || !pm) return { status: 200, body: publicPaymentIntent(pi) };
    if (pm.behaviour === 'declined') return declined(pi, pm, 'card_declined');
    if (pm.behaviour === 'authentication_required') {
      // On-session it would ask for 3D Secure (`requires_action`); off-session it cannot.
      if (offSession) return declined(pi, pm, 'authentication_required');
      pi.status = 'requires_action';
      return { status: 200, body: publicPaymentIntent(pi) };
    }
    pi.status = 'succeeded';
    const object = publicPaymentIntent(pi);
    ctx.emit('payment_intent.succeeded', object);
    return { status: 200, body: object };
  };

  const detach = (pm: FakePaymentMethod): StripeEvent => {
    const previous = pm.customer;
    pm.customer = null;
    return ctx.emit('payment_method.detached', publicPaymentMethod(pm), { customer: previous });
  };

  /** The routes, or undefined for a path that is not theirs. */
  const route = (
    method: string,
    path: string,
    params: Record<string, unknown>,
    apiVersion: string,
  ): Answer | undefined => {
    let m: RegExpExecArray | null;
    if (method === 'POST' && path === '/v1/customers') return { status: 200, body: createCustomer(params) };
    if (method === 'GET' && (m = /^\/v1\/customers\/([^/]+)$/.exec(path))) {
      checkKnown(params, ['expand'], '');
      const id = decodeURIComponent(m[1]!);
      const c = ctx.customers.get(id);
      if (!c) throw noSuch('customer', id, 'id');
      return { status: 200, body: structuredClone(c) };
    }
    if (method === 'POST' && path === '/v1/payment_intents') return createPaymentIntent(params, apiVersion);
    if (method === 'GET' && (m = /^\/v1\/payment_intents\/([^/]+)$/.exec(path))) {
      checkKnown(params, ['expand', 'client_secret'], '');
      const id = decodeURIComponent(m[1]!);
      const pi = ctx.paymentIntents.get(id);
      if (!pi) throw noSuch('payment_intent', id, 'intent');
      return { status: 200, body: publicPaymentIntent(pi) };
    }
    if (method === 'GET' && (m = /^\/v1\/payment_methods\/([^/]+)$/.exec(path))) {
      checkKnown(params, ['expand'], '');
      return { status: 200, body: publicPaymentMethod(paymentMethod(decodeURIComponent(m[1]!), 'id')) };
    }
    if (method === 'POST' && (m = /^\/v1\/payment_methods\/([^/]+)\/detach$/.exec(path))) {
      checkKnown(params, ['expand'], '');
      const pm = paymentMethod(decodeURIComponent(m[1]!), 'id');
      if (pm.customer === null) {
        throw invalid(
          'The payment method you provided is not attached to a customer so detachment is impossible.',
          'payment_method',
        );
      }
      detach(pm);
      return { status: 200, body: publicPaymentMethod(pm) };
    }
    return undefined;
  };

  return { route, detach };
}
