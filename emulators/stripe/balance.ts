/** `GET /v1/balance`: what the integration check reads. */
import { checkKnown } from './params';
import { ok, type Route } from './route';
import type { StripeState } from './state';

/** The Balance object: payments taken, net of refunds, pending per currency (none available yet). */
function balance(state: StripeState) {
  const pending = new Map<string, number>();
  for (const pi of state.paymentIntents.values()) {
    if (pi.status !== 'succeeded') continue;
    pending.set(pi.currency, (pending.get(pi.currency) ?? 0) + pi.amount - pi.amount_refunded);
  }
  if (pending.size === 0) pending.set('usd', 0);
  const currencies = [...pending.keys()];
  return {
    object: 'balance',
    available: currencies.map((currency) => ({ amount: 0, currency, source_types: { card: 0 } })),
    connect_reserved: currencies.map((currency) => ({ amount: 0, currency })),
    livemode: false,
    pending: currencies.map((currency) => ({
      amount: pending.get(currency)!,
      currency,
      source_types: { card: pending.get(currency)! },
    })),
  };
}

export const balanceRoutes: Route[] = [
  {
    method: 'GET',
    path: /^\/v1\/balance$/,
    handle: ({ state, params }) => {
      checkKnown(params, ['expand'], '');
      return ok(balance(state));
    },
  },
];
