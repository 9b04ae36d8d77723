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
 *
 * One file per resource under stripe/: a new rule goes beside the resource it checks
 * (checkout-sessions, checkout-line-items, refunds, customers, payment-methods, payment-intents,
 * balance), each listing its own routes (router.ts gathers them); the request pipeline is api.ts
 * (faults.ts, idempotency.ts, form.ts, errors.ts).
 */
export { startFakeStripe, type FakeStripe, type FakeStripeOptions } from './stripe/server';
export { parseStripeForm } from './stripe/form';
export type { StripeErrorBody } from './stripe/errors';
export type { StripeEvent } from './stripe/events';
export type { StripeFaultMode } from './stripe/faults';
export type { StripeRequestRecord } from './stripe/state';
export type { FakeSession } from './stripe/checkout-sessions';
export type { FakeRefund } from './stripe/refunds';
export type { FakeCustomer } from './stripe/customers';
export { RETURN_URL_REQUIRED, type FakePaymentIntent } from './stripe/payment-intents';
export { TEST_CARDS, type CardBehaviour, type FakePaymentMethod } from './stripe/payment-methods';
