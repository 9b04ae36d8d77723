/**
 * One API request, as Stripe takes it: recorded, then (in this order) an injected fault, the API
 * key, the content type, the form body, the idempotency key, and the resource's route; answered
 * with Stripe's headers (`Request-Id`, `Stripe-Version`, `Idempotency-Key`).
 */
import type http from 'node:http';
import { errorPayload, invalid, requestLogUrl, StripeHttpError } from './errors';
import { injectFault } from './faults';
import { parseStripeForm } from './form';
import { keepAnswer, keptAnswer } from './idempotency';
import { newId } from './ids';
import { isObj } from './params';
import { route } from './router';
import type { StripeRequestRecord, StripeState } from './state';

type Send = (status: number, payload: string, extra?: Record<string, string>) => void;

export function handleApi(
  state: StripeState,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  body: string,
): void {
  const method = req.method ?? 'GET';
  const [path, query = ''] = (req.url ?? '/').split('?', 2) as [string, string?];
  const requestId = newId('req_', 14);
  const idemHeader = req.headers['idempotency-key'];
  const idempotencyKey = typeof idemHeader === 'string' ? idemHeader : undefined;
  const versionHeader = req.headers['stripe-version'];
  const stripeVersion = typeof versionHeader === 'string' ? versionHeader : state.apiVersion;

  const record: StripeRequestRecord = { method, path, params: {} };
  if (idempotencyKey !== undefined) record.idempotencyKey = idempotencyKey;
  state.requests.push(record);
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'Request-Id': requestId,
    'Stripe-Version': stripeVersion,
    'Access-Control-Allow-Origin': '*',
  };
  if (idempotencyKey !== undefined) headers['Idempotency-Key'] = idempotencyKey;

  const rawParams = method === 'GET' || method === 'DELETE' ? query : body;
  try {
    record.params = parseStripeForm(rawParams);
  } catch {
    // reported below, after faults and auth, like Stripe
  }

  let send: Send = (status, payload, extra) => answer(res, record, headers, status, payload, extra);
  try {
    const effect = injectFault(state, { socket: req.socket, record, idempotencyKey, requestId });
    if (effect.stop) return;
    if (effect.hold !== undefined) send = holdBack(res, record, send, effect.hold);
    checkAuth(state.secretKey, req);
    checkContentType(req, method, body);
    const params = parseStripeForm(rawParams);
    if (method === 'POST' && idempotencyKey !== undefined) {
      const prior = keptAnswer(state, method, path, idempotencyKey, params);
      if (prior) {
        record.replayed = true;
        send(prior.status, prior.body, {
          'Idempotent-Replayed': 'true',
          'Original-Request': prior.requestId,
        });
        return;
      }
    }
    const out = route(method, path, { state, params, idempotencyKey, requestId, stripeVersion });
    if (out.status !== 200 && isObj(out.body) && isObj(out.body.error)) {
      out.body.error.request_log_url = requestLogUrl(requestId);
    }
    const payload = JSON.stringify(out.body, null, 2);
    if (method === 'POST' && idempotencyKey !== undefined) {
      keepAnswer(
        state,
        idempotencyKey,
        { method, path, params, requestId },
        { status: out.status, body: payload },
      );
    }
    send(out.status, payload);
  } catch (e) {
    const error =
      e instanceof StripeHttpError
        ? e
        : new StripeHttpError(500, {
            type: 'api_error',
            message: `fake-stripe internal error: ${String(e)}`,
          });
    send(error.status, errorPayload(error, requestId), error.headers);
  }
}

function answer(
  res: http.ServerResponse,
  record: StripeRequestRecord,
  headers: Record<string, string>,
  status: number,
  payload: string,
  extra: Record<string, string> = {},
): void {
  record.status = status;
  record.answered = true;
  res.writeHead(status, { ...headers, 'Content-Length': String(Buffer.byteLength(payload)), ...extra });
  res.end(payload);
}

/** `lost-reply` and `{ delayMs }` process the request, then hold its answer back. */
function holdBack(
  res: http.ServerResponse,
  record: StripeRequestRecord,
  send: Send,
  hold: 'never' | number,
): Send {
  return (status, payload, extra) => {
    record.status = status;
    record.answered = false;
    if (hold === 'never') return; // processed, never answered; close() ends it
    const timer = setTimeout(() => {
      if (!res.destroyed) send(status, payload, extra);
    }, hold);
    res.on('close', () => clearTimeout(timer));
  };
}

function checkAuth(secretKey: string, req: http.IncomingMessage): void {
  const auth = req.headers.authorization;
  let key: string | undefined;
  if (auth?.startsWith('Bearer ')) key = auth.slice(7).trim();
  else if (auth?.startsWith('Basic '))
    key = Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':')[0];
  if (!key) {
    throw invalid(
      "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://docs.stripe.com/api#authentication for details, or we can help at https://support.stripe.com/.",
      undefined,
      undefined,
      401,
    );
  }
  if (key !== secretKey) {
    const prefix = /^(sk|rk)_(test|live)_/.exec(key)?.[0] ?? '';
    const redacted = `${prefix}${'*'.repeat(Math.max(0, key.length - prefix.length - 4))}${key.slice(-4)}`;
    throw invalid(`Invalid API Key provided: ${redacted}`, undefined, undefined, 401);
  }
}

function checkContentType(req: http.IncomingMessage, method: string, body: string): void {
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (
    method !== 'GET' &&
    method !== 'DELETE' &&
    body.length > 0 &&
    contentType !== 'application/x-www-form-urlencoded'
  ) {
    throw invalid(
      `Invalid request: unsupported Content-Type ${contentType || '(none)'}. If error persists and you need assistance, please contact support@stripe.com.`,
    );
  }
}
