/** Faults a test injects (`fail`): Stripe unavailable, rate limiting, stalls, lost answers. */
import { errorPayload, StripeHttpError } from './errors';
import { keepAnswer } from './idempotency';
import type { StripeRequestRecord, StripeState } from './state';

/**
 * `timeout`: the request is received and never answered, and nothing is done (Stripe stalled
 * before processing it). `lost-reply`: processed (the refund or expiry happens), never answered.
 * `{ delayMs }`: processed, answered that much later. 429 is Stripe's `rate_limit_error`.
 */
export type StripeFaultMode = 429 | 500 | 503 | 'timeout' | 'reset' | 'lost-reply' | { delayMs: number };

/** `stop`: nothing more is done nor answered. `hold`: processed, its answer held back. */
export type FaultEffect = { stop: true } | { stop: false; hold?: 'never' | number };

/**
 * Applies the next injected fault, if any, before the request is processed (and before auth);
 * throws the error answer of a 429, 500 or 503.
 */
export function injectFault(
  state: StripeState,
  request: {
    socket: { resetAndDestroy(): unknown };
    record: StripeRequestRecord;
    idempotencyKey: string | undefined;
    requestId: string;
  },
): FaultEffect {
  const fault = state.faults.shift();
  if (fault === undefined) return { stop: false };
  const { record } = request;
  record.fault = typeof fault === 'object' ? `delay ${fault.delayMs} ms` : String(fault);
  if (fault === 'timeout') {
    record.answered = false;
    return { stop: true }; // never answered; close() ends it
  }
  if (fault === 'reset') {
    request.socket.resetAndDestroy();
    return { stop: true };
  }
  if (fault === 'lost-reply') return { stop: false, hold: 'never' };
  if (typeof fault === 'object') return { stop: false, hold: fault.delayMs };
  if (fault === 429) {
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
  }
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
  if (fault === 500 && record.method === 'POST' && request.idempotencyKey !== undefined) {
    keepAnswer(
      state,
      request.idempotencyKey,
      { method: record.method, path: record.path, params: record.params, requestId: request.requestId },
      { status: 500, body: errorPayload(error, request.requestId) },
    );
  }
  throw error;
}
