/**
 * Checkout Sessions: created with Stripe's checks, read, and expired through the API or by the
 * test helpers (returning the event Stripe would send); paying is checkout-payment.ts.
 */
import { checkTotal, lineItems, type LineItem } from './checkout-line-items';
import { invalid, missing, noSuch } from './errors';
import { makeEvent, type StripeEvent } from './events';
import { now, rand } from './ids';
import {
  checkKnown,
  email,
  int,
  isObj,
  rejectEmptyStrings,
  shortText,
  str,
  validMetadata,
  validUrl,
} from './params';
import { ok, type Route } from './route';
import type { StripeState } from './state';

/** The stored Checkout Session: the API object plus the idempotency key it was created with. */
export interface FakeSession {
  id: string;
  object: 'checkout.session';
  status: 'open' | 'complete' | 'expired';
  payment_status: 'paid' | 'unpaid' | 'no_payment_required';
  url: string | null;
  /** Null in `setup` mode: nothing is paid. */
  amount_subtotal: number | null;
  amount_total: number | null;
  currency: string | null;
  metadata: Record<string, string>;
  expires_at: number;
  payment_intent: string | null;
  mode: 'payment' | 'setup';
  setup_intent: string | null;
  created: number;
  success_url: string | null;
  cancel_url: string | null;
  client_reference_id: string | null;
  customer_email: string | null;
  livemode: false;
  [field: string]: unknown;
  /** Not part of the API object: the `Idempotency-Key` of the creating request (the SDK always sends one). */
  idempotencyKey?: string;
  /** Not part of the API object: the line items as created. */
  lineItems: LineItem[];
  /** Not part of the API object: `payment_intent_data` as created. */
  intentData?: IntentData;
  /** Not part of the API object: `setup_intent_data[metadata]` as created (setup mode). */
  setupMetadata?: Record<string, string>;
}

type IntentData = { metadata: Record<string, string>; setupFutureUsage: 'on_session' | 'off_session' | null };

const SESSION_PARAMS = [
  'adaptive_pricing',
  'after_expiration',
  'allow_promotion_codes',
  'allowed_payment_method_types',
  'automatic_tax',
  'billing_address_collection',
  'branding_settings',
  'cancel_url',
  'client_reference_id',
  'consent_collection',
  'currency',
  'custom_fields',
  'custom_text',
  'customer',
  'customer_account',
  'customer_creation',
  'customer_email',
  'customer_update',
  'discounts',
  'excluded_payment_method_types',
  'expand',
  'expires_at',
  'integration_identifier',
  'invoice_creation',
  'line_items',
  'locale',
  'managed_payments',
  'metadata',
  'mode',
  'name_collection',
  'optional_items',
  'origin_context',
  'payment_intent_data',
  'payment_method_collection',
  'payment_method_configuration',
  'payment_method_data',
  'payment_method_options',
  'payment_method_types',
  'permissions',
  'phone_number_collection',
  'redirect_on_completion',
  'return_url',
  'saved_payment_method_options',
  'setup_intent_data',
  'shipping_address_collection',
  'shipping_options',
  'submit_type',
  'subscription_data',
  'success_url',
  'tax_id_collection',
  'ui_mode',
  'wallet_options',
] as const;
const UI_MODES = ['hosted_page', 'embedded_page', 'elements', 'form', 'hosted', 'embedded', 'custom'];

const INTENT_DATA_PARAMS = [
  'application_fee_amount',
  'capture_method',
  'description',
  'metadata',
  'on_behalf_of',
  'receipt_email',
  'setup_future_usage',
  'shipping',
  'statement_descriptor',
  'statement_descriptor_suffix',
  'transfer_data',
  'transfer_group',
] as const;

/** Checkout's `payment_intent_data`, as Stripe checks it (the parts that matter here). */
function paymentIntentData(v: unknown): IntentData {
  if (v === undefined) return { metadata: {}, setupFutureUsage: null };
  if (!isObj(v)) throw invalid('Invalid object', 'payment_intent_data');
  checkKnown(v, INTENT_DATA_PARAMS, 'payment_intent_data');
  let setupFutureUsage: IntentData['setupFutureUsage'] = null;
  if (v.setup_future_usage !== undefined) {
    const u = str(v.setup_future_usage, 'payment_intent_data[setup_future_usage]');
    if (u !== 'on_session' && u !== 'off_session') {
      throw invalid(
        'Invalid payment_intent_data[setup_future_usage]: must be one of on_session or off_session',
        'payment_intent_data[setup_future_usage]',
      );
    }
    setupFutureUsage = u;
  }
  return { metadata: validMetadata(v.metadata, 'payment_intent_data[metadata]'), setupFutureUsage };
}

const CUSTOM_TEXT_PARAMS = [
  'after_submit',
  'shipping_address',
  'submit',
  'terms_of_service_acceptance',
] as const;

/** The languages Checkout's page comes in (`locale`), as Stripe lists them. */
const CHECKOUT_LOCALES = new Set(
  'auto bg cs da de el en en-GB es es-419 et fi fil fr fr-CA hr hu id it ja ko lt lv ms mt nb nl pl pt pt-BR ro ru sk sl sv th tr vi zh zh-HK zh-TW'.split(
    ' ',
  ),
);

/** Checkout's `custom_text`: each a `{ message }` of at most 1,200 characters. */
function sessionCustomText(v: unknown): Record<string, { message: string } | null> {
  const out: Record<string, { message: string } | null> = {};
  for (const k of CUSTOM_TEXT_PARAMS) out[k] = null;
  if (v === undefined) return out;
  if (!isObj(v)) throw invalid('Invalid object', 'custom_text');
  checkKnown(v, CUSTOM_TEXT_PARAMS, 'custom_text');
  for (const [k, part] of Object.entries(v)) {
    if (!isObj(part)) throw invalid('Invalid object', `custom_text[${k}]`);
    checkKnown(part, ['message'], `custom_text[${k}]`);
    if (part.message === undefined) throw missing(`custom_text[${k}][message]`);
    const message = str(part.message, `custom_text[${k}][message]`);
    if (message.length > 1200) {
      throw invalid('This value must be 1200 characters or fewer.', `custom_text[${k}][message]`);
    }
    out[k] = { message };
  }
  return out;
}

function checkMode(params: Record<string, unknown>): 'payment' | 'setup' {
  if (params.mode === undefined) throw missing('mode');
  const mode = str(params.mode, 'mode');
  if (!['payment', 'setup', 'subscription'].includes(mode)) {
    throw invalid(`Invalid mode: must be one of payment, setup, or subscription`, 'mode');
  }
  if (mode === 'subscription') {
    throw invalid(`fake-stripe implements only mode=payment and mode=setup (got ${mode}).`, 'mode');
  }
  return mode as 'payment' | 'setup';
}

/**
 * What a `payment`-only parameter gets in `setup` mode: "You can not pass `line_items` in `setup`
 * mode." (Stripe's answer quoted in invertase/stripe-firebase-extensions#700; the same words for
 * `allow_promotion_codes` in #519 of that repository). `payment_intent_data` is refused alike: a
 * setup session makes no PaymentIntent (its data goes in `setup_intent_data`).
 */
const PAYMENT_ONLY = ['line_items', 'allow_promotion_codes', 'payment_intent_data', 'submit_type'] as const;

/**
 * A setup session's own checks and data: no payment-only parameter; a `currency`, or
 * `payment_method_types`, since the Dashboard's dynamic payment methods depend on the currency
 * (docs.stripe.com/api/checkout/sessions/create#create_checkout_session-currency: "Required in
 * `setup` mode when `payment_method_types` is not set"; TryGhost/Ghost#20171 met it). Stripe's
 * exact text for this refusal was not found: the stand-in answers its usual missing-parameter error
 * naming `currency`.
 */
function setupParams(params: Record<string, unknown>) {
  for (const name of PAYMENT_ONLY) {
    if (params[name] !== undefined) throw invalid(`You can not pass \`${name}\` in \`setup\` mode.`, name);
  }
  const types = params.payment_method_types;
  if (types !== undefined && (!Array.isArray(types) || types.length === 0)) {
    throw invalid('Invalid array', 'payment_method_types');
  }
  if (params.currency === undefined && types === undefined) throw missing('currency');
  const currency = params.currency === undefined ? null : str(params.currency, 'currency').toLowerCase();
  if (currency !== null && !/^[a-z]{3}$/.test(currency)) {
    throw invalid(`Invalid currency: ${currency}.`, 'currency');
  }
  const data = params.setup_intent_data;
  if (data !== undefined && !isObj(data)) throw invalid('Invalid object', 'setup_intent_data');
  if (data) checkKnown(data, ['description', 'metadata', 'on_behalf_of'], 'setup_intent_data');
  return { currency, setupMetadata: validMetadata(data?.metadata, 'setup_intent_data[metadata]') };
}

/** A payment session's line items, in the one `currency` they all have, within Stripe's total limits. */
function paymentItems(params: Record<string, unknown>) {
  const items = lineItems(params.line_items);
  if (params.currency !== undefined && str(params.currency, 'currency').toLowerCase() !== items.currency) {
    throw invalid('The `currency` must match the currency of all `line_items`.', 'currency');
  }
  checkTotal(items.amountTotal, items.currency);
  return items;
}

/** `ui_mode` and the URLs it asks for: a hosted page returns to `success_url`, others to `return_url`. */
function pageAndUrls(params: Record<string, unknown>) {
  const uiMode = params.ui_mode === undefined ? 'hosted_page' : str(params.ui_mode, 'ui_mode');
  if (!UI_MODES.includes(uiMode))
    throw invalid(`Invalid ui_mode: must be one of ${UI_MODES.join(', ')}`, 'ui_mode');
  const hosted = ['hosted_page', 'hosted'].includes(uiMode);
  let successUrl: string | null = null;
  let cancelUrl: string | null = null;
  if (hosted) {
    if (params.return_url !== undefined) {
      throw invalid(
        'You can only set `return_url` when `ui_mode` is `embedded_page` or `elements`.',
        'return_url',
      );
    }
    if (params.success_url === undefined) throw missing('success_url');
    successUrl = validUrl(params.success_url, 'success_url');
    if (params.cancel_url !== undefined) cancelUrl = validUrl(params.cancel_url, 'cancel_url');
  } else {
    if (params.success_url !== undefined) {
      throw invalid(`You cannot set \`success_url\` when \`ui_mode\` is \`${uiMode}\`.`, 'success_url');
    }
    if (params.return_url !== undefined) validUrl(params.return_url, 'return_url');
  }
  return { uiMode, hosted, successUrl, cancelUrl };
}

/** `expires_at`: 30 minutes to 24 hours after creation (24 hours when not given). */
function expiresAt(v: unknown, created: number): number {
  if (v === undefined) return created + 24 * 3600;
  const at = int(v, 'expires_at');
  if (at - created < 30 * 60) {
    throw invalid(
      'The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation.',
      'expires_at',
    );
  }
  if (at - created > 24 * 3600) {
    throw invalid(
      'The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.',
      'expires_at',
    );
  }
  return at;
}

/** Who pays: a reference, an e-mail or an existing customer (not both). */
function buyer(state: StripeState, params: Record<string, unknown>) {
  const clientReferenceId = shortText(params.client_reference_id, 'client_reference_id', 200);
  const customerEmail =
    params.customer_email === undefined ? null : email(params.customer_email, 'customer_email');
  let customer: string | null = null;
  if (params.customer !== undefined) {
    customer = str(params.customer, 'customer');
    if (!state.customers.has(customer)) throw noSuch('customer', customer, 'customer', 400);
    if (customerEmail !== null) {
      throw invalid('You may only specify one of these parameters: customer, customer_email.', 'customer');
    }
  }
  return { clientReferenceId, customerEmail, customer };
}

function createSession(
  state: StripeState,
  params: Record<string, unknown>,
  idempotencyKey: string | undefined,
): FakeSession {
  checkKnown(params, SESSION_PARAMS, '');
  rejectEmptyStrings(params, []);
  const mode = checkMode(params);
  const page = pageAndUrls(params);
  const setup = mode === 'setup' ? setupParams(params) : undefined;
  const items = setup ? { items: [], currency: setup.currency, amountTotal: null } : paymentItems(params);
  const created = now();
  const expires = expiresAt(params.expires_at, created);
  const metadata = validMetadata(params.metadata, 'metadata');
  const who = buyer(state, params);
  const intentData = paymentIntentData(params.payment_intent_data);
  const customText = sessionCustomText(params.custom_text);
  const locale = params.locale === undefined ? null : str(params.locale, 'locale');
  if (locale !== null && !CHECKOUT_LOCALES.has(locale)) {
    throw invalid(`Invalid locale: must be one of ${[...CHECKOUT_LOCALES].join(', ')}`, 'locale');
  }
  if (params.expand !== undefined && !Array.isArray(params.expand)) throw invalid('Invalid array', 'expand');

  const id = `cs_test_${rand(58)}`;
  const url = page.hosted ? `${state.url}/pay/${id}` : null;
  const fields = { id, created, expires, metadata, locale, customText, intentData, url, items, mode };
  const session = sessionObject({ ...fields, ...page, ...who });
  if (setup) session.setupMetadata = setup.setupMetadata;
  if (idempotencyKey !== undefined) session.idempotencyKey = idempotencyKey;
  state.sessions.set(id, session);
  return session;
}

/** A new open session, its fields in the order Stripe answers them. */
function sessionObject(v: {
  id: string;
  created: number;
  expires: number;
  metadata: Record<string, string>;
  locale: string | null;
  customText: Record<string, { message: string } | null>;
  intentData: IntentData;
  url: string | null;
  items: { items: LineItem[]; currency: string | null; amountTotal: number | null };
  mode: 'payment' | 'setup';
  uiMode: string;
  hosted: boolean;
  successUrl: string | null;
  cancelUrl: string | null;
  clientReferenceId: string | null;
  customerEmail: string | null;
  customer: string | null;
}): FakeSession {
  return {
    id: v.id,
    object: 'checkout.session',
    adaptive_pricing: null,
    after_expiration: null,
    allow_promotion_codes: null,
    amount_subtotal: v.items.amountTotal,
    amount_total: v.items.amountTotal,
    automatic_tax: { enabled: false, liability: null, provider: null, status: null },
    billing_address_collection: null,
    cancel_url: v.cancelUrl,
    client_reference_id: v.clientReferenceId,
    client_secret: v.hosted ? null : `${v.id}_secret_${rand(24)}`,
    collected_information: null,
    consent: null,
    consent_collection: null,
    created: v.created,
    currency: v.items.currency,
    currency_conversion: null,
    custom_fields: [],
    custom_text: v.customText,
    customer: v.customer,
    customer_account: null,
    customer_creation: 'if_required',
    customer_details: null,
    customer_email: v.customerEmail,
    discounts: [],
    expires_at: v.expires,
    invoice: null,
    invoice_creation: { enabled: false, invoice_data: null },
    livemode: false,
    locale: v.locale,
    metadata: v.metadata,
    mode: v.mode,
    origin_context: null,
    payment_intent: null,
    payment_link: null,
    payment_method_collection: 'if_required',
    payment_method_configuration_details: null,
    payment_method_options: {},
    payment_method_types: ['card'],
    payment_status: v.mode === 'setup' ? 'no_payment_required' : 'unpaid',
    recovered_from: null,
    saved_payment_method_options: null,
    setup_intent: null,
    shipping_address_collection: null,
    shipping_cost: null,
    shipping_options: [],
    status: 'open',
    submit_type: null,
    subscription: null,
    success_url: v.successUrl,
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
    ui_mode: v.uiMode,
    url: v.url,
    wallet_options: null,
    lineItems: v.items.items,
    intentData: v.intentData,
  };
}

/** The session as the API returns it (without the fake's bookkeeping fields). */
export function publicSession(s: FakeSession): Record<string, unknown> {
  const { idempotencyKey: _k, lineItems: _l, intentData: _i, setupMetadata: _m, ...rest } = s;
  return structuredClone(rest);
}

/** The session `id` names, for the test helpers (an unknown one is the test's mistake). */
export function getSession(state: StripeState, id: string): FakeSession {
  const s = state.sessions.get(id);
  if (!s) throw new Error(`fake-stripe: no such checkout session ${id}`);
  return s;
}

export function expire(
  state: StripeState,
  s: FakeSession,
  request?: { id: string; key?: string },
): StripeEvent {
  s.status = 'expired';
  s.url = null;
  return makeEvent(state, 'checkout.session.expired', publicSession(s), request);
}

export const checkoutSessionRoutes: Route[] = [
  {
    method: 'POST',
    path: /^\/v1\/checkout\/sessions$/,
    handle: ({ state, params, idempotencyKey }) =>
      ok(publicSession(createSession(state, params, idempotencyKey))),
  },
  {
    method: 'GET',
    path: /^\/v1\/checkout\/sessions\/([^/]+)$/,
    handle: ({ state, params, id }) => {
      checkKnown(params, ['expand'], '');
      const s = state.sessions.get(id);
      if (!s) throw noSuch('checkout.session', id, 'session');
      return ok(publicSession(s));
    },
  },
  {
    method: 'POST',
    path: /^\/v1\/checkout\/sessions\/([^/]+)\/expire$/,
    handle: ({ state, params, id, requestId, idempotencyKey }) => {
      checkKnown(params, ['expand'], '');
      const s = state.sessions.get(id);
      if (!s) throw noSuch('checkout.session', id, 'session');
      if (s.status !== 'open') {
        throw invalid(
          `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of \`${s.status}\`.`,
        );
      }
      expire(
        state,
        s,
        idempotencyKey !== undefined ? { id: requestId, key: idempotencyKey } : { id: requestId },
      );
      return ok(publicSession(s));
    },
  },
];
