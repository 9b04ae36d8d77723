/** Events: what the fake records of each change, signed as Stripe signs webhook deliveries. */
import Stripe from 'stripe';
import { newId, now } from './ids';
import type { StripeState } from './state';

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

/** Events of API-side changes the fake posts to `webhookUrl` (the sandbox's endpoint). */
const DELIVERED = new Set([
  'payment_intent.succeeded',
  'payment_intent.payment_failed',
  'payment_method.detached',
]);

/** Records an event of `type` about `object` (a copy) and returns it. */
export function makeEvent(
  state: StripeState,
  type: string,
  object: Record<string, unknown>,
  request?: { id: string; key?: string },
): StripeEvent {
  const ev: StripeEvent = {
    id: newId('evt_'),
    object: 'event',
    api_version: state.apiVersion,
    created: now(),
    data: { object: structuredClone(object) },
    livemode: false,
    pending_webhooks: 1,
    request: { id: request?.id ?? null, idempotency_key: request?.key ?? null },
    type,
  };
  state.events.push(ev);
  return ev;
}

/** An event of a change made through the API; posted to `webhookUrl` when there is one. */
export function emit(
  state: StripeState,
  type: string,
  object: Record<string, unknown>,
  previous?: Record<string, unknown>,
): StripeEvent {
  const ev = makeEvent(state, type, object);
  if (previous) ev.data.previous_attributes = previous;
  const url = state.webhookUrl;
  if (url && DELIVERED.has(type)) {
    const signed = sign(state, ev);
    // As Stripe does, a moment after the change, and never in the API call's answer path.
    setTimeout(() => {
      post(url, signed).catch(() => undefined);
    }, 50);
  }
  return ev;
}

/** The JSON payload and a valid `Stripe-Signature` header for it. */
export function sign(
  state: StripeState,
  event: StripeEvent,
  opts: { timestamp?: number; secret?: string } = {},
): { payload: string; header: string } {
  const payload = JSON.stringify(event, null, 2);
  const header = Stripe.webhooks.generateTestHeaderString({
    payload,
    secret: opts.secret ?? state.webhookSecret,
    ...(opts.timestamp !== undefined ? { timestamp: opts.timestamp } : {}),
  });
  return { payload, header };
}

/** Posts a signed event as Stripe delivers it to a webhook endpoint. */
export function post(url: string, signed: { payload: string; header: string }): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': signed.header },
    body: signed.payload,
  });
}
