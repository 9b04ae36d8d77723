/**
 * `Idempotency-Key` as Stripe honours it on POST: the first answer under a key is kept and given
 * again (`Idempotent-Replayed: true`) to a retry with the same endpoint and parameters; a reuse
 * with another endpoint or other parameters is an `idempotency_error`
 * (docs.stripe.com/api/idempotent_requests).
 */
import { canonical } from './form';
import { invalid, StripeHttpError } from './errors';
import type { StripeState } from './state';

export type IdemEntry = {
  method: string;
  path: string;
  /** The parameters, canonical (see form.ts). */
  params: string;
  status: number;
  body: string;
  requestId: string;
};

/** The answer kept for this request's key, if any; throws when the key was used otherwise. */
export function keptAnswer(
  state: StripeState,
  method: string,
  path: string,
  key: string,
  params: Record<string, unknown>,
): IdemEntry | undefined {
  if (key.length > 255) {
    throw invalid('Idempotency keys may be at most 255 characters long.', 'Idempotency-Key');
  }
  const prior = state.idempotency.get(key);
  if (!prior) return undefined;
  if (prior.method !== method || prior.path !== path) {
    throw new StripeHttpError(400, {
      type: 'idempotency_error',
      message: `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${method} ${path}' vs '${prior.method} ${prior.path}'). Try using a key other than '${key}' if you meant to execute a different request.`,
    });
  }
  if (prior.params !== canonical(params)) {
    throw new StripeHttpError(400, {
      type: 'idempotency_error',
      message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
    });
  }
  return prior;
}

/** Keeps the answer given under `key`. */
export function keepAnswer(
  state: StripeState,
  key: string,
  request: { method: string; path: string; params: Record<string, unknown>; requestId: string },
  answer: { status: number; body: string },
): void {
  state.idempotency.set(key, {
    method: request.method,
    path: request.path,
    params: canonical(request.params),
    status: answer.status,
    body: answer.body,
    requestId: request.requestId,
  });
}
