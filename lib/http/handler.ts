import middy from '@middy/core';
import httpEventNormalizer from '@middy/http-event-normalizer';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { Context } from 'aws-lambda';
import { config } from '../config';
import { initClients } from '../init-clients';
import { lambdaContext } from '../lambda-context';
import { readSecrets, refreshSecrets } from '../secrets';
import { jsonErrors } from './json-errors';
import { rawBody, type EventWithRawBody } from './raw-body';
import { toHttpRequest, type ApiGatewayEvent, type HttpRequest } from './request';
import type { HttpResponse } from './response';

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
/** As Lambda calls it; `context` may be left out (middy then gives an empty one), as tests do. */
export type HttpHandler = (event: ApiGatewayEvent, context?: Context) => Promise<HttpResponse>;

/**
 * An HTTP function, for `export const handler = await httpFunction(route, [clients])`: reads its
 * secrets (SSM, when deployed) and builds the configuration and the given clients in Lambda's
 * init phase (the top-level await), then
 * serves each API Gateway event (REST v1 or HTTP v2) through middy: log context, event and
 * header normalisation, the 64 KiB limit and raw body, our JSON errors; `opts.headers` on every
 * response (the console's security headers).
 */
export async function httpFunction(
  route: Route,
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
      return route(toHttpRequest(event as EventWithRawBody));
    });
  return handler as HttpHandler;
}
