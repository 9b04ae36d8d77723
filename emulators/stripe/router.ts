/** The API's routes: each resource lists its own; a path none of them takes is Stripe's 404. */
import { balanceRoutes } from './balance';
import { checkoutSessionRoutes } from './checkout-sessions';
import { customerRoutes } from './customers';
import { invalid } from './errors';
import { paymentIntentRoutes } from './payment-intents';
import { paymentMethodRoutes } from './payment-methods';
import { refundRoutes } from './refunds';
import { setupIntentRoutes } from './setup-intents';
import type { Answer, Call, Route } from './route';

const ROUTES: Route[] = [
  ...checkoutSessionRoutes,
  ...balanceRoutes,
  ...refundRoutes,
  ...customerRoutes,
  ...paymentIntentRoutes,
  ...paymentMethodRoutes,
  ...setupIntentRoutes,
];

export function route(method: string, path: string, call: Omit<Call, 'id'>): Answer {
  for (const r of ROUTES) {
    const m = r.method === method ? r.path.exec(path) : null;
    if (m) return r.handle({ ...call, id: m[1] === undefined ? '' : decodeURIComponent(m[1]) });
  }
  throw invalid(
    `Unrecognized request URL (${method}: ${path}). Please see https://docs.stripe.com or we can help at https://support.stripe.com/.`,
    undefined,
    undefined,
    404,
  );
}
