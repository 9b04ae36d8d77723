import Stripe from 'stripe';
import { config } from './config';
import { timeoutWithin, type Deadline } from './deadline';
import { ExternalServiceError, notConfigured } from './errors';

export type StripeEvent = Stripe.Event;
export type CheckoutSession = Stripe.Checkout.Session;

let client: Stripe | undefined;

/** The Stripe SDK, created once per container; STRIPE_API_URL points it at a local server. */
export function stripe(): Stripe {
  if (client) return client;
  const { secretKey, apiUrl, timeoutMs } = config().stripe;
  if (!secretKey) throw notConfigured('Payments are not configured (STRIPE_SECRET_KEY)');
  const target = apiUrl ? new URL(apiUrl) : undefined;
  client = new Stripe(secretKey, {
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
  if (err instanceof Stripe.errors.StripeError) {
    const status = err.statusCode;
    const retryable =
      err instanceof Stripe.errors.StripeConnectionError ||
      err instanceof Stripe.errors.StripeAPIError ||
      err instanceof Stripe.errors.StripeRateLimitError ||
      status === undefined ||
      status === 429 ||
      status >= 500;
    return new ExternalServiceError('stripe', `${what}: ${err.message}`, retryable, status);
  }
  return new ExternalServiceError('stripe', `${what}: ${(err as Error)?.message ?? String(err)}`, true);
}

export type NewCheckout = {
  offerId: string;
  leadId: string;
  providerId: string;
  attempt: number;
  amountCents: number;
  currency: string;
  productName: string;
  expiresAt: Date;
  successUrl: string;
  cancelUrl: string;
};

export async function createCheckoutSession(input: NewCheckout): Promise<CheckoutSession> {
  try {
    return await stripe().checkout.sessions.create(
      {
        mode: 'payment',
        line_items: [
          {
            quantity: 1,
            price_data: {
              currency: input.currency,
              unit_amount: input.amountCents,
              product_data: { name: input.productName },
            },
          },
        ],
        metadata: { leadId: input.leadId, providerId: input.providerId, offerId: input.offerId },
        payment_intent_data: {
          metadata: { leadId: input.leadId, providerId: input.providerId, offerId: input.offerId },
        },
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

/** Expires an open session; one that is already complete or expired is left as it is. */
export async function expireCheckoutSession(
  id: string,
  deadline?: Deadline,
): Promise<'expired' | 'not_open'> {
  try {
    await stripe().checkout.sessions.expire(
      id,
      {},
      { idempotencyKey: `expire:${id}`, ...perRequest(deadline) },
    );
    return 'expired';
  } catch (err) {
    if (err instanceof Stripe.errors.StripeInvalidRequestError) {
      const session = await stripe()
        .checkout.sessions.retrieve(id, {}, perRequest(deadline))
        .catch((e: unknown) => {
          throw wrap(e, 'Stripe could not read the Checkout Session');
        });
      if (session.status !== 'open') return 'not_open';
    }
    throw wrap(err, 'Stripe could not expire the Checkout Session');
  }
}

/** Refunds a payment in full, once: the idempotency key names the session it paid. */
export async function refundPayment(
  paymentIntentId: string,
  sessionId: string,
  deadline?: Deadline,
): Promise<string> {
  try {
    const refund = await stripe().refunds.create(
      {
        payment_intent: paymentIntentId,
        reason: 'requested_by_customer',
        metadata: { checkoutSessionId: sessionId },
      },
      { idempotencyKey: `refund:${sessionId}`, ...perRequest(deadline) },
    );
    return refund.id;
  } catch (err) {
    if (err instanceof Stripe.errors.StripeInvalidRequestError && err.code === 'charge_already_refunded') {
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
  if (!config().stripe.secretKey) return 'not configured';
  try {
    await stripe().balance.retrieve({}, { timeout: timeoutMs, maxNetworkRetries: 0 });
    return undefined;
  } catch (err) {
    if (err instanceof Stripe.errors.StripeError && err.statusCode)
      return `Stripe answered ${err.statusCode}`;
    if (err instanceof Stripe.errors.StripeConnectionError && /timeout/i.test(err.message)) {
      return `Stripe did not answer within ${timeoutMs} ms`;
    }
    return 'Stripe unreachable';
  }
}

/**
 * Verifies `Stripe-Signature` over the exact raw body (Stripe's 300 s tolerance) and returns
 * the event; throws Stripe's StripeSignatureVerificationError when it does not hold.
 */
export function verifyWebhook(rawBody: Buffer, signature: string, secret: string): StripeEvent {
  return Stripe.webhooks.constructEvent(rawBody, signature, secret);
}
