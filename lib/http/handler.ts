import middy from '@middy/core';
import httpEventNormalizer from '@middy/http-event-normalizer';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { Context } from 'aws-lambda';
import { config } from '../config';
import { AppError, notFound } from '../errors';
import { initClients } from '../init-clients';
import { lambdaContext } from '../lambda-context';
import { readSecrets, refreshSecrets } from '../secrets';
import { jsonErrors } from './json-errors';
import { rawBody, type EventWithRawBody } from './raw-body';
import { toHttpRequest, type ApiGatewayEvent, type HttpRequest } from './request';
import type { HttpResponse } from './response';
import type { AuditActionOf, HttpFunctionName, RouteKeyOf } from './routes';

/**
 * `headers()` added to every response, errors included (registered first, so its `after` and
 * `onError` run last, once jsonErrors has made the error's response).
 */
function responseHeaders(headers?: () => Record<string, string>): middy.MiddlewareObj<unknown, HttpResponse> {
  const add = (request: { response: HttpResponse | null | undefined }) => {
    if (headers && request.response) {
      request.response = { ...request.response, headers: { ...request.response.headers, ...headers() } };
    }
  };
  return { after: add, onError: add };
}

export type Route = (req: HttpRequest) => Promise<HttpResponse>;
/** A change route recorded in the audit trail as `action` (lib/audit/audited.ts). */
export type AuditedRoute<A extends string> = Route & { readonly audit: A };
/**
 * What function `F` answers on each of its routes (lib/http/routes.ts): all of them, no other; a
 * route with an `audit` action in the table must be `audited(<that action>, …)`.
 */
export type Routes<F extends HttpFunctionName> = {
  [K in RouteKeyOf<F>]: [AuditActionOf<K>] extends [never] ? Route : AuditedRoute<AuditActionOf<K>>;
};
/** As Lambda calls it; `context` may be left out (middy then gives an empty one), as tests do. */
export type HttpHandler = (event: ApiGatewayEvent, context?: Context) => Promise<HttpResponse>;

/**
 * The route serving `req`, by the route API Gateway matched (HEAD served as GET, as
 * serverless-offline does): API Gateway calls a function only on its routes; any other request
 * (a test's event, a method on none of the path's routes) is a JSON 404 or 405.
 */
function routeFor(routes: Record<string, Route>, req: HttpRequest): Route {
  const method = req.method === 'HEAD' ? 'GET' : req.method;
  const route = routes[`${method} ${req.route}`];
  if (route) return route;
  if (req.route && Object.keys(routes).some((key) => key.endsWith(` ${req.route}`))) {
    throw new AppError(405, 'method_not_allowed', `${req.method} is not supported here`);
  }
  throw notFound('No such route');
}

/**
 * An HTTP function, for `export const handler = await httpFunction('lead', { 'GET /leads': …,
 * 'GET /leads/{id}': … }, [clients])`: the function's name in serverless.yml and what each of its
 * routes in lib/http/routes.ts answers. Reads its secrets (SSM, when deployed) and builds the
 * configuration and the given clients in Lambda's init phase (the top-level await), then serves
 * each API Gateway event (REST v1 or HTTP v2) through middy: log context, event and header
 * normalisation, the 64 KiB limit and raw body, our JSON errors; `opts.headers` on every response
 * (the console's security headers).
 */
export async function httpFunction<F extends HttpFunctionName>(
  _fn: F,
  routes: Routes<F>,
  clients: Array<() => unknown> = [],
  opts: { headers?: () => Record<string, string> } = {},
): Promise<HttpHandler> {
  await initClients(readSecrets, config, ...clients);
  const handler = middy<ApiGatewayEvent, HttpResponse, Error, Context>()
    .use(responseHeaders(opts.headers))
    .use(lambdaContext())
    .use(httpEventNormalizer())
    .use(httpHeaderNormalizer())
    .use(rawBody())
    .use(jsonErrors())
    .handler(async (event) => {
      await refreshSecrets();
      const req = toHttpRequest(event as EventWithRawBody);
      return routeFor(routes, req)(req);
    });
  return handler as HttpHandler;
}
