/**
 * SetupIntents: what a Checkout Session in `setup` mode makes when completed (the card saved to
 * the session's customer), read back as `GET /v1/setup_intents/{id}` with its `payment_method`
 * (docs.stripe.com/payments/save-and-reuse?platform=checkout: "retrieve the SetupIntent … the
 * payment_method"). Created here only through Checkout.
 */
import { noSuch } from './errors';
import { newId, now } from './ids';
import { checkKnown } from './params';
import { ok, type Route } from './route';
import type { StripeState } from './state';

export type FakeSetupIntent = {
  id: string;
  object: 'setup_intent';
  status: 'succeeded';
  customer: string | null;
  payment_method: string;
  payment_method_types: string[];
  usage: 'off_session';
  metadata: Record<string, string>;
  created: number;
  livemode: false;
};

/** A succeeded SetupIntent of a setup-mode session, for `paymentMethod` saved to `customer`. */
export function newSetupIntent(
  state: StripeState,
  v: { customer: string | null; paymentMethod: string; metadata: Record<string, string> },
): FakeSetupIntent {
  const si: FakeSetupIntent = {
    id: newId('seti_'),
    object: 'setup_intent',
    status: 'succeeded',
    customer: v.customer,
    payment_method: v.paymentMethod,
    payment_method_types: ['card'],
    usage: 'off_session',
    metadata: { ...v.metadata },
    created: now(),
    livemode: false,
  };
  state.setupIntents.set(si.id, si);
  return si;
}

export const setupIntentRoutes: Route[] = [
  {
    method: 'GET',
    path: /^\/v1\/setup_intents\/([^/]+)$/,
    handle: ({ state, params, id }) => {
      checkKnown(params, ['expand', 'client_secret'], '');
      const si = state.setupIntents.get(id);
      if (!si) throw noSuch('setup_intent', id, 'intent');
      return ok(structuredClone(si));
    },
  },
];
