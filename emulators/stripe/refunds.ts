/** Refunds of a PaymentIntent's charge, in full or in part, never past what was paid. */
import { formatAmount } from './amounts';
import { invalid, noSuch } from './errors';
import { newId, now } from './ids';
import { checkKnown, int, rejectEmptyStrings, str, validMetadata } from './params';
import type { FakePaymentIntent } from './payment-intents';
import { ok, type Route } from './route';
import type { StripeState } from './state';

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

/** The PaymentIntent refunded: named by `payment_intent` or by its `charge`, exactly one of them. */
function refunded(state: StripeState, params: Record<string, unknown>): FakePaymentIntent {
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
    pi = state.paymentIntents.get(piId);
    if (!pi) throw noSuch('payment_intent', piId, 'payment_intent', 400);
  } else {
    const chId = str(params.charge, 'charge');
    pi = [...state.paymentIntents.values()].find((p) => p.charge === chId);
    if (!pi) throw noSuch('charge', chId, 'charge', 400);
  }
  if (pi.status !== 'succeeded') {
    throw invalid(
      `This PaymentIntent (${pi.id}) does not have a successful charge to refund.`,
      hasPi ? 'payment_intent' : 'charge',
    );
  }
  return pi;
}

/** `amount`: what is left to refund unless it says less. */
function refundAmount(pi: FakePaymentIntent, params: Record<string, unknown>): number {
  const remaining = pi.amount - pi.amount_refunded;
  if (remaining <= 0) {
    throw invalid(`Charge ${pi.charge} has already been refunded.`, undefined, 'charge_already_refunded');
  }
  if (params.amount === undefined) return remaining;
  const amount = int(params.amount, 'amount');
  if (amount < 1) throw invalid('This value must be greater than or equal to 1.', 'amount');
  if (amount > remaining) {
    throw invalid(
      `Refund amount (${formatAmount(amount, pi.currency)}) is greater than unrefunded amount on charge (${formatAmount(remaining, pi.currency)})`,
      'amount',
      'amount_too_large',
    );
  }
  return amount;
}

function refundReason(v: unknown): string | null {
  if (v === undefined) return null;
  const reason = str(v, 'reason');
  if (!['duplicate', 'fraudulent', 'requested_by_customer'].includes(reason)) {
    throw invalid('Invalid reason: must be one of duplicate, fraudulent, or requested_by_customer', 'reason');
  }
  return reason;
}

function createRefund(state: StripeState, params: Record<string, unknown>): FakeRefund {
  checkKnown(params, REFUND_PARAMS, '');
  rejectEmptyStrings(params, []);
  const pi = refunded(state, params);
  const amount = refundAmount(pi, params);
  const reason = refundReason(params.reason);
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
  state.refunds.push(refund);
  return refund;
}

export const refundRoutes: Route[] = [
  {
    method: 'POST',
    path: /^\/v1\/refunds$/,
    handle: ({ state, params }) => ok(createRefund(state, params)),
  },
  {
    method: 'GET',
    path: /^\/v1\/refunds\/([^/]+)$/,
    handle: ({ state, params, id }) => {
      checkKnown(params, ['expand'], '');
      const r = state.refunds.find((x) => x.id === id);
      if (!r) throw noSuch('refund', id, 'id');
      return ok(r);
    },
  },
];
