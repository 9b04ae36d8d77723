import type {
  APIGatewayProxyEvent,
  APIGatewayProxyEventV2,
  APIGatewayProxyResult,
  Context,
} from 'aws-lambda';
import { ROUTES } from '../lib/http/routes';

export type EventInput = {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  pathParams?: Record<string, string>;
  body?: string | Buffer;
  /** `v2` sends the body base64-encoded, as API Gateway HTTP APIs do with form bodies. */
  version?: 'v1' | 'v2';
  /** The caller's address as API Gateway saw it (v2: 127.0.0.1 unless told; v1: none unless told). */
  sourceIp?: string;
};

/** `/providers/{id}` as a pattern: `{name}` one segment, `{name+}` the rest of the path. */
const pattern = (path: string) =>
  new RegExp(`^${path.replace(/\{[^}]+\+\}/g, '.+').replace(/\{[^}]+\}/g, '[^/]*')}$`);
const COMPILED = ROUTES.map((r) => ({
  method: r.method,
  path: r.path,
  re: pattern(r.path),
}));
/** API Gateway prefers the most specific route: literal segments over `{name}`, `{name+}` last. */
const specificity = (path: string) => [path.includes('+}') ? 1 : 0, (path.match(/\{/g) ?? []).length];
const bySpecificity = (a: { path: string }, b: { path: string }) => {
  const [x, y] = [specificity(a.path), specificity(b.path)];
  return x[0]! - y[0]! || x[1]! - y[1]! || b.path.length - a.path.length;
};

/**
 * The route (lib/http/routes.ts) API Gateway would match for this request, as it names it in the
 * event (an HTTP API's `routeKey`, a REST API's `resource`): the functions dispatch on it. A
 * request no route of its method matches still names the path's route if another method has one
 * (the function answers 405), and `{name}` matches an empty segment too, so that a handler's own
 * 404 for an empty id stays tested: API Gateway itself would answer both without calling it.
 */
export function matchedRoute(method: string, path: string): string | undefined {
  const m = method === 'HEAD' ? 'GET' : method;
  const matches = COMPILED.filter((r) => r.re.test(path)).sort(bySpecificity);
  return (matches.find((r) => r.method === m) ?? matches[0])?.path;
}

/** An API Gateway REST (v1) event, as API Gateway sends it. */
export function v1Event(input: EventInput): APIGatewayProxyEvent {
  const body =
    input.body === undefined ? null : Buffer.isBuffer(input.body) ? input.body.toString('utf8') : input.body;
  return {
    httpMethod: input.method ?? 'GET',
    path: input.path,
    resource: matchedRoute(input.method ?? 'GET', input.path) ?? input.path,
    headers: input.headers ?? {},
    multiValueHeaders: {},
    queryStringParameters: input.query ?? null,
    multiValueQueryStringParameters: null,
    pathParameters: input.pathParams ?? null,
    stageVariables: null,
    body,
    isBase64Encoded: false,
    requestContext: (input.sourceIp === undefined
      ? {}
      : { identity: { sourceIp: input.sourceIp } }) as APIGatewayProxyEvent['requestContext'],
  };
}

/** An API Gateway HTTP API (v2) event with the body base64-encoded. */
export function v2Event(input: EventInput): APIGatewayProxyEventV2 {
  const raw = input.body === undefined ? undefined : Buffer.from(input.body);
  const query = input.query ? new URLSearchParams(input.query).toString() : '';
  const route = matchedRoute(input.method ?? 'GET', input.path);
  return {
    version: '2.0',
    routeKey: route ? `${input.method ?? 'GET'} ${route}` : '$default',
    rawPath: input.path,
    rawQueryString: query,
    headers: Object.fromEntries(Object.entries(input.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
    queryStringParameters: input.query,
    pathParameters: input.pathParams,
    body: raw?.toString('base64'),
    isBase64Encoded: raw !== undefined,
    requestContext: {
      http: {
        method: input.method ?? 'GET',
        path: input.path,
        protocol: 'HTTP/1.1',
        sourceIp: input.sourceIp ?? '127.0.0.1',
        userAgent: 'test',
      },
    } as APIGatewayProxyEventV2['requestContext'],
  };
}

type Handler = (event: never, context: Context) => Promise<unknown>;

export type Reply = { status: number; headers: Record<string, string>; text: string; json: any };

/** Calls a Lambda handler with an API Gateway event and reads its response. */
export async function invoke(handler: Handler, input: EventInput): Promise<Reply> {
  const event = input.version === 'v2' ? v2Event(input) : v1Event(input);
  const result = (await handler(event as never, {} as Context)) as APIGatewayProxyResult;
  let json: unknown;
  try {
    json = JSON.parse(result.body);
  } catch {
    json = undefined;
  }
  return {
    status: result.statusCode,
    headers: (result.headers ?? {}) as Record<string, string>,
    text: result.body,
    json,
  };
}

let boundaries = 0;

/** Fields as TextMagic posts them: JSON, form-urlencoded or multipart, with the content type. */
export function encodeFields(
  fields: Record<string, unknown>,
  as: 'json' | 'form' | 'multipart',
): { body: string; contentType: string } {
  if (as === 'json') return { body: JSON.stringify(fields), contentType: 'application/json' };
  const entries = Object.entries(fields).map(([k, v]): [string, string] => [k, String(v)]);
  if (as === 'form') {
    return {
      body: new URLSearchParams(entries).toString(),
      contentType: 'application/x-www-form-urlencoded',
    };
  }
  const boundary = `----tm${++boundaries}`;
  const body =
    entries
      .map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
      .join('') + `--${boundary}--\r\n`;
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}
