import type Stripe from 'stripe';
import { config } from './config';
import { timeoutWithin, type Deadline } from './deadline';
import { ExternalServiceError, notConfigured } from './errors';
import { log } from './log';

export type StripeEvent = Stripe.Event;
export type CheckoutSession = Stripe.Checkout.Session;
export type PaymentIntent = Stripe.PaymentIntent;
export type PaymentMethod = Stripe.PaymentMethod;

let sdk: typeof Stripe | undefined;
let client: Stripe | undefined;

/**
 * The SDK's module, evaluated on first use rather than at import: a function that may call
 * Stripe (a YES that charges a saved card, the dispatcher's follow-ups, a new lead's bundle)
 * does not pay for building its 240 KiB on every cold start, only when it first calls Stripe.
 * Functions that always need it (the pay link, the webhook) load it at init (`stripeSdk` in
 * their clients).
 */
export async function stripeSdk(): Promise<typeof Stripe> {
  sdk ??= (await import('stripe')).default;
  return sdk;
}

/** The Stripe SDK, created once per container; STRIPE_API_URL points it at a local server. */
export async function stripe(): Promise<Stripe> {
  if (client) return client;
  const { secretKey, apiUrl, timeoutMs } = config().stripe;
  if (!secretKey) throw notConfigured('Payments are not configured (STRIPE_SECRET_KEY)');
  const Sdk = await stripeSdk();
  const target = apiUrl ? new URL(apiUrl) : undefined;
  client ??= new Sdk(secretKey, {
    timeout: timeoutMs,
    maxNetworkRetries: 1,
    ...(target && {
      host: target.hostname,
      port: target.port || (target.protocol === 'http:' ? 80 : 443),
      protocol: target.protocol.replace(':', '') as 'http' | 'https',
    }),
  });
  return client;
}

type SdkErrors = (typeof Stripe)['errors'];
type ErrorClass = {
  [K in keyof SdkErrors]: SdkErrors[K] extends abstract new (...args: never[]) => unknown ? K : never;
}[keyof SdkErrors];

/**
 * Whether `err` is one of the SDK's errors of class `kind`: never before the SDK is loaded (then
 * nothing of it can have thrown).
 */
function isSdkError<K extends ErrorClass>(err: unknown, kind: K): err is InstanceType<SdkErrors[K]> {
  const cls = sdk?.errors[kind] as (abstract new (...args: never[]) => unknown) | undefined;
  return cls !== undefined && err instanceof cls;
}

/** Forget the client so the next call reads the configuration again (tests). */
export function resetStripe(): void {
  client = undefined;
}

/** Inside a request's budget after commit: no SDK retry, and only the time left (the queue retries). */
function perRequest(deadline?: Deadline): Pick<Stripe.RequestOptions, 'timeout' | 'maxNetworkRetries'> {
  if (!deadline) return {};
  return { timeout: timeoutWithin(config().stripe.timeoutMs, deadline), maxNetworkRetries: 0 };
}

/**
 * A provider waits on the pay page while the session is created: both tries of the SDK (one
 * retry) must fit well inside the function's 10 s timeout, so the page, not API Gateway's
 * bare 503, tells them to try again.
 */
const PAY_PAGE_TRY_MS = 4_000;

function wrap(err: unknown, what: string): ExternalServiceError {
  if (isSdkError(err, 'StripeError')) {
    const status = err.statusCode;
    const retryable =
      isSdkError(err, 'StripeConnectionError') ||
      isSdkError(err, 'StripeAPIError') ||
      isSdkError(err, 'StripeRateLimitError') ||
      status === undefined ||
      status === 429 ||
      status >= 500;
    // Stripe keeps the answer of a request whose endpoint began, a 500 included, and gives it
    // again to every retry under the same idempotency key for 24 hours; a key sent with other
    // parameters is refused as long (docs.stripe.com/api/idempotent_requests). Either way the
    // key is spent. (A 503 or 429 is answered before the endpoint runs: nothing kept.)
    const keySpent = isSdkError(err, 'StripeIdempotencyError') || status === 500;
    return new ExternalServiceError('stripe', `${what}: ${err.message}`, retryable, status, {
      ...(err.code && { code: err.code }),
      ...(err.param && { param: err.param }),
      ...(keySpent && { keySpent }),
    });
  }
  return new ExternalServiceError('stripe', `${what}: ${(err as Error)?.message ?? String(err)}`, true);
}

export type NewCheckout = {
  offerId: string;
  leadId: string;
  providerId: string;
  attempt: number;
  /** The lead's price: the one line item's unit amount. */
  priceCents: number;
  currency: string;
  productName: string;
  expiresAt: Date;
  successUrl: string;
  cancelUrl: string;
  /** The provider's Stripe Customer. */
  customerId?: string;
  /** The page's language: the provider's (their language module's, lib/sms/languages/). */
  locale: Stripe.Checkout.SessionCreateParams.Locale;
  /**
   * Save the card for later off-session charges (their first Checkout), and say so on the page
   * with `notice` (in the page's language).
   */
  saveCard?: { notice: string };
};

export async function createCheckoutSession(input: NewCheckout): Promise<CheckoutSession> {
  try {
    const api = await stripe();
    return await api.checkout.sessions.create(
      {
        mode: 'payment',
        line_items: [
          {
            quantity: 1,
            price_data: {
              currency: input.currency,
              unit_amount: input.priceCents,
              product_data: { name: input.productName },
            },
          },
        ],
        metadata: { leadId: input.leadId, providerId: input.providerId, offerId: input.offerId },
        payment_intent_data: {
          metadata: { leadId: input.leadId, providerId: input.providerId, offerId: input.offerId },
          ...(input.saveCard && { setup_future_usage: 'off_session' as const }),
        },
        ...(input.customerId && { customer: input.customerId }),
        locale: input.locale,
        ...(input.saveCard && { custom_text: { submit: { message: input.saveCard.notice } } }),
        expires_at: Math.floor(input.expiresAt.getTime() / 1000),
        success_url: input.successUrl,
        cancel_url: input.cancelUrl,
      },
      // Ours, naming the offer and the attempt: a retry reuses the session, a new attempt does not.
      {
        idempotencyKey: `checkout:${input.offerId}:${input.attempt}`,
        timeout: Math.min(config().stripe.timeoutMs, PAY_PAGE_TRY_MS),
      },
    );
  } catch (err) {
    throw wrap(err, 'Stripe could not create the Checkout Session');
  }
}

/** A reused session's state is asked within this, once: a slow answer leaves the session as stored. */
const SESSION_CHECK_MS = 2_000;

/**
 * What Stripe says of a Checkout Session we stored: its `status`, or `unknown` when Stripe does
 * not know it (`resource_missing`: the key now names another account or mode, test data was
 * deleted, or the sandbox's stand-in restarted), or `unanswered` when Stripe could not say in
 * time (the stored session is then trusted as it is).
 */
export async function checkoutSessionState(
  id: string,
): Promise<'open' | 'complete' | 'expired' | 'unknown' | 'unanswered'> {
  try {
    const api = await stripe();
    const session = await api.checkout.sessions.retrieve(
      id,
      {},
      { timeout: Math.min(config().stripe.timeoutMs, SESSION_CHECK_MS), maxNetworkRetries: 0 },
    );
    return (['open', 'complete', 'expired'] as const).find((s) => s === session.status) ?? 'unanswered';
  } catch (err) {
    if (isSdkError(err, 'StripeInvalidRequestError') && err.code === RESOURCE_MISSING) return 'unknown';
    if (isSdkError(err, 'StripeAuthenticationError')) throw wrap(err, 'Stripe refused the API key');
    return 'unanswered';
  }
}

/**
 * Expires an open session; one that is already complete or expired is left as it is. `tryNumber`
 * (the follow-up's try) is part of the key: expiring is once by its nature (Stripe expires only
 * an open session), so a try after one whose answer was lost needs no replay, and a new key per
 * try means a 500 Stripe kept for one try is not replayed to the next.
 */
export async function expireCheckoutSession(
  id: string,
  tryNumber: number,
  deadline?: Deadline,
): Promise<'expired' | 'not_open'> {
  try {
    const api = await stripe();
    await api.checkout.sessions.expire(
      id,
      {},
      { idempotencyKey: `expire:${id}:${tryNumber}`, ...perRequest(deadline) },
    );
    return 'expired';
  } catch (err) {
    if (isSdkError(err, 'StripeInvalidRequestError')) {
      const api = await stripe();
      const session = await api.checkout.sessions
        .retrieve(id, {}, perRequest(deadline))
        .catch((e: unknown) => {
          throw wrap(e, 'Stripe could not read the Checkout Session');
        });
      if (session.status !== 'open') return 'not_open';
    }
    throw wrap(err, 'Stripe could not expire the Checkout Session');
  }
}

/**
 * Refunds a payment in full, once: Stripe refuses to refund more than was paid
 * (`charge_already_refunded`, docs.stripe.com/error-codes), which is what makes a second try
 * harmless. The key names the session it paid and the follow-up's try (`tryNumber`), so the
 * SDK's own retry within a try is safe and a 500 kept for one try does not answer the next.
 */
export async function refundPayment(
  paymentIntentId: string,
  sessionId: string,
  tryNumber: number,
  deadline?: Deadline,
): Promise<string> {
  try {
    const api = await stripe();
    const refund = await api.refunds.create(
      {
        payment_intent: paymentIntentId,
        reason: 'requested_by_customer',
        metadata: { checkoutSessionId: sessionId },
      },
      { idempotencyKey: `refund:${sessionId}:${tryNumber}`, ...perRequest(deadline) },
    );
    return refund.id;
  } catch (err) {
    if (isSdkError(err, 'StripeInvalidRequestError') && err.code === 'charge_already_refunded') {
      return 'already_refunded';
    }
    throw wrap(err, 'Stripe could not refund the payment');
  }
}

/**
 * Reads the account's balance (`GET /v1/balance`): a cheap authenticated read for
 * `GET /health/integrations`, one try within `timeoutMs`. Undefined when Stripe answered, else a
 * short reason (the status, a timeout): never Stripe's message, which quotes the key's prefix
 * and last characters.
 */
export async function probeStripe(timeoutMs: number): Promise<string | undefined> {
  if (!config().stripe.secretKey) return 'not configured (STRIPE_SECRET_KEY)';
  try {
    const api = await stripe();
    await api.balance.retrieve({}, { timeout: timeoutMs, maxNetworkRetries: 0 });
    return undefined;
  } catch (err) {
    if (isSdkError(err, 'StripeError') && err.statusCode) return `Stripe answered ${err.statusCode}`;
    if (isSdkError(err, 'StripeConnectionError') && /timeout/i.test(err.message)) {
      return `Stripe did not answer within ${timeoutMs} ms`;
    }
    return 'Stripe unreachable';
  }
}

/**
 * Verifies `Stripe-Signature` over the exact raw body (Stripe's 300 s tolerance) and returns
 * the event; throws Stripe's StripeSignatureVerificationError when it does not hold.
 */
export async function verifyWebhook(
  rawBody: Buffer,
  signature: string,
  secret: string,
): Promise<StripeEvent> {
  const Sdk = await stripeSdk();
  const event = Sdk.webhooks.constructEvent(rawBody, signature, secret);
  // Events come in the API version the endpoint was created with; the code reads them with the
  // SDK's (README, Deploying). Said in the logs, so a mismatched endpoint is found early.
  if (event.api_version && event.api_version !== Sdk.API_VERSION) {
    log.warn('Stripe event in another API version than the SDK: recreate the webhook endpoint with it', {
      eventId: event.id,
      eventVersion: event.api_version,
      sdkVersion: Sdk.API_VERSION,
    });
  }
  return event;
}

/**
 * The provider's Stripe Customer, created once: the idempotency key names the provider, so
 * concurrent first opens of their links (or a retry after a lost answer) get the same one. One
 * that replaces a customer Stripe no longer knows (`replaces`) has a key naming that one too: the
 * first key would replay the lost customer for 24 hours. `within` (the checkout attempt) makes a
 * key of that attempt's own, for when Stripe spent the provider's key on a 500.
 */
export async function createCustomer(
  providerId: string,
  opts: { replaces?: string; within?: string } = {},
): Promise<string> {
  const key = opts.replaces ? `customer:${providerId}:after:${opts.replaces}` : `customer:${providerId}`;
  try {
    const api = await stripe();
    const customer = await api.customers.create(
      { metadata: { providerId } },
      {
        idempotencyKey: opts.within ? `${key}:in:${opts.within}` : key,
        timeout: Math.min(config().stripe.timeoutMs, PAY_PAGE_TRY_MS),
      },
    );
    return customer.id;
  } catch (err) {
    throw wrap(err, 'Stripe could not create the Customer');
  }
}

/** The PaymentMethod a PaymentIntent was paid with (the card a Checkout saved). */
export async function paymentMethodOf(paymentIntentId: string, deadline?: Deadline): Promise<string | null> {
  try {
    const api = await stripe();
    const intent = await api.paymentIntents.retrieve(paymentIntentId, {}, perRequest(deadline));
    const pm = intent.payment_method;
    return typeof pm === 'string' ? pm : (pm?.id ?? null);
  } catch (err) {
    throw wrap(err, 'Stripe could not read the PaymentIntent');
  }
}

export type NewCardSetup = {
  providerId: string;
  customerId: string;
  /** The currency of their leads: Checkout shows the Dashboard's payment methods that take it. */
  currency: string;
  successUrl: string;
  cancelUrl: string;
  locale: Stripe.Checkout.SessionCreateParams.Locale;
};

/**
 * What marks a Checkout Session (`metadata.purpose`) as the portal's card replacement: its
 * completion saves the card (lib/purchases/fulfil-payment.ts routes by `mode`).
 */
export const CARD_SETUP = 'portal_card';

/**
 * A Checkout Session in `setup` mode that saves a card to the provider's Customer for off-session
 * charges (docs.stripe.com/payments/save-and-reuse?platform=checkout): no line items (refused in
 * setup mode), and a `currency`, "required in setup mode when payment_method_types is not set"
 * (docs.stripe.com/api/checkout/sessions/create#create_checkout_session-currency). The SDK's own
 * idempotency key covers its retry; each request is a new session.
 */
export async function createCardSetupSession(input: NewCardSetup): Promise<CheckoutSession> {
  try {
    const api = await stripe();
    const metadata = { providerId: input.providerId, purpose: CARD_SETUP };
    return await api.checkout.sessions.create(
      {
        mode: 'setup',
        currency: input.currency,
        customer: input.customerId,
        metadata,
        setup_intent_data: { metadata },
        locale: input.locale,
        success_url: input.successUrl,
        cancel_url: input.cancelUrl,
      },
      { timeout: Math.min(config().stripe.timeoutMs, PAY_PAGE_TRY_MS) },
    );
  } catch (err) {
    throw wrap(err, 'Stripe could not create the card setup session');
  }
}

/** The card a setup-mode Checkout saved: its SetupIntent's `payment_method`. */
export async function setupPaymentMethodOf(
  setupIntentId: string,
  deadline?: Deadline,
): Promise<string | null> {
  try {
    const api = await stripe();
    const intent = await api.setupIntents.retrieve(setupIntentId, {}, perRequest(deadline));
    const pm = intent.payment_method;
    return typeof pm === 'string' ? pm : (pm?.id ?? null);
  } catch (err) {
    throw wrap(err, 'Stripe could not read the SetupIntent');
  }
}

/**
 * Detaches a saved card from its Customer (`POST /v1/payment_methods/{id}/detach`): it "can no
 * longer be used for a payment or re-attached to a Customer" (docs.stripe.com/api/payment_methods/
 * detach). A card Stripe holds no more, or holds detached already, is gone as asked: `gone`.
 */
export async function detachPaymentMethod(
  paymentMethodId: string,
  deadline?: Deadline,
): Promise<'detached' | 'gone'> {
  try {
    const api = await stripe();
    await api.paymentMethods.detach(paymentMethodId, {}, perRequest(deadline));
    return 'detached';
  } catch (err) {
    // Stripe answers a detached card with an invalid request and no code: "The payment method you
    // provided is not attached to a customer so detachment is impossible." (quoted in
    // stripe-ruby-mock/stripe-ruby-mock#751); an unknown one with `resource_missing`.
    if (
      isSdkError(err, 'StripeInvalidRequestError') &&
      (err.code === RESOURCE_MISSING || /not attached to a customer/i.test(err.message))
    ) {
      return 'gone';
    }
    throw wrap(err, 'Stripe could not remove the saved card');
  }
}

export type SavedCardCharge = {
  offerId: string;
  leadId: string;
  providerId: string;
  attempt: number;
  customerId: string;
  paymentMethodId: string;
  /** The lead's price when the YES queued the charge: the PaymentIntent's amount. */
  priceCents: number;
  currency: string;
};

/** Metadata of an off-session charge: the checkout's keys, and what marks it off-session. */
export const OFF_SESSION = 'true';

export type ChargeAnswer =
  | { kind: 'created'; paymentIntentId: string; status: string }
  /** The card was refused (`card_declined`, `authentication_required`, …): pay by link instead. */
  | { kind: 'declined'; code: string; paymentIntentId: string | null }
  /**
   * Stripe will not charge this card any more: `card` (detached or gone) is forgotten, and with
   * `customer` (Stripe does not know the customer) the provider's Customer too.
   */
  | { kind: 'card_unusable'; code: string; forget: 'card' | 'customer' };

/** Stripe's documented code for an id it does not know (docs.stripe.com/error-codes#resource-missing). */
export const RESOURCE_MISSING = 'resource_missing';

/**
 * Whether a charge Stripe refused as an invalid request was refused because the card (or the
 * customer) is gone, told from what Stripe documents rather than its message: `resource_missing`
 * naming the customer or the payment method; otherwise the PaymentMethod itself, read back, is
 * missing or no longer saved to this customer (its `customer` field; a detached PaymentMethod
 * "can no longer be used for a payment", docs.stripe.com/api/payment_methods/detach). Anything
 * else is not about the card: undefined.
 */
async function unusableCard(
  api: Stripe,
  input: SavedCardCharge,
  err: { code?: string; param?: string },
  deadline?: Deadline,
): Promise<ChargeAnswer | undefined> {
  if (err.code === RESOURCE_MISSING && err.param === 'customer') {
    return { kind: 'card_unusable', code: 'customer_missing', forget: 'customer' };
  }
  if (err.code === RESOURCE_MISSING && err.param === 'payment_method') {
    return { kind: 'card_unusable', code: 'payment_method_missing', forget: 'card' };
  }
  try {
    const pm = await api.paymentMethods.retrieve(input.paymentMethodId, {}, perRequest(deadline));
    const owner = typeof pm.customer === 'string' ? pm.customer : (pm.customer?.id ?? null);
    return owner === input.customerId
      ? undefined
      : { kind: 'card_unusable', code: 'payment_method_detached', forget: 'card' };
  } catch (e) {
    if (isSdkError(e, 'StripeInvalidRequestError') && e.code === RESOURCE_MISSING) {
      return { kind: 'card_unusable', code: 'payment_method_missing', forget: 'card' };
    }
    throw wrap(e, 'Stripe could not read the saved card');
  }
}

/**
 * Charges the saved card off-session, once per offer and attempt (the idempotency key names
 * both, so a retry after a lost answer gets Stripe's first answer back, never a second charge).
 * A refusal is an answer, not an error; what may pass on a retry throws a retryable error.
 */
export async function chargeSavedCard(input: SavedCardCharge, deadline?: Deadline): Promise<ChargeAnswer> {
  try {
    const api = await stripe();
    const intent = await api.paymentIntents.create(
      {
        amount: input.priceCents,
        currency: input.currency,
        customer: input.customerId,
        payment_method: input.paymentMethodId,
        off_session: true,
        confirm: true,
        // Since API version 2023-08-16 a PaymentIntent takes the Dashboard's payment methods by
        // default, redirect-based ones included, and Stripe refuses to confirm it without a
        // `return_url`. Off-session nobody can follow a redirect (the provider is on SMS), so we
        // take Stripe's other documented shape, `allow_redirects: never`, rather than a
        // return_url no one would reach: a saved card (or Link) charges as before, and a saved
        // method that would need a redirect is refused at once, so its provider gets the pay
        // link instead of a payment stuck in `requires_action`. (docs.stripe.com/api/
        // payment_intents/create#create_payment_intent-automatic_payment_methods-allow_redirects)
        automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
        metadata: {
          leadId: input.leadId,
          providerId: input.providerId,
          offerId: input.offerId,
          offSession: OFF_SESSION,
          chargeAttempt: String(input.attempt),
        },
      },
      { idempotencyKey: `charge:${input.offerId}:${input.attempt}`, ...perRequest(deadline) },
    );
    return { kind: 'created', paymentIntentId: intent.id, status: intent.status };
  } catch (err) {
    if (isSdkError(err, 'StripeCardError')) {
      return {
        kind: 'declined',
        code: err.code ?? 'card_error',
        paymentIntentId: err.payment_intent?.id ?? null,
      };
    }
    if (isSdkError(err, 'StripeInvalidRequestError')) {
      const unusable = await unusableCard(await stripe(), input, err, deadline);
      if (unusable) return unusable;
    }
    throw wrap(err, 'Stripe could not charge the saved card');
  }
}
