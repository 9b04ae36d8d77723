/**
 * The Parameter Store stand-in's server: the AWS JSON 1.1 protocol of the real service (`POST /`,
 * `X-Amz-Target: AmazonSSM.<Operation>`, errors as `{"__type","message"}` with HTTP 400), and its
 * handle for tests (see ../fake-ssm.ts).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { getParameters } from './get-parameters';
import { SsmError, type ParameterType, type SsmCall, type SsmState } from './state';

export interface FakeSsm {
  url: string;
  region: string;
  accountId: string;
  /** The environment that points an AWS SDK v3 client here (dummy credentials, `accessKeyId`). */
  env(accessKeyId?: string): Record<string, string>;
  /** Creates or overwrites a parameter (`aws ssm put-parameter --overwrite`): its version goes up. */
  put(name: string, value: string, type?: ParameterType): void;
  delete(name: string): void;
  /** The ARN Parameter Store gives `name`. */
  arn(name: string): string;
  /**
   * What the identity signing with `accessKeyId` may read: the parameter ARNs its policy lists
   * (`ssm:GetParameters` on exactly those). An identity never given a policy may read everything.
   */
  allow(accessKeyId: string, arns: string[]): void;
  /** The next `times` requests are throttled. */
  throttle(times: number): void;
  /** Every request that reached an operation, in order. */
  calls: SsmCall[];
  close(): Promise<void>;
}

export async function startFakeSsm(
  opts: { region?: string; accountId?: string; port?: number } = {},
): Promise<FakeSsm> {
  const region = opts.region ?? 'us-east-1';
  const accountId = opts.accountId ?? '123456789012';
  const state: SsmState = {
    region,
    accountId,
    parameters: new Map(),
    policies: new Map(),
    calls: [],
    throttled: 0,
    // Names are paths (`/lead-unlock/prod/X`) or plain (`X`); the ARN has one slash either way.
    arn: (name) => `arn:aws:ssm:${region}:${accountId}:parameter${name.startsWith('/') ? '' : '/'}${name}`,
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handleRequest(state, req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return handle(state, server, url);
}

function handleRequest(state: SsmState, req: http.IncomingMessage, res: http.ServerResponse, body: string) {
  const answer = (status: number, out: unknown) => {
    const payload = JSON.stringify(out);
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.1',
      'content-length': Buffer.byteLength(payload),
      'x-amzn-requestid': randomUUID(),
    });
    res.end(payload);
  };
  try {
    // SigV4: `AWS4-HMAC-SHA256 Credential=<key id>/<date>/<region>/ssm/aws4_request, …`. A request
    // not signed with it: 403 `MissingAuthenticationToken` (Common Errors of the API reference:
    // https://docs.aws.amazon.com/systems-manager/latest/APIReference/CommonErrors.html).
    const auth = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/\d{8}\/([^/]+)\/ssm\/aws4_request/.exec(
      req.headers.authorization ?? '',
    );
    if (!auth) {
      throw new SsmError(
        'MissingAuthenticationToken',
        'The request must contain either a valid (registered) AWS access key ID or X.509 certificate.',
        403,
      );
    }
    // Throttling: `ThrottlingException` "Rate exceeded" (quoted in https://github.com/anomalyco/sst/issues/4063).
    if (state.throttled > 0) {
      state.throttled--;
      throw new SsmError('ThrottlingException', 'Rate exceeded');
    }
    const target = String(req.headers['x-amz-target'] ?? '');
    const input = JSON.parse(body || '{}') as Record<string, unknown>;
    if (target === 'AmazonSSM.GetParameters') return answer(200, getParameters(state, input, auth[1]!));
    throw new SsmError('UnknownOperationException', `${target} is not an operation of this stand-in`);
  } catch (e) {
    if (e instanceof SsmError) return answer(e.status, { __type: e.type, message: e.message });
    return answer(500, { __type: 'InternalServerError', message: (e as Error).message });
  }
}

function handle(state: SsmState, server: http.Server, url: string): FakeSsm {
  return {
    url,
    region: state.region,
    accountId: state.accountId,
    env: (accessKeyId = 'AKIDFAKESSM') => ({
      AWS_ENDPOINT_URL_SSM: url,
      AWS_REGION: state.region,
      AWS_ACCESS_KEY_ID: accessKeyId,
      AWS_SECRET_ACCESS_KEY: 'fake-secret-access-key',
    }),
    put(name, value, type = 'SecureString') {
      const version = (state.parameters.get(name)?.version ?? 0) + 1;
      const ciphertext = `AQICAH${randomBytes(48).toString('base64')}`;
      state.parameters.set(name, { value, type, version, modified: new Date(), ciphertext });
    },
    delete: (name) => void state.parameters.delete(name),
    arn: state.arn,
    allow: (accessKeyId, arns) => void state.policies.set(accessKeyId, new Set(arns)),
    throttle(times) {
      state.throttled = times;
    },
    calls: state.calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
