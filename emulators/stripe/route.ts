/** What a resource's route is: a method, a path, and a handler from a request to an answer. */
import type { StripeState } from './state';

/** One API request, as a route sees it. */
export type Call = {
  state: StripeState;
  params: Record<string, unknown>;
  /** The object id the path names (decoded), or '' for a path without one. */
  id: string;
  idempotencyKey: string | undefined;
  requestId: string;
  /** `Stripe-Version` of the request, or the fake's own. */
  stripeVersion: string;
};

export type Answer = { status: number; body: unknown };

export type Route = {
  method: 'GET' | 'POST';
  /** The path; a group `([^/]+)` captures the object id. */
  path: RegExp;
  handle: (call: Call) => Answer;
};

export const ok = (body: unknown): Answer => ({ status: 200, body });
