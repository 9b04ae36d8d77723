import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';
import type { EventWithRawBody } from './raw-body';

/** What our handlers see of an HTTP call, whether API Gateway sent a REST (v1) or HTTP (v2) event. */
export type HttpRequest = {
  method: string;
  path: string;
  /** Lower-cased names. */
  headers: Record<string, string>;
  query: Record<string, string>;
  pathParams: Record<string, string>;
  /** The exact bytes the caller sent (base64-decoded when API Gateway encoded them). */
  rawBody: Buffer;
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
  return isV2(event)
    ? { method: event.requestContext.http.method.toUpperCase(), path: event.rawPath, ...common }
    : { method: event.httpMethod.toUpperCase(), path: event.path, ...common };
}
