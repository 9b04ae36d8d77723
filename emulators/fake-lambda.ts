/**
 * A loopback stand-in for the AWS Lambda Invoke API, for the tests; never deployed. The functions
 * reach it through `AWS_ENDPOINT_URL_LAMBDA` (lib/aws-request.ts) with dummy credentials: see
 * `env`. It speaks the REST protocol of the real operation, as the API reference gives it
 * (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html): `POST
 * /2015-03-31/functions/{FunctionName}/invocations`, `X-Amz-Invocation-Type` Event (202, an empty
 * body, the function run later) or RequestResponse (200, its result). It refuses what Lambda
 * refuses, with its words: an unsigned request, a function that does not exist, an identity whose
 * policy does not allow `lambda:InvokeFunction` on it, throttling; errors carry
 * `x-amzn-ErrorType` and `{"Message","Type"}`, as Lambda answers them (quoted in
 * https://github.com/aarondfrancis/sidecar/issues/23: `{"Message":"Function not found:
 * arn:aws:lambda:us-east-1:…:function:…","Type":"User"}` with a 404).
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Invocation = {
  functionName: string;
  invocationType: string;
  payload: unknown;
  accessKeyId: string;
  at: Date;
};

export interface FakeLambda {
  url: string;
  region: string;
  accountId: string;
  /** The environment that points lib/aws-request.ts here (dummy credentials, `accessKeyId`). */
  env(accessKeyId?: string): Record<string, string>;
  /** A function that exists; `run` is what it does with an event (called after the answer for Event). */
  define(name: string, run?: (payload: unknown) => Promise<unknown>): void;
  /** What the identity signing with `accessKeyId` may invoke: function names. Never set: all. */
  allow(accessKeyId: string, names: string[]): void;
  /** The next `times` invokes are throttled (429 TooManyRequestsException). */
  throttle(times: number): void;
  /** Every invocation Lambda accepted, in order. */
  invocations: Invocation[];
  /** Runs of accepted Event invocations, to await in a test. */
  runs: Array<Promise<unknown>>;
  close(): Promise<void>;
}

class LambdaError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export async function startFakeLambda(
  opts: { region?: string; accountId?: string } = {},
): Promise<FakeLambda> {
  const region = opts.region ?? 'us-east-1';
  const accountId = opts.accountId ?? '123456789012';
  const functions = new Map<string, (payload: unknown) => Promise<unknown>>();
  const policies = new Map<string, Set<string>>();
  let throttled = 0;
  const arn = (name: string) => `arn:aws:lambda:${region}:${accountId}:function:${name}`;
  const fake: FakeLambda = {
    url: '',
    region,
    accountId,
    env: (accessKeyId = 'AKIDFAKELAMBDA') => ({
      AWS_ENDPOINT_URL_LAMBDA: fake.url,
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: accessKeyId,
      AWS_SECRET_ACCESS_KEY: 'fake-secret-access-key',
    }),
    define: (name, run = () => Promise.resolve(null)) => void functions.set(name, run),
    allow: (accessKeyId, names) => void policies.set(accessKeyId, new Set(names)),
    throttle: (times) => void (throttled = times),
    invocations: [],
    runs: [],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  const invoke = (req: http.IncomingMessage, body: string): { status: number; out?: unknown } => {
    // SigV4 for the `lambda` service; without it, API Gateway-style 403 MissingAuthenticationToken
    // (Common Errors: https://docs.aws.amazon.com/lambda/latest/api/CommonErrors.html).
    const auth = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/\d{8}\/([^/]+)\/lambda\/aws4_request/.exec(
      req.headers.authorization ?? '',
    );
    if (!auth)
      throw new LambdaError(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
    const route = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec((req.url ?? '').split('?')[0]!);
    if (req.method !== 'POST' || !route)
      throw new LambdaError(404, 'UnknownOperationException', 'Unknown operation');
    const name = decodeURIComponent(route[1]!);
    const keyId = auth[1]!;
    const allowed = policies.get(keyId);
    if (allowed && !allowed.has(name)) {
      throw new LambdaError(
        403,
        'AccessDeniedException',
        `User: arn:aws:sts::${accountId}:assumed-role/${keyId}/function is not authorized to perform: lambda:InvokeFunction on resource: ${arn(name)} because no identity-based policy allows the lambda:InvokeFunction action`,
      );
    }
    const run = functions.get(name);
    if (!run) throw new LambdaError(404, 'ResourceNotFoundException', `Function not found: ${arn(name)}`);
    if (throttled > 0) {
      throttled--;
      throw new LambdaError(429, 'TooManyRequestsException', 'Rate Exceeded.');
    }
    const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    if (!['Event', 'RequestResponse', 'DryRun'].includes(type)) {
      throw new LambdaError(400, 'InvalidParameterValueException', `Unsupported invocation type: ${type}`);
    }
    let payload: unknown;
    try {
      payload = body === '' ? {} : JSON.parse(body);
    } catch {
      throw new LambdaError(400, 'InvalidRequestContentException', 'Could not parse request body into json');
    }
    if (type === 'DryRun') return { status: 204 };
    fake.invocations.push({
      functionName: name,
      invocationType: type,
      payload,
      accessKeyId: keyId,
      at: new Date(),
    });
    if (type === 'Event') {
      fake.runs.push(new Promise((resolve) => setImmediate(resolve)).then(() => run(payload)));
      return { status: 202 };
    }
    return { status: 200, out: null };
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = { 'x-amzn-requestid': randomUUID(), 'content-type': 'application/json' };
      try {
        const { status, out } = invoke(req, Buffer.concat(chunks).toString('utf8'));
        res.writeHead(status, headers).end(out === undefined ? '' : JSON.stringify(out));
      } catch (e) {
        const err =
          e instanceof LambdaError ? e : new LambdaError(500, 'ServiceException', (e as Error).message);
        res
          .writeHead(err.status, { ...headers, 'x-amzn-errortype': err.type })
          .end(JSON.stringify({ Message: err.message, Type: err.status >= 500 ? 'Service' : 'User' }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
