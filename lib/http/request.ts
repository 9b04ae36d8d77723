import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';
import type { EventWithRawBody } from './raw-body';

/** What our handlers see of an HTTP call, whether API Gateway sent a REST (v1) or HTTP (v2) event. */
export type HttpRequest = {
  method: string;
  path: string;
  /**
   * The route API Gateway matched (`/providers/{id}`): from an HTTP API event's `routeKey`, a REST
   * event's `resource`; '' when the event names none.
   */
  route: string;
  /** Lower-cased names. */
  headers: Record<string, string>;
  query: Record<string, string>;
  pathParams: Record<string, string>;
  /** The exact bytes the caller sent (base64-decoded when API Gateway encoded them). */
  rawBody: Buffer;
  /** The caller's address as API Gateway saw it (`requestContext`), when the event says. */
  sourceIp?: string;
};

export type ApiGatewayEvent = APIGatewayProxyEvent | APIGatewayProxyEventV2;

const isV2 = (e: ApiGatewayEvent): e is APIGatewayProxyEventV2 =>
  (e as APIGatewayProxyEventV2).version === '2.0' ||
  (e as APIGatewayProxyEventV2).requestContext?.http !== undefined;

function defined(record: Record<string, string | undefined> | null | undefined) {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(record ?? {})) if (v !== undefined) out[k] = v;
  return out;
}

/** Our request from an event that middy has normalised (headers lower-cased) and `rawBody` read. */
export function toHttpRequest(event: EventWithRawBody): HttpRequest {
  const common = {
    headers: defined(event.headers),
    query: defined(event.queryStringParameters),
    pathParams: defined(event.pathParameters),
    rawBody: event.rawBody,
  };
  if (isV2(event)) {
    // HTTP API (payload 2.0) takes the Cookie header out and passes its cookies as an array.
    if (event.cookies?.length) {
      common.headers.cookie = [common.headers.cookie, ...event.cookies].filter(Boolean).join('; ');
    }
    const { method, sourceIp } = event.requestContext.http;
    // `GET /providers/{id}`; `$default` (no route of ours) names none.
    const route = event.routeKey?.split(' ')[1] ?? '';
    return { method: method.toUpperCase(), path: event.rawPath, route, sourceIp, ...common };
  }
  const sourceIp = (event.requestContext as Partial<typeof event.requestContext> | undefined)?.identity
    ?.sourceIp;
  return {
    method: event.httpMethod.toUpperCase(),
    path: event.path,
    route: event.resource ?? '',
    sourceIp,
    ...common,
  };
}
