/**
 * A loopback fake of the parts of Stripe's HTTP API that Lead Unlock uses, for the tests, the bench and
 * the local sandbox (`npm start`); never deployed.
 *
 * Driven by the real `stripe` SDK (`new Stripe(key, { host: '127.0.0.1', port, protocol: 'http' })`).
 * It checks the API key, parses Stripe's form encoding (bracket notation), validates
 * Checkout Session and Refund parameters the way Stripe does, honours `Idempotency-Key`
 * (replay with `Idempotent-Replayed: true`, `idempotency_error` on reuse with other
 * parameters), and answers with Stripe's object and error shapes.
 *
 * Test helpers move sessions through their lifecycle (`completeSession`, `expireSession`, …)
 * and return the event Stripe would send; `sign()` produces a valid `Stripe-Signature`.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { checkoutPage, paymentFailedPage, unknownCheckoutPage } from './checkout-page';
import {
  newCard,
  paymentRoutes,
  type CardBehaviour,
  type FakeCustomer,
  type FakePaymentMethod,
} from './fake-stripe-payments';

export type { CardBehaviour, FakeCustomer, FakePaymentMethod };

export type StripeEvent = {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  data: { object: Record<string, unknown>; previous_attributes?: Record<string, unknown> };
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: string;
};

/** The stored Checkout Session: the API object plus the idempotency key it was created with. */
export interface FakeSession {
  id: string;
  object: 'checkout.session';
  status: 'open' | 'complete' | 'expired';
  payment_status: 'paid' | 'unpaid' | 'no_payment_required';
  url: string | null;
  amount_subtotal: number;
  amount_total: number;
  currency: string;
  metadata: Record<string, string>;
  expires_at: number;
  payment_intent: string | null;
  mode: 'payment';
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
  lineItems: Array<{ quantity: number; unit_amount: number; currency: string; name: string }>;
  /** Not part of the API object: `payment_intent_data` as created. */
  intentData?: IntentData;
}

type IntentData = { metadata: Record<string, string>; setupFutureUsage: 'on_session' | 'off_session' | null };

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

export type FakeRefund = {
  id: string;
  object: 'refund';
  payment_intent: string;
  charge: string;
  amount: number;
  currency: string;
  status: 'succeeded';
  reason: string | null;
  metadata: Record<string, string>;
  created: number;
  [field: string]: unknown;
};

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

export type StripeRequestRecord = {
  method: string;
  path: string;
  idempotencyKey?: string;
  params: Record<string, unknown>;
  /** HTTP status answered (also when the answer was held back), or the injected fault. */
  status?: number;
  fault?: string;
  /** False while the answer is held back (`timeout`, `lost-reply`, a `delayMs` not yet over). */
  answered?: boolean;
  replayed?: boolean;
};

/**
 * `timeout`: the request is received and never answered, and nothing is done (Stripe stalled
 * before processing it). `lost-reply`: processed (the refund or expiry happens), never answered.
 * `{ delayMs }`: processed, answered that much later. 429 is Stripe's `rate_limit_error`.
 */
export type StripeFaultMode = 429 | 500 | 503 | 'timeout' | 'reset' | 'lost-reply' | { delayMs: number };

export interface FakeStripe {
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  secretKey: string;
  webhookSecret: string;
  sessions: Map<string, FakeSession>;
  paymentIntents: Map<string, FakePaymentIntent>;
  customers: Map<string, FakeCustomer>;
  paymentMethods: Map<string, FakePaymentMethod>;
  refunds: FakeRefund[];
  requests: StripeRequestRecord[];
  /** Every event the fake generated (helpers and API-side changes such as `expire`), oldest first. */
  events: StripeEvent[];
  /** The next `times` API requests get this fault (before they are processed). */
  fail(times: number, mode: StripeFaultMode): void;
  /** Drops the faults still pending: Stripe is back. */
  heal(): void;
  /**
   * Marks an open session complete (creates a payment_intent, and a PaymentMethod for the card,
   * attached to the session's customer when it has `setup_future_usage`) and returns
   * `checkout.session.completed`. `card` picks Stripe's test card: how later charges of it go.
   */
  completeSession(
    id: string,
    opts?: { paymentStatus?: 'paid' | 'unpaid'; card?: CardBehaviour },
  ): StripeEvent;
  /** Removes a saved card from its customer (as the Dashboard does): `payment_method.detached`. */
  detachPaymentMethod(id: string): StripeEvent;
  /** For a session completed `unpaid`: marks it paid, returns `checkout.session.async_payment_succeeded`. */
  succeedAsyncPayment(id: string): StripeEvent;
  /** For a session completed `unpaid`: returns `checkout.session.async_payment_failed`. */
  failAsyncPayment(id: string): StripeEvent;
  /** Marks an open session expired (as Stripe does at expires_at) and returns `checkout.session.expired`. */
  expireSession(id: string): StripeEvent;
  /** Any event envelope. */
  event(type: string, object: Record<string, unknown>): StripeEvent;
  /** The JSON payload and a valid `Stripe-Signature` header for it. */
  sign(
    event: StripeEvent,
    opts?: { timestamp?: number; secret?: string },
  ): { payload: string; header: string };
  /** The session as the API returns it (without the fake's bookkeeping fields). */
  publicSession(id: string): Record<string, unknown>;
  reset(): void;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Errors

export type StripeErrorBody = {
  type: 'invalid_request_error' | 'idempotency_error' | 'api_error' | 'card_error';
  message: string;
  code?: string;
  param?: string;
  doc_url?: string;
};

class StripeHttpError extends Error {
  constructor(
    readonly status: number,
    readonly error: StripeErrorBody,
    readonly headers: Record<string, string> = {},
  ) {
    super(error.message);
  }
}

export function invalid(message: string, param?: string, code?: string, status = 400): StripeHttpError {
  const error: StripeErrorBody = { type: 'invalid_request_error', message };
  if (code) {
    error.code = code;
    error.doc_url = `https://docs.stripe.com/error-codes/${code.replace(/_/g, '-')}`;
  }
  if (param) error.param = param;
  return new StripeHttpError(status, error);
}

export const missing = (param: string) =>
  invalid(`Missing required param: ${param}.`, param, 'parameter_missing');
const unknownParam = (param: string) =>
  invalid(`Received unknown parameter: ${param}`, param, 'parameter_unknown');
export const noSuch = (kind: string, id: string, param: string, status = 404) =>
  invalid(`No such ${kind}: '${id}'`, param, 'resource_missing', status);

// ---------------------------------------------------------------------------------------------
// Form decoding (Stripe's bracket notation: a[b][0][c]=v)

function decodeComponent(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    throw invalid('Invalid request: the request body could not be decoded (malformed percent-encoding).');
  }
}

function parseKeyPath(key: string): string[] {
  const m = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
  if (!m) return [key];
  const path = [m[1]!];
  for (const seg of m[2]!.matchAll(/\[([^[\]]*)\]/g)) path.push(seg[1]!);
  return path;
}

type Tree = { [k: string]: Tree | string };

/** Parses `application/x-www-form-urlencoded` with Stripe's bracket notation into nested objects/arrays. */
export function parseStripeForm(body: string): Record<string, unknown> {
  const root: Tree = {};
  for (const part of body.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const key = decodeComponent(eq >= 0 ? part.slice(0, eq) : part);
    const value = decodeComponent(eq >= 0 ? part.slice(eq + 1) : '');
    const path = parseKeyPath(key);
    let node: Tree = root;
    for (let i = 0; i < path.length; i++) {
      let seg = path[i]!;
      if (seg === '') seg = String(Object.keys(node).length); // a[]=x appends
      const last = i === path.length - 1;
      if (last) {
        if (typeof node[seg] === 'object') throw invalid(`Invalid value for ${key}: expected a hash.`, key);
        node[seg] = value;
      } else {
        const next = node[seg];
        if (next === undefined) node = node[seg] = {};
        else if (typeof next === 'string')
          throw invalid(`Invalid hash: ${path.slice(0, i + 1).join('.')}`, key);
        else node = next;
      }
    }
  }
  return toArrays(root, '') as Record<string, unknown>;
}

function toArrays(node: Tree | string, parentKey: string): unknown {
  if (typeof node === 'string') return node;
  const keys = Object.keys(node);
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = toArrays(node[k]!, k);
  if (parentKey !== 'metadata' && keys.length > 0 && keys.every((k, i) => k === String(i))) {
    return keys.map((k) => out[k]);
  }
  return out;
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

// ---------------------------------------------------------------------------------------------
// Parameter helpers

export const isObj = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === 'object' && !Array.isArray(v);

export function checkKnown(obj: Record<string, unknown>, allowed: readonly string[], prefix: string) {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) throw unknownParam(prefix ? `${prefix}[${k}]` : k);
  }
}

function paramName(path: string[]): string {
  return (
    path[0]! +
    path
      .slice(1)
      .map((p) => `[${p}]`)
      .join('')
  );
}

/** Stripe refuses empty strings on create: they mean "unset", which cannot apply to a new object. */
export function rejectEmptyStrings(v: unknown, path: string[]) {
  if (path[0] === 'metadata' || path.includes('metadata')) return;
  if (v === '') {
    const name = paramName(path);
    throw invalid(
      `You passed an empty string for '${name}'. We assume empty values are an attempt to unset a parameter; however '${name}' cannot be unset. You should remove '${name}' from your request or supply a non-empty value.`,
      name,
    );
  }
  if (Array.isArray(v)) v.forEach((x, i) => rejectEmptyStrings(x, [...path, String(i)]));
  else if (isObj(v)) for (const [k, x] of Object.entries(v)) rejectEmptyStrings(x, [...path, k]);
}

export function str(v: unknown, param: string): string {
  if (typeof v !== 'string') throw invalid(`Invalid string: ${param} must be a string.`, param);
  return v;
}

export function int(v: unknown, param: string): number {
  if (typeof v !== 'string' || !/^-?\d+$/.test(v)) throw invalid(`Invalid integer: ${String(v)}`, param);
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw invalid(`Invalid integer: ${v}`, param);
  return n;
}

function validUrl(v: unknown, param: string): string {
  const s = str(v, param);
  try {
    const u = new URL(s.replace('{CHECKOUT_SESSION_ID}', 'x'));
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
  } catch {
    throw invalid('Not a valid URL', param, 'url_invalid');
  }
  if (s.length > 5000) throw invalid('Not a valid URL', param, 'url_invalid');
  return s;
}

export function validMetadata(v: unknown, param: string): Record<string, string> {
  if (v === undefined || v === '') return {};
  if (!isObj(v)) throw invalid('Invalid metadata: metadata must be a hash of string keys and values.', param);
  const entries = Object.entries(v);
  if (entries.length > 50) {
    throw invalid(
      `Invalid metadata: metadata can have up to 50 keys, but you passed in ${entries.length} keys.`,
      param,
    );
  }
  const out: Record<string, string> = {};
  for (const [k, val] of entries) {
    if (k.length > 40) throw invalid(`Invalid key: ${k} must be a string under 40 characters`, param);
    if (typeof val !== 'string')
      throw invalid(`Invalid val: metadata[${k}] must be a string under 500 characters`, param);
    if (val.length > 500) throw invalid(`Invalid val: ${val} must be a string under 500 characters`, param);
    if (val !== '') out[k] = val;
  }
  return out;
}

/** Stripe's minimum charge amounts per currency (smallest unit). */
const MIN_AMOUNT: Record<string, number> = {
  usd: 50,
  aed: 200,
  aud: 50,
  bgn: 100,
  brl: 50,
  cad: 50,
  chf: 50,
  czk: 1500,
  dkk: 250,
  eur: 50,
  gbp: 30,
  hkd: 400,
  huf: 17500,
  inr: 50,
  jpy: 50,
  mxn: 1000,
  myr: 200,
  nok: 300,
  nzd: 50,
  pln: 200,
  ron: 200,
  sek: 300,
  sgd: 50,
  thb: 1000,
};
const ZERO_DECIMAL = new Set([
  'bif',
  'clp',
  'djf',
  'gnf',
  'jpy',
  'kmf',
  'krw',
  'mga',
  'pyg',
  'rwf',
  'ugx',
  'vnd',
  'vuv',
  'xaf',
  'xof',
  'xpf',
]);
const SYMBOL: Record<string, string> = {
  usd: '$',
  eur: '€',
  gbp: '£',
  jpy: '¥',
  cad: '$',
  aud: '$',
  nzd: '$',
  sgd: '$',
  hkd: '$',
  mxn: '$',
};
const MAX_AMOUNT = 99_999_999;

function formatAmount(amount: number, currency: string): string {
  const value = ZERO_DECIMAL.has(currency) ? String(amount) : (amount / 100).toFixed(2);
  return `${SYMBOL[currency] ?? ''}${value} ${currency}`;
}

/** As a checkout page shows it: `$15.00`, `¥1,500`. */
function displayAmount(amount: number, currency: string): string {
  const value = ZERO_DECIMAL.has(currency) ? amount : amount / 100;
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() }).format(
      value,
    );
  } catch {
    return formatAmount(amount, currency);
  }
}

// ---------------------------------------------------------------------------------------------
// Ids

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
function rand(n: number): string {
  const bytes = randomBytes(n);
  let s = '';
  for (let i = 0; i < n; i++) s += ALNUM[bytes[i]! % ALNUM.length];
  return s;
}
const newId = (prefix: string, n = 24) => `${prefix}${rand(n)}`;
const now = () => Math.floor(Date.now() / 1000);

// ---------------------------------------------------------------------------------------------

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
const LINE_ITEM_PARAMS = [
  'adjustable_quantity',
  'metadata',
  'price',
  'price_data',
  'quantity',
  'tax_rates',
] as const;
const PRICE_DATA_PARAMS = [
  'currency',
  'product',
  'product_data',
  'recurring',
  'tax_behavior',
  'unit_amount',
  'unit_amount_decimal',
] as const;
const PRODUCT_DATA_PARAMS = [
  'description',
  'images',
  'metadata',
  'name',
  'tax_code',
  'tax_details',
  'unit_label',
] as const;
const REFUND_PARAMS = [
  'amount',
  'charge',
  'currency',
  'customer',
  'expand',
  'instructions_email',
  'metadata',
  'origin',
  'payment_intent',
  'reason',
  'refund_application_fee',
  'reverse_transfer',
] as const;
const UI_MODES = ['hosted_page', 'embedded_page', 'elements', 'form', 'hosted', 'embedded', 'custom'];

type IdemEntry = {
  method: string;
  path: string;
  params: string;
  status: number;
  body: string;
  requestId: string;
};

export type FakeStripeOptions = {
  secretKey?: string;
  webhookSecret?: string;
  /** Listen here instead of on a free port (the local emulator). */
  port?: number;
  /**
   * Where `POST /pay/<id>` (the hosted page's Pay button) delivers the signed
   * `checkout.session.completed`, as Stripe would deliver it to a webhook endpoint.
   */
  webhookUrl?: string;
};

/** Events of API-side changes the fake posts to `webhookUrl` (the sandbox's endpoint). */
const DELIVERED = new Set([
  'payment_intent.succeeded',
  'payment_intent.payment_failed',
  'payment_method.detached',
]);

export async function startFakeStripe(opts: FakeStripeOptions = {}): Promise<FakeStripe> {
  const secretKey = opts.secretKey ?? 'sk_test_fake_123';
  const webhookSecret = opts.webhookSecret ?? 'whsec_test_fake_123';
  const apiVersion = Stripe.API_VERSION;
  const faults: StripeFaultMode[] = [];
  const idempotency = new Map<string, IdemEntry>();
  let port = 0;

  const publicSession = (s: FakeSession): Record<string, unknown> => {
    const { idempotencyKey: _k, lineItems: _l, intentData: _i, ...rest } = s;
    return structuredClone(rest);
  };

  const makeEvent = (
    type: string,
    object: Record<string, unknown>,
    request?: { id: string; key?: string },
  ): StripeEvent => {
    const ev: StripeEvent = {
      id: newId('evt_'),
      object: 'event',
      api_version: apiVersion,
      created: now(),
      data: { object: structuredClone(object) },
      livemode: false,
      pending_webhooks: 1,
      request: { id: request?.id ?? null, idempotency_key: request?.key ?? null },
      type,
    };
    fake.events.push(ev);
    return ev;
  };

  /** An event of a change made through the API; posted to `webhookUrl` when there is one. */
  const emit = (type: string, object: Record<string, unknown>, previous?: Record<string, unknown>) => {
    const ev = makeEvent(type, object);
    if (previous) ev.data.previous_attributes = previous;
    if (opts.webhookUrl && DELIVERED.has(type)) {
      const { payload, header } = fake.sign(ev);
      const url = opts.webhookUrl;
      // As Stripe does, a moment after the change, and never in the API call's answer path.
      setTimeout(() => {
        fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': header },
          body: payload,
        }).catch(() => undefined);
      }, 50);
    }
    return ev;
  };
  const customers = new Map<string, FakeCustomer>();
  const paymentMethods = new Map<string, FakePaymentMethod>();
  const paymentIntents = new Map<string, FakePaymentIntent>();
  const payments = paymentRoutes({
    customers,
    paymentMethods,
    paymentIntents,
    newId,
    now,
    minAmount: (currency) => MIN_AMOUNT[currency] ?? 50,
    emit,
  });

  const getSession = (id: string): FakeSession => {
    const s = fake.sessions.get(id);
    if (!s) throw new Error(`fake-stripe: no such checkout session ${id}`);
    return s;
  };

  const doExpire = (s: FakeSession, request?: { id: string; key?: string }): StripeEvent => {
    s.status = 'expired';
    s.url = null;
    return makeEvent('checkout.session.expired', publicSession(s), request);
  };

  // ---- API handlers -------------------------------------------------------------------------

  const createSession = (
    params: Record<string, unknown>,
    idempotencyKey: string | undefined,
  ): FakeSession => {
    checkKnown(params, SESSION_PARAMS, '');
    rejectEmptyStrings(params, []);

    if (params.mode === undefined) throw missing('mode');
    const mode = str(params.mode, 'mode');
    if (!['payment', 'setup', 'subscription'].includes(mode)) {
      throw invalid(`Invalid mode: must be one of payment, setup, or subscription`, 'mode');
    }
    if (mode !== 'payment') {
      throw invalid(`fake-stripe implements only mode=payment (got ${mode}).`, 'mode');
    }
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

    if (params.line_items === undefined) throw missing('line_items');
    if (!Array.isArray(params.line_items) || params.line_items.length === 0) {
      throw invalid('Invalid array', 'line_items');
    }
    if (params.line_items.length > 100) {
      throw invalid('You may only specify up to 100 line items.', 'line_items');
    }
    const lineItems: FakeSession['lineItems'] = [];
    params.line_items.forEach((li: unknown, i: number) => {
      const p = `line_items[${i}]`;
      if (!isObj(li)) throw invalid('Invalid object', p);
      checkKnown(li, LINE_ITEM_PARAMS, p);
      if (li.price !== undefined && li.price_data !== undefined) {
        throw invalid(`You may only specify one of these parameters: price, price_data.`, `${p}[price]`);
      }
      if (li.price !== undefined) throw noSuch('price', String(li.price), `${p}[price]`, 400);
      if (li.price_data === undefined) {
        throw invalid(
          `You must specify either \`price\` or \`price_data\` in ${p}.`,
          `${p}[price_data]`,
          'parameter_missing',
        );
      }
      if (li.quantity === undefined) throw missing(`${p}[quantity]`);
      const quantity = int(li.quantity, `${p}[quantity]`);
      if (quantity < 1) throw invalid('This value must be greater than or equal to 1.', `${p}[quantity]`);
      if (quantity > 999_999)
        throw invalid('This value must be less than or equal to 999999.', `${p}[quantity]`);
      const pd = li.price_data;
      const pp = `${p}[price_data]`;
      if (!isObj(pd)) throw invalid('Invalid object', pp);
      checkKnown(pd, PRICE_DATA_PARAMS, pp);
      if (pd.currency === undefined) throw missing(`${pp}[currency]`);
      const currency = str(pd.currency, `${pp}[currency]`).toLowerCase();
      if (!/^[a-z]{3}$/.test(currency)) {
        throw invalid(
          `Invalid currency: ${String(pd.currency)}. Stripe currently supports these currencies: usd, eur, gbp, …`,
          `${pp}[currency]`,
        );
      }
      if (pd.recurring !== undefined) {
        throw invalid(
          'You specified `payment` mode but passed a recurring price. Either switch to `subscription` mode or use only one-time prices.',
          `${pp}[recurring]`,
        );
      }
      let unitAmount: number;
      if (pd.unit_amount !== undefined && pd.unit_amount_decimal !== undefined) {
        throw invalid(
          'You may only specify one of these parameters: unit_amount, unit_amount_decimal.',
          `${pp}[unit_amount]`,
        );
      }
      if (pd.unit_amount !== undefined) {
        unitAmount = int(pd.unit_amount, `${pp}[unit_amount]`);
        if (unitAmount < 0)
          throw invalid('This value must be greater than or equal to 0.', `${pp}[unit_amount]`);
      } else if (pd.unit_amount_decimal !== undefined) {
        const d = str(pd.unit_amount_decimal, `${pp}[unit_amount_decimal]`);
        if (!/^\d+(\.\d{1,12})?$/.test(d))
          throw invalid(`Invalid decimal: ${d}`, `${pp}[unit_amount_decimal]`);
        unitAmount = Math.round(Number(d));
      } else {
        throw missing(`${pp}[unit_amount]`);
      }
      if (pd.product !== undefined && pd.product_data !== undefined) {
        throw invalid(
          'You may only specify one of these parameters: product, product_data.',
          `${pp}[product]`,
        );
      }
      if (pd.product !== undefined) throw noSuch('product', String(pd.product), `${pp}[product]`, 400);
      if (pd.product_data === undefined) throw missing(`${pp}[product_data]`);
      const prod = pd.product_data;
      const ppp = `${pp}[product_data]`;
      if (!isObj(prod)) throw invalid('Invalid object', ppp);
      checkKnown(prod, PRODUCT_DATA_PARAMS, ppp);
      if (prod.name === undefined) throw missing(`${ppp}[name]`);
      const name = str(prod.name, `${ppp}[name]`);
      if (name.length > 250) throw invalid('This value must be 250 characters or fewer.', `${ppp}[name]`);
      if (prod.metadata !== undefined) validMetadata(prod.metadata, `${ppp}[metadata]`);
      if (li.metadata !== undefined) validMetadata(li.metadata, `${p}[metadata]`);
      lineItems.push({ quantity, unit_amount: unitAmount, currency, name });
    });
    const currency = lineItems[0]!.currency;
    if (lineItems.some((l) => l.currency !== currency)) {
      throw invalid('All line items must have the same currency.', 'line_items');
    }
    if (params.currency !== undefined && str(params.currency, 'currency').toLowerCase() !== currency) {
      throw invalid('The `currency` must match the currency of all `line_items`.', 'currency');
    }
    const amountTotal = lineItems.reduce((sum, l) => sum + l.unit_amount * l.quantity, 0);
    const min = MIN_AMOUNT[currency] ?? 50;
    if (amountTotal < min) {
      throw invalid(
        `The Checkout Session's total amount due must add up to at least ${formatAmount(min, currency)}`,
        undefined,
        'amount_too_small',
      );
    }
    if (amountTotal > MAX_AMOUNT) {
      throw invalid(
        `The Checkout Session's total amount due must be no more than ${formatAmount(MAX_AMOUNT, currency)}`,
        undefined,
        'amount_too_large',
      );
    }

    const created = now();
    let expiresAt = created + 24 * 3600;
    if (params.expires_at !== undefined) {
      expiresAt = int(params.expires_at, 'expires_at');
      if (expiresAt - created < 30 * 60) {
        throw invalid(
          'The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation.',
          'expires_at',
        );
      }
      if (expiresAt - created > 24 * 3600) {
        throw invalid(
          'The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.',
          'expires_at',
        );
      }
    }
    const metadata = validMetadata(params.metadata, 'metadata');

    let clientReferenceId: string | null = null;
    if (params.client_reference_id !== undefined) {
      clientReferenceId = str(params.client_reference_id, 'client_reference_id');
      if (clientReferenceId.length > 200) {
        throw invalid('This value must be 200 characters or fewer.', 'client_reference_id');
      }
    }
    let customerEmail: string | null = null;
    if (params.customer_email !== undefined) {
      customerEmail = str(params.customer_email, 'customer_email');
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(customerEmail)) {
        throw invalid(`Invalid email address: ${customerEmail}`, 'customer_email', 'email_invalid');
      }
    }
    let customer: string | null = null;
    if (params.customer !== undefined) {
      customer = str(params.customer, 'customer');
      if (!fake.customers.has(customer)) throw noSuch('customer', customer, 'customer', 400);
      if (customerEmail !== null) {
        throw invalid('You may only specify one of these parameters: customer, customer_email.', 'customer');
      }
    }
    const intentData = paymentIntentData(params.payment_intent_data);
    const customText = sessionCustomText(params.custom_text);
    const locale = params.locale === undefined ? null : str(params.locale, 'locale');
    if (locale !== null && !CHECKOUT_LOCALES.has(locale)) {
      throw invalid(`Invalid locale: must be one of ${[...CHECKOUT_LOCALES].join(', ')}`, 'locale');
    }
    if (params.expand !== undefined && !Array.isArray(params.expand))
      throw invalid('Invalid array', 'expand');

    const id = `cs_test_${rand(58)}`;
    const session: FakeSession = {
      id,
      object: 'checkout.session',
      adaptive_pricing: null,
      after_expiration: null,
      allow_promotion_codes: null,
      amount_subtotal: amountTotal,
      amount_total: amountTotal,
      automatic_tax: { enabled: false, liability: null, provider: null, status: null },
      billing_address_collection: null,
      cancel_url: cancelUrl,
      client_reference_id: clientReferenceId,
      client_secret: hosted ? null : `${id}_secret_${rand(24)}`,
      collected_information: null,
      consent: null,
      consent_collection: null,
      created,
      currency,
      currency_conversion: null,
      custom_fields: [],
      custom_text: customText,
      customer,
      customer_account: null,
      customer_creation: 'if_required',
      customer_details: null,
      customer_email: customerEmail,
      discounts: [],
      expires_at: expiresAt,
      invoice: null,
      invoice_creation: { enabled: false, invoice_data: null },
      livemode: false,
      locale,
      metadata,
      mode: 'payment',
      origin_context: null,
      payment_intent: null,
      payment_link: null,
      payment_method_collection: 'if_required',
      payment_method_configuration_details: null,
      payment_method_options: {},
      payment_method_types: ['card'],
      payment_status: 'unpaid',
      recovered_from: null,
      saved_payment_method_options: null,
      setup_intent: null,
      shipping_address_collection: null,
      shipping_cost: null,
      shipping_options: [],
      status: 'open',
      submit_type: null,
      subscription: null,
      success_url: successUrl,
      total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
      ui_mode: uiMode,
      url: hosted ? `http://127.0.0.1:${port}/pay/${id}` : null,
      wallet_options: null,
      lineItems,
      intentData,
    };
    if (idempotencyKey !== undefined) session.idempotencyKey = idempotencyKey;
    fake.sessions.set(id, session);
    return session;
  };

  const createRefund = (params: Record<string, unknown>): FakeRefund => {
    checkKnown(params, REFUND_PARAMS, '');
    rejectEmptyStrings(params, []);
    const hasPi = params.payment_intent !== undefined;
    const hasCh = params.charge !== undefined;
    if (hasPi === hasCh) {
      throw invalid(
        'Must provide exactly one of these parameters: charge, payment_intent.',
        hasPi ? 'charge' : 'payment_intent',
      );
    }
    let pi: FakePaymentIntent | undefined;
    if (hasPi) {
      const piId = str(params.payment_intent, 'payment_intent');
      pi = fake.paymentIntents.get(piId);
      if (!pi) throw noSuch('payment_intent', piId, 'payment_intent', 400);
    } else {
      const chId = str(params.charge, 'charge');
      pi = [...fake.paymentIntents.values()].find((p) => p.charge === chId);
      if (!pi) throw noSuch('charge', chId, 'charge', 400);
    }
    if (pi.status !== 'succeeded') {
      throw invalid(
        `This PaymentIntent (${pi.id}) does not have a successful charge to refund.`,
        hasPi ? 'payment_intent' : 'charge',
      );
    }
    const remaining = pi.amount - pi.amount_refunded;
    if (remaining <= 0) {
      throw invalid(`Charge ${pi.charge} has already been refunded.`, undefined, 'charge_already_refunded');
    }
    let amount = remaining;
    if (params.amount !== undefined) {
      amount = int(params.amount, 'amount');
      if (amount < 1) throw invalid('This value must be greater than or equal to 1.', 'amount');
      if (amount > remaining) {
        throw invalid(
          `Refund amount (${formatAmount(amount, pi.currency)}) is greater than unrefunded amount on charge (${formatAmount(remaining, pi.currency)})`,
          'amount',
          'amount_too_large',
        );
      }
    }
    let reason: string | null = null;
    if (params.reason !== undefined) {
      reason = str(params.reason, 'reason');
      if (!['duplicate', 'fraudulent', 'requested_by_customer'].includes(reason)) {
        throw invalid(
          'Invalid reason: must be one of duplicate, fraudulent, or requested_by_customer',
          'reason',
        );
      }
    }
    const metadata = validMetadata(params.metadata, 'metadata');
    pi.amount_refunded += amount;
    const refund: FakeRefund = {
      id: newId('re_'),
      object: 'refund',
      amount,
      balance_transaction: newId('txn_'),
      charge: pi.charge,
      created: now(),
      currency: pi.currency,
      destination_details: {
        card: { reference_status: 'pending', reference_type: 'acquirer_reference_number', type: 'refund' },
        type: 'card',
      },
      metadata,
      payment_intent: pi.id,
      reason,
      receipt_number: null,
      source_transfer_reversal: null,
      status: 'succeeded',
      transfer_reversal: null,
    };
    fake.refunds.push(refund);
    return refund;
  };

  /** The Balance object: payments taken, net of refunds, pending per currency (none available yet). */
  const balance = () => {
    const pending = new Map<string, number>();
    for (const pi of fake.paymentIntents.values()) {
      if (pi.status !== 'succeeded') continue;
      pending.set(pi.currency, (pending.get(pi.currency) ?? 0) + pi.amount - pi.amount_refunded);
    }
    if (pending.size === 0) pending.set('usd', 0);
    const currencies = [...pending.keys()];
    return {
      object: 'balance',
      available: currencies.map((currency) => ({ amount: 0, currency, source_types: { card: 0 } })),
      connect_reserved: currencies.map((currency) => ({ amount: 0, currency })),
      livemode: false,
      pending: currencies.map((currency) => ({
        amount: pending.get(currency)!,
        currency,
        source_types: { card: pending.get(currency)! },
      })),
    };
  };

  type Handled = { status: number; body: unknown };

  const route = (
    method: string,
    path: string,
    params: Record<string, unknown>,
    idempotencyKey: string | undefined,
    requestId: string,
    stripeVersion: string,
  ): Handled => {
    let m: RegExpExecArray | null;
    if (method === 'POST' && path === '/v1/checkout/sessions') {
      return { status: 200, body: publicSession(createSession(params, idempotencyKey)) };
    }
    if (method === 'GET' && path === '/v1/balance') {
      checkKnown(params, ['expand'], '');
      return { status: 200, body: balance() };
    }
    if (method === 'GET' && (m = /^\/v1\/checkout\/sessions\/([^/]+)$/.exec(path))) {
      checkKnown(params, ['expand'], '');
      const id = decodeURIComponent(m[1]!);
      const s = fake.sessions.get(id);
      if (!s) throw noSuch('checkout.session', id, 'session');
      return { status: 200, body: publicSession(s) };
    }
    if (method === 'POST' && (m = /^\/v1\/checkout\/sessions\/([^/]+)\/expire$/.exec(path))) {
      checkKnown(params, ['expand'], '');
      const id = decodeURIComponent(m[1]!);
      const s = fake.sessions.get(id);
      if (!s) throw noSuch('checkout.session', id, 'session');
      if (s.status !== 'open') {
        throw invalid(
          `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of \`${s.status}\`.`,
        );
      }
      doExpire(s, idempotencyKey !== undefined ? { id: requestId, key: idempotencyKey } : { id: requestId });
      return { status: 200, body: publicSession(s) };
    }
    if (method === 'POST' && path === '/v1/refunds') {
      return { status: 200, body: createRefund(params) };
    }
    const payment = payments.route(method, path, params, stripeVersion);
    if (payment) return payment;
    if (method === 'GET' && (m = /^\/v1\/refunds\/([^/]+)$/.exec(path))) {
      checkKnown(params, ['expand'], '');
      const id = decodeURIComponent(m[1]!);
      const r = fake.refunds.find((x) => x.id === id);
      if (!r) throw noSuch('refund', id, 'id');
      return { status: 200, body: r };
    }
    throw invalid(
      `Unrecognized request URL (${method}: ${path}). Please see https://docs.stripe.com or we can help at https://support.stripe.com/.`,
      undefined,
      undefined,
      404,
    );
  };

  const checkAuth = (req: http.IncomingMessage) => {
    const auth = req.headers.authorization;
    let key: string | undefined;
    if (auth?.startsWith('Bearer ')) key = auth.slice(7).trim();
    else if (auth?.startsWith('Basic '))
      key = Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':')[0];
    if (!key) {
      throw invalid(
        "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://docs.stripe.com/api#authentication for details, or we can help at https://support.stripe.com/.",
        undefined,
        undefined,
        401,
      );
    }
    if (key !== secretKey) {
      const prefix = /^(sk|rk)_(test|live)_/.exec(key)?.[0] ?? '';
      const redacted = `${prefix}${'*'.repeat(Math.max(0, key.length - prefix.length - 4))}${key.slice(-4)}`;
      throw invalid(`Invalid API Key provided: ${redacted}`, undefined, undefined, 401);
    }
  };

  // ---- HTTP server ----------------------------------------------------------------------------

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => res.destroy());
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });

  const handle = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => {
    const method = req.method ?? 'GET';
    const [rawPath, query = ''] = (req.url ?? '/').split('?', 2) as [string, string?];
    const path = rawPath;
    const requestId = newId('req_', 14);
    const idemHeader = req.headers['idempotency-key'];
    const idempotencyKey = typeof idemHeader === 'string' ? idemHeader : undefined;
    const stripeVersion =
      typeof req.headers['stripe-version'] === 'string' ? req.headers['stripe-version'] : apiVersion;

    // The fake's hosted "checkout page"; its Pay button completes the session and, when a
    // webhook URL is set, delivers the signed event there, then follows success_url.
    if ((method === 'GET' || method === 'POST') && path.startsWith('/pay/')) {
      let id = '';
      try {
        id = decodeURIComponent(path.slice(5));
      } catch {
        // malformed percent-encoding: no such session
      }
      const s = fake.sessions.get(id);
      const html = (status: number, body: string, extra: Record<string, string> = {}) => {
        res.writeHead(status, {
          'Content-Type': 'text/html; charset=utf-8',
          'Cache-Control': 'no-store',
          'Content-Security-Policy':
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' http: https:",
          'X-Content-Type-Options': 'nosniff',
          ...extra,
        });
        res.end(body);
      };
      if (method === 'POST' && s?.status === 'open') {
        void payAndDeliver(s.id).then(
          (delivered) => {
            res.writeHead(303, { Location: s.success_url ?? `/pay/${s.id}`, 'X-Webhook-Status': delivered });
            res.end();
          },
          (err: Error) => html(502, paymentFailedPage(`webhook delivery failed: ${err.message}`)),
        );
        return;
      }
      if (!s) return html(404, unknownCheckoutPage());
      return html(
        200,
        checkoutPage({
          id: s.id,
          status: s.status,
          productName: s.lineItems
            .map((l) => (l.quantity > 1 ? `${l.quantity} × ${l.name}` : l.name))
            .join(', '),
          amount: displayAmount(s.amount_total, s.currency),
          successUrl: s.success_url,
          cancelUrl: s.cancel_url,
        }),
      );
    }

    const record: StripeRequestRecord = { method, path, params: {} };
    if (idempotencyKey !== undefined) record.idempotencyKey = idempotencyKey;
    fake.requests.push(record);

    const baseHeaders: Record<string, string> = {
      'Content-Type': 'application/json',
      'Request-Id': requestId,
      'Stripe-Version': stripeVersion,
      'Access-Control-Allow-Origin': '*',
    };
    if (idempotencyKey !== undefined) baseHeaders['Idempotency-Key'] = idempotencyKey;

    // `lost-reply` and `{ delayMs }` process the request, then hold its answer back.
    let hold: 'never' | number | undefined;
    const reply = (status: number, payload: string, extra: Record<string, string> = {}) => {
      record.status = status;
      if (hold === 'never') {
        record.answered = false;
        return; // processed, never answered; close() ends it
      }
      if (hold !== undefined) {
        const ms = hold;
        hold = undefined;
        record.answered = false;
        const timer = setTimeout(() => {
          if (res.destroyed) return;
          record.answered = true;
          reply(status, payload, extra);
        }, ms);
        res.on('close', () => clearTimeout(timer));
        return;
      }
      record.answered = true;
      res.writeHead(status, {
        ...baseHeaders,
        'Content-Length': String(Buffer.byteLength(payload)),
        ...extra,
      });
      res.end(payload);
    };
    const replyError = (e: StripeHttpError) => {
      const error = { ...e.error, request_log_url: `https://dashboard.stripe.com/test/logs/${requestId}` };
      reply(e.status, JSON.stringify({ error }, null, 2), e.headers);
    };

    const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const rawParams = method === 'GET' || method === 'DELETE' ? query : body;
    try {
      record.params = parseStripeForm(rawParams);
    } catch {
      // reported below, after faults and auth, like Stripe
    }

    try {
      // Injected faults happen before the request is processed (and before auth).
      const fault = faults.shift();
      if (fault !== undefined) {
        record.fault = typeof fault === 'object' ? `delay ${fault.delayMs} ms` : String(fault);
        if (fault === 'timeout') {
          record.answered = false;
          return; // never answered; close() ends it
        }
        if (fault === 'reset') {
          req.socket.resetAndDestroy();
          return;
        }
        if (fault === 'lost-reply') hold = 'never';
        else if (typeof fault === 'object') hold = fault.delayMs;
        else if (fault === 429) {
          throw new StripeHttpError(
            429,
            {
              type: 'invalid_request_error',
              code: 'rate_limit',
              message:
                'Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.',
            },
            { 'Retry-After': '1' },
          );
        } else {
          const error = new StripeHttpError(fault, {
            type: 'api_error',
            message:
              fault === 503
                ? 'Stripe is temporarily unavailable. Please try again later.'
                : 'An unknown error occurred. Please try again later.',
          });
          // A 500 comes from an endpoint that began: Stripe keeps it for the key and gives it
          // again to every retry under that key, "including 500 errors", for 24 hours
          // (docs.stripe.com/api/idempotent_requests). A 503 is answered before any endpoint.
          if (fault === 500 && method === 'POST' && idempotencyKey !== undefined) {
            const err = {
              ...error.error,
              request_log_url: `https://dashboard.stripe.com/test/logs/${requestId}`,
            };
            idempotency.set(idempotencyKey, {
              method,
              path,
              params: canonical(record.params),
              status: 500,
              body: JSON.stringify({ error: err }, null, 2),
              requestId,
            });
          }
          throw error;
        }
      }

      checkAuth(req);

      if (
        method !== 'GET' &&
        method !== 'DELETE' &&
        body.length > 0 &&
        contentType !== 'application/x-www-form-urlencoded'
      ) {
        throw invalid(
          `Invalid request: unsupported Content-Type ${contentType || '(none)'}. If error persists and you need assistance, please contact support@stripe.com.`,
        );
      }
      const params = parseStripeForm(rawParams);

      if (method === 'POST' && idempotencyKey !== undefined) {
        if (idempotencyKey.length > 255) {
          throw invalid('Idempotency keys may be at most 255 characters long.', 'Idempotency-Key');
        }
        const prior = idempotency.get(idempotencyKey);
        if (prior) {
          if (prior.method !== method || prior.path !== path) {
            throw new StripeHttpError(400, {
              type: 'idempotency_error',
              message: `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${method} ${path}' vs '${prior.method} ${prior.path}'). Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
            });
          }
          if (prior.params !== canonical(params)) {
            throw new StripeHttpError(400, {
              type: 'idempotency_error',
              message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
            });
          }
          record.replayed = true;
          reply(prior.status, prior.body, {
            'Idempotent-Replayed': 'true',
            'Original-Request': prior.requestId,
          });
          return;
        }
      }

      const out = route(method, path, params, idempotencyKey, requestId, stripeVersion);
      if (out.status !== 200 && isObj(out.body) && isObj(out.body.error)) {
        out.body.error.request_log_url = `https://dashboard.stripe.com/test/logs/${requestId}`;
      }
      const payload = JSON.stringify(out.body, null, 2);
      if (method === 'POST' && idempotencyKey !== undefined) {
        idempotency.set(idempotencyKey, {
          method,
          path,
          params: canonical(params),
          status: out.status,
          body: payload,
          requestId,
        });
      }
      reply(out.status, payload);
    } catch (e) {
      if (e instanceof StripeHttpError) return replyError(e);
      replyError(
        new StripeHttpError(500, { type: 'api_error', message: `fake-stripe internal error: ${String(e)}` }),
      );
    }
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;

  const fake: FakeStripe = {
    url: `http://127.0.0.1:${port}`,
    port,
    secretKey,
    webhookSecret,
    sessions: new Map(),
    paymentIntents,
    customers,
    paymentMethods,
    refunds: [],
    requests: [],
    events: [],
    fail(times, mode) {
      for (let i = 0; i < times; i++) faults.push(mode);
    },
    heal() {
      faults.length = 0;
    },
    completeSession(id, o = {}) {
      const s = getSession(id);
      if (s.status !== 'open') throw new Error(`fake-stripe: session ${id} is ${s.status}, not open`);
      const paid = (o.paymentStatus ?? 'paid') === 'paid';
      const intent = s.intentData ?? { metadata: {}, setupFutureUsage: null };
      const customer = typeof s.customer === 'string' ? s.customer : null;
      // The card typed on the page; saved to the customer when the session asked for it.
      const card = newCard(
        { customers, paymentMethods, paymentIntents, newId, now, minAmount: () => 0, emit },
        o.card ?? 'succeeds',
        intent.setupFutureUsage && customer ? customer : null,
      );
      const pi: FakePaymentIntent = {
        id: newId('pi_'),
        charge: newId('ch_'),
        session: id,
        amount: s.amount_total,
        amount_refunded: 0,
        currency: s.currency,
        status: paid ? 'succeeded' : 'processing',
        customer,
        payment_method: card.id,
        metadata: { ...intent.metadata },
        created: now(),
        last_payment_error: null,
        setup_future_usage: intent.setupFutureUsage,
      };
      fake.paymentIntents.set(pi.id, pi);
      s.status = 'complete';
      s.payment_status = paid ? 'paid' : 'unpaid';
      s.payment_intent = pi.id;
      s.url = null;
      s.customer_details = {
        address: { city: null, country: 'US', line1: null, line2: null, postal_code: '10001', state: null },
        business_name: null,
        email: s.customer_email ?? 'buyer@example.com',
        individual_name: null,
        name: 'Test Buyer',
        phone: null,
        tax_exempt: 'none',
        tax_ids: [],
      };
      return makeEvent('checkout.session.completed', publicSession(s));
    },
    succeedAsyncPayment(id) {
      const s = getSession(id);
      if (s.status !== 'complete' || s.payment_status !== 'unpaid' || !s.payment_intent) {
        throw new Error(`fake-stripe: session ${id} is not awaiting an async payment`);
      }
      const pi = fake.paymentIntents.get(s.payment_intent)!;
      pi.status = 'succeeded';
      s.payment_status = 'paid';
      return makeEvent('checkout.session.async_payment_succeeded', publicSession(s));
    },
    failAsyncPayment(id) {
      const s = getSession(id);
      if (s.status !== 'complete' || s.payment_status !== 'unpaid' || !s.payment_intent) {
        throw new Error(`fake-stripe: session ${id} is not awaiting an async payment`);
      }
      fake.paymentIntents.get(s.payment_intent)!.status = 'requires_payment_method';
      return makeEvent('checkout.session.async_payment_failed', publicSession(s));
    },
    detachPaymentMethod(id) {
      const pm = paymentMethods.get(id);
      if (!pm?.customer) throw new Error(`fake-stripe: payment method ${id} is not attached`);
      return payments.detach(pm);
    },
    expireSession(id) {
      const s = getSession(id);
      if (s.status !== 'open') throw new Error(`fake-stripe: session ${id} is ${s.status}, not open`);
      return doExpire(s);
    },
    event(type, object) {
      return makeEvent(type, object);
    },
    sign(event, o = {}) {
      const payload = JSON.stringify(event, null, 2);
      const header = Stripe.webhooks.generateTestHeaderString({
        payload,
        secret: o.secret ?? webhookSecret,
        ...(o.timestamp !== undefined ? { timestamp: o.timestamp } : {}),
      });
      return { payload, header };
    },
    publicSession(id) {
      return publicSession(getSession(id));
    },
    reset() {
      fake.sessions.clear();
      fake.paymentIntents.clear();
      fake.customers.clear();
      fake.paymentMethods.clear();
      fake.refunds.length = 0;
      fake.requests.length = 0;
      fake.events.length = 0;
      faults.length = 0;
      idempotency.clear();
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  /** Completes an open session and posts the signed event to `webhookUrl`; returns its status. */
  async function payAndDeliver(id: string): Promise<string> {
    const event = fake.completeSession(id);
    if (!opts.webhookUrl) return 'not_delivered';
    const { payload, header } = fake.sign(event);
    const res = await fetch(opts.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': header },
      body: payload,
    });
    return String(res.status);
  }

  return fake;
}
