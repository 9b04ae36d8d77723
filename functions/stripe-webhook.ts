import { config } from '../lib/config';
import { getDb } from '../lib/db/client';
import { badRequest, notConfigured } from '../lib/errors';
import { hasNoNul } from '../lib/http/body';
import { httpFunction } from '../lib/http/handler';
import { json } from '../lib/http/response';
import { stripeSdk, verifyWebhook, type StripeEvent } from '../lib/stripe';
import { handleStripeEvent } from '../lib/purchases/fulfil-payment';

const isEvent = (e: unknown): e is StripeEvent => {
  const event = e as Partial<StripeEvent> | null;
  return (
    typeof event === 'object' &&
    event !== null &&
    // Text Postgres can hold (stripe_events keeps both): a signed id with U+0000 was a 500.
    typeof event.id === 'string' &&
    hasNoNul(event.id) &&
    typeof event.type === 'string' &&
    hasNoNul(event.type) &&
    typeof event.data?.object === 'object' &&
    event.data.object !== null
  );
};

/**
 * Stripe's webhook: verified over the exact raw bytes before anything parses them. The signature
 * needs the SDK's module but no client, so only the module is loaded at init: a follow-up (a
 * refund, an expiry) builds the client when it first calls Stripe.
 */
export const handler = await httpFunction(
  'stripeWebhook',
  {
    'POST /stripe/webhook': async (req) => {
      const secret = config().stripe.webhookSecret;
      if (!secret) throw notConfigured('Stripe webhooks are not configured (STRIPE_WEBHOOK_SECRET)');
      const signature = req.headers['stripe-signature'];
      if (!signature) throw badRequest('missing_signature', 'The Stripe-Signature header is missing');
      let event: StripeEvent;
      try {
        event = await verifyWebhook(req.rawBody, signature, secret);
      } catch {
        throw badRequest('invalid_signature', 'The Stripe signature does not match, or is too old');
      }
      // Signed is not yet an event: a body signed with the secret but not of Stripe's shape (its
      // id and type, the object in `data`) is refused, not a 500 that Stripe would retry.
      if (!isEvent(event)) throw badRequest('invalid_event', 'The body is not a Stripe event');
      const outcome = await handleStripeEvent(await getDb(), event);
      return json(200, { received: true, outcome });
    },
  },
  [getDb, stripeSdk],
);
