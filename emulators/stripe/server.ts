/** The Stripe stand-in's server on 127.0.0.1 and its handle for tests (see ../fake-stripe.ts). */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleApi } from './api';
import { complete, settleAsyncPayment } from './checkout-payment';
import { expire, getSession, publicSession } from './checkout-sessions';
import { makeEvent, sign, type StripeEvent } from './events';
import type { StripeFaultMode } from './faults';
import { isPayPage, servePayPage } from './hosted-page';
import { detach, type CardBehaviour } from './payment-methods';
import { newState, resetState, type StripeState } from './state';

/** The fake's objects and what it saw, shared with the server as it runs (see state.ts). */
type Held =
  | 'url'
  | 'secretKey'
  | 'webhookSecret'
  | 'sessions'
  | 'paymentIntents'
  | 'customers'
  | 'paymentMethods'
  | 'setupIntents'
  | 'refunds'
  | 'requests'
  | 'events';

export interface FakeStripe extends Pick<StripeState, Held> {
  port: number;
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

export async function startFakeStripe(opts: FakeStripeOptions = {}): Promise<FakeStripe> {
  const state = newState({
    secretKey: opts.secretKey ?? 'sk_test_fake_123',
    webhookSecret: opts.webhookSecret ?? 'whsec_test_fake_123',
    ...(opts.webhookUrl !== undefined ? { webhookUrl: opts.webhookUrl } : {}),
  });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      const path = (req.url ?? '/').split('?', 2)[0]!;
      if (isPayPage(req.method ?? 'GET', path)) servePayPage(state, req, res);
      else handleApi(state, req, res, Buffer.concat(chunks).toString('utf8'));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  state.url = `http://127.0.0.1:${port}`;
  return handle(state, server, port);
}

/** The test's handle: the fake's objects, and helpers that act as Stripe's side would. */
function handle(state: StripeState, server: http.Server, port: number): FakeStripe {
  return {
    url: state.url,
    port,
    secretKey: state.secretKey,
    webhookSecret: state.webhookSecret,
    sessions: state.sessions,
    paymentIntents: state.paymentIntents,
    customers: state.customers,
    paymentMethods: state.paymentMethods,
    setupIntents: state.setupIntents,
    refunds: state.refunds,
    requests: state.requests,
    events: state.events,
    fail(times, mode) {
      for (let i = 0; i < times; i++) state.faults.push(mode);
    },
    heal() {
      state.faults.length = 0;
    },
    completeSession: (id, o = {}) => complete(state, id, o),
    succeedAsyncPayment: (id) => settleAsyncPayment(state, id, true),
    failAsyncPayment: (id) => settleAsyncPayment(state, id, false),
    detachPaymentMethod(id) {
      const pm = state.paymentMethods.get(id);
      if (!pm?.customer) throw new Error(`fake-stripe: payment method ${id} is not attached`);
      return detach(state, pm);
    },
    expireSession(id) {
      const s = getSession(state, id);
      if (s.status !== 'open') throw new Error(`fake-stripe: session ${id} is ${s.status}, not open`);
      return expire(state, s);
    },
    event: (type, object) => makeEvent(state, type, object),
    sign: (event, o = {}) => sign(state, event, o),
    publicSession: (id) => publicSession(getSession(state, id)),
    reset: () => resetState(state),
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
