/** What the Stripe stand-in holds: its keys, its objects, and what it saw; one per server. */
import Stripe from 'stripe';
import type { FakeSession } from './checkout-sessions';
import type { FakeCustomer } from './customers';
import type { StripeEvent } from './events';
import type { StripeFaultMode } from './faults';
import type { IdemEntry } from './idempotency';
import type { FakePaymentIntent } from './payment-intents';
import type { FakePaymentMethod } from './payment-methods';
import type { FakeRefund } from './refunds';
import type { FakeSetupIntent } from './setup-intents';

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

export type StripeState = {
  secretKey: string;
  webhookSecret: string;
  /** The version the fake answers in when a request names none (the SDK's own). */
  apiVersion: string;
  /** http://127.0.0.1:PORT, once the server listens. */
  url: string;
  /** Where the fake delivers signed events (the sandbox's endpoint); none in the tests. */
  webhookUrl: string | undefined;
  sessions: Map<string, FakeSession>;
  paymentIntents: Map<string, FakePaymentIntent>;
  customers: Map<string, FakeCustomer>;
  paymentMethods: Map<string, FakePaymentMethod>;
  setupIntents: Map<string, FakeSetupIntent>;
  refunds: FakeRefund[];
  requests: StripeRequestRecord[];
  /** Every event the fake generated (helpers and API-side changes such as `expire`), oldest first. */
  events: StripeEvent[];
  /** Faults for the next requests, in order (`fail`). */
  faults: StripeFaultMode[];
  /** Answers kept per `Idempotency-Key`. */
  idempotency: Map<string, IdemEntry>;
};

export function newState(opts: {
  secretKey: string;
  webhookSecret: string;
  webhookUrl?: string;
}): StripeState {
  return {
    secretKey: opts.secretKey,
    webhookSecret: opts.webhookSecret,
    apiVersion: Stripe.API_VERSION,
    url: '',
    webhookUrl: opts.webhookUrl,
    sessions: new Map(),
    paymentIntents: new Map(),
    customers: new Map(),
    paymentMethods: new Map(),
    setupIntents: new Map(),
    refunds: [],
    requests: [],
    events: [],
    faults: [],
    idempotency: new Map(),
  };
}

/** Forgets every object, request, event, fault and kept answer (the keys and URL stay). */
export function resetState(state: StripeState): void {
  state.sessions.clear();
  state.paymentIntents.clear();
  state.customers.clear();
  state.paymentMethods.clear();
  state.setupIntents.clear();
  state.refunds.length = 0;
  state.requests.length = 0;
  state.events.length = 0;
  state.faults.length = 0;
  state.idempotency.clear();
}
