import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';

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

export function toHttpRequest(event: ApiGatewayEvent): HttpRequest {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.headers ?? {})) {
    if (v !== undefined) headers[k.toLowerCase()] = v;
  }
  const body = event.body ?? '';
  const rawBody = Buffer.from(body, event.isBase64Encoded ? 'base64' : 'utf8');
  if (isV2(event)) {
    return {
      method: event.requestContext.http.method.toUpperCase(),
      path: event.rawPath,
      headers,
      query: defined(event.queryStringParameters),
      pathParams: defined(event.pathParameters),
      rawBody,
    };
  }
  return {
    method: event.httpMethod.toUpperCase(),
    path: event.path,
    headers,
    query: defined(event.queryStringParameters),
    pathParams: defined(event.pathParameters),
    rawBody,
  };
}
