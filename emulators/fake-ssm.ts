/**
 * A loopback stand-in for AWS Systems Manager Parameter Store, for the tests and the bench; never
 * deployed. The AWS SDK v3 reaches it through `AWS_ENDPOINT_URL_SSM` (the service-specific
 * endpoint variable every SDK v3 client reads) with dummy credentials: see `env`.
 *
 * It speaks the AWS JSON 1.1 protocol of the real service (`POST /`, `X-Amz-Target:
 * AmazonSSM.<Operation>`, errors as `{"__type","message"}` with HTTP 400) for the one operation the
 * functions call, `GetParameters`, and refuses what Parameter Store refuses, with its words:
 * - more than 10 names, or none (API reference, GetParameters, `Names`: "Minimum number of 1 item.
 *   Maximum number of 10 items"; the message as SSM writes it, quoted in
 *   https://github.com/middyjs/middy/issues/586 and https://github.com/remind101/ssm-env/issues/10);
 * - a name outside what the caller's policy allows: the whole call fails with
 *   `AccessDeniedException` naming the parameter's ARN (the text as AWS writes it, quoted in
 *   https://github.com/hackoregon/civic-devops/issues/241 and
 *   https://github.com/github-aws-runners/terraform-aws-github-runner/issues/3959);
 * - throttling: `ThrottlingException` "Rate exceeded" (quoted in https://github.com/anomalyco/sst/issues/4063);
 * - a request not signed with AWS Signature Version 4: 403 `MissingAuthenticationToken` (Common Errors
 *   of the API reference: https://docs.aws.amazon.com/systems-manager/latest/APIReference/CommonErrors.html).
 * Names that do not exist are no error: they come back in `InvalidParameters`, and the found ones
 * in `Parameters`, sorted by name ("The results for GetParameters requests are listed in
 * alphabetical order", API reference). A SecureString read without `WithDecryption` answers its
 * ciphertext, as the real one does.
 * https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameters.html
 */
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type ParameterType = 'String' | 'StringList' | 'SecureString';

type Stored = { value: string; type: ParameterType; version: number; modified: Date; ciphertext: string };

export type SsmCall = {
  operation: string;
  /** The access key id the request was signed with (the caller's identity). */
  accessKeyId: string;
  names: string[];
  withDecryption: boolean;
};

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

class SsmError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const validation = (message: string) =>
  new SsmError('ValidationException', `1 validation error detected: ${message}`);

export async function startFakeSsm(
  opts: { region?: string; accountId?: string; port?: number } = {},
): Promise<FakeSsm> {
  const region = opts.region ?? 'us-east-1';
  const accountId = opts.accountId ?? '123456789012';
  const parameters = new Map<string, Stored>();
  const policies = new Map<string, Set<string>>();
  const calls: SsmCall[] = [];
  let throttled = 0;

  // Names are paths (`/lead-unlock/prod/X`) or plain (`X`); the ARN has one slash either way.
  const arn = (name: string) =>
    `arn:aws:ssm:${region}:${accountId}:parameter${name.startsWith('/') ? '' : '/'}${name}`;

  const getParameters = (input: Record<string, unknown>, accessKeyId: string) => {
    const names = input.Names;
    if (!Array.isArray(names) || names.length === 0) {
      throw validation(
        `Value '[]' at 'names' failed to satisfy constraint: Member must have length greater than or equal to 1`,
      );
    }
    if (names.length > 10) {
      throw validation(
        `Value '[${names.join(', ')}]' at 'names' failed to satisfy constraint: Member must have length less than or equal to 10`,
      );
    }
    const withDecryption = input.WithDecryption === true;
    calls.push({ operation: 'GetParameters', accessKeyId, names: names.map(String), withDecryption });
    const allowed = policies.get(accessKeyId);
    const denied = allowed && names.find((n) => !allowed.has(arn(String(n))));
    if (denied) {
      throw new SsmError(
        'AccessDeniedException',
        `User: arn:aws:sts::${accountId}:assumed-role/${accessKeyId}/function is not authorized to perform: ssm:GetParameters on resource: ${arn(String(denied))} because no identity-based policy allows the ssm:GetParameters action`,
      );
    }
    const found: Array<Record<string, unknown>> = [];
    const invalid: string[] = [];
    for (const name of [...new Set(names.map(String))].sort()) {
      const p = parameters.get(name);
      if (!p) {
        invalid.push(name);
        continue;
      }
      found.push({
        Name: name,
        Type: p.type,
        Value: p.type === 'SecureString' && !withDecryption ? p.ciphertext : p.value,
        Version: p.version,
        LastModifiedDate: p.modified.getTime() / 1000,
        ARN: arn(name),
        DataType: 'text',
      });
    }
    return { Parameters: found, InvalidParameters: invalid };
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answer = (status: number, body: unknown) => {
        const payload = JSON.stringify(body);
        res.writeHead(status, {
          'content-type': 'application/x-amz-json-1.1',
          'content-length': Buffer.byteLength(payload),
          'x-amzn-requestid': randomUUID(),
        });
        res.end(payload);
      };
      try {
        // SigV4: `AWS4-HMAC-SHA256 Credential=<key id>/<date>/<region>/ssm/aws4_request, …`.
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
        if (throttled > 0) {
          throttled--;
          throw new SsmError('ThrottlingException', 'Rate exceeded');
        }
        const target = String(req.headers['x-amz-target'] ?? '');
        const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
        if (target === 'AmazonSSM.GetParameters') return answer(200, getParameters(input, auth[1]!));
        throw new SsmError('UnknownOperationException', `${target} is not an operation of this stand-in`);
      } catch (e) {
        if (e instanceof SsmError) return answer(e.status, { __type: e.type, message: e.message });
        return answer(500, { __type: 'InternalServerError', message: (e as Error).message });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    region,
    accountId,
    env: (accessKeyId = 'AKIDFAKESSM') => ({
      AWS_ENDPOINT_URL_SSM: url,
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: accessKeyId,
      AWS_SECRET_ACCESS_KEY: 'fake-secret-access-key',
    }),
    put(name, value, type = 'SecureString') {
      const version = (parameters.get(name)?.version ?? 0) + 1;
      const ciphertext = `AQICAH${randomBytes(48).toString('base64')}`;
      parameters.set(name, { value, type, version, modified: new Date(), ciphertext });
    },
    delete: (name) => void parameters.delete(name),
    arn,
    allow: (accessKeyId, arns) => void policies.set(accessKeyId, new Set(arns)),
    throttle(times) {
      throttled = times;
    },
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
