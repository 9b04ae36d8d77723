/**
 * A deployed function's secrets, read from SSM Parameter Store (SecureString, decrypted) in
 * Lambda's init phase and kept for the container's life; they reach the functions only through
 * lib/config.ts (`useSecrets`), parsed with the environment in its one pass.
 *
 * The deploy (scripts/serverless-secrets.cjs) gives each function `SECRETS_SSM_PATH`
 * (`/lead-unlock/<stage>/`) and `SECRETS`, the names it reads (its `secrets:` in serverless.yml),
 * and an IAM role that may read exactly those parameters. Without `SECRETS_SSM_PATH` (`npm start`,
 * serverless-offline, the tests) nothing is read: the environment's values stand, as before.
 *
 * A parameter that is missing, or that could not be read (denied, throttled, SSM unreachable),
 * leaves its secret unset: what needs it answers 503 "not configured", as for an unset key, and
 * the function's health says which (`secretProblems`); init never fails over it. The names that
 * had a problem are read again at the next request a minute or more later, so a parameter put
 * after a deploy, or a throttled cold start, mends itself without a new container. Values are
 * never logged; names are.
 *
 * GetParameters is called here through lib/aws-request.ts (Signature Version 4 over node:https),
 * rather than through @middy/ssm or Powertools Parameters: both sit on the AWS SDK v3 SSM client,
 * whose bundle (about 630 KiB minified) costs a cold start more than all the rest of a function
 * (docs/performance.md, "Reading secrets", has the three measured). What they would add for one
 * call is small and written out below: batches of 10, a missing name reported without failing
 * the others, one retry. `AWS_ENDPOINT_URL_SSM` points the call elsewhere (the tests' stand-in,
 * emulators/fake-ssm.ts).
 */
import { useSecrets, VARIABLES, type Variable, type VariableName } from './config';
import { ExternalServiceError } from './errors';
import { log } from './log';
import { awsRequest } from './aws-request';

/** Why a secret this function reads has no value: no such parameter, or it could not be read. */
export type SecretProblem = 'missing' | 'unreadable';

/** Names of lib/config.ts's variables marked secret. */
export const SECRET_NAMES = (Object.keys(VARIABLES) as VariableName[]).filter(
  (name) => (VARIABLES[name] as Variable).secret,
);

/** Problems are read again after this long, at the next request. */
const RETRY_AFTER_MS = 60_000;

type Read = { values: Record<string, string>; problems: Map<VariableName, SecretProblem>; at: number };

let last: Read | undefined;

/**
 * The secrets this function declares (`SECRETS`, set by scripts/serverless-secrets.cjs when
 * packaged and under serverless-offline alike); undefined where nothing declares them (the
 * in-process tests, which hold every secret).
 */
export function declaredSecrets(
  env: Record<string, string | undefined> = process.env,
): VariableName[] | undefined {
  if (env.SECRETS === undefined) return undefined;
  const listed = env.SECRETS.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = listed.filter((name) => !(SECRET_NAMES as string[]).includes(name));
  if (unknown.length) log.warn('secrets: names that are no secret of lib/config.ts ignored', { unknown });
  return SECRET_NAMES.filter((name) => listed.includes(name));
}

/** Where this function's secrets are and which it reads; undefined when not deployed. */
export function secretsToRead(
  env: Record<string, string | undefined> = process.env,
): { path: string; names: VariableName[] } | undefined {
  const path = env.SECRETS_SSM_PATH?.trim();
  if (!path) return undefined;
  return { path: path.endsWith('/') ? path : `${path}/`, names: declaredSecrets(env) ?? [] };
}

/** Parameter Store's limit on names per GetParameters call (API reference, GetParameters, `Names`). */
const BATCH = 10;
/** Per try; two tries at most: well within Lambda's 10 s init. */
const TIMEOUT_MS = 2_000;

type GetParametersResult = {
  Parameters?: Array<{ Name: string; Value: string }>;
  InvalidParameters?: string[];
};

/**
 * One `AmazonSSM.GetParameters` call (AWS JSON 1.1), decrypted. Throws ExternalServiceError whose
 * message is SSM's error type: retryable for throttling (`ThrottlingException`, a 400), 5xx,
 * timeouts and network faults.
 */
async function getParameters(names: string[]): Promise<GetParametersResult> {
  let res;
  try {
    res = await awsRequest({
      service: 'ssm',
      method: 'POST',
      path: '/',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AmazonSSM.GetParameters',
      },
      body: JSON.stringify({ Names: names, WithDecryption: true }),
      timeoutMs: TIMEOUT_MS,
    });
  } catch (err) {
    throw new ExternalServiceError('ssm', (err as Error).name || 'NetworkError', true);
  }
  if (res.body === undefined) throw new ExternalServiceError('ssm', 'ResponseCutShort', true, res.status);
  const answer = JSON.parse(res.body || '{}') as GetParametersResult & { __type?: string };
  if (res.status === 200) return answer;
  // `__type` may be namespaced (`com.amazonaws…#ThrottlingException`).
  const type = String(answer.__type ?? 'UnknownError')
    .split('#')
    .pop()!;
  throw new ExternalServiceError('ssm', type, res.status >= 500 || /Throttl/.test(type), res.status);
}

/** One retry, after 100 to 300 ms, of what may succeed then. */
async function getParametersRetried(names: string[]): Promise<GetParametersResult> {
  try {
    return await getParameters(names);
  } catch (err) {
    if (!(err instanceof ExternalServiceError) || !err.retryable) throw err;
    await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
    return getParameters(names);
  }
}

/** Reads `names` (all of them, or those that had a problem) and hands the values to config. */
async function read(path: string, names: VariableName[]): Promise<void> {
  const values = { ...last?.values };
  const problems = new Map<VariableName, SecretProblem>();
  const byParameter = new Map(names.map((name) => [`${path}${name}`, name]));
  const parameters = [...byParameter.keys()];
  const batches = Array.from({ length: Math.ceil(parameters.length / BATCH) }, (_, i) =>
    parameters.slice(i * BATCH, (i + 1) * BATCH),
  );
  await Promise.all(
    batches.map(async (batch) => {
      try {
        const got = await getParametersRetried(batch);
        for (const p of got.Parameters ?? []) {
          const name = byParameter.get(p.Name);
          if (name) values[name] = p.Value;
        }
        for (const parameter of got.InvalidParameters ?? []) {
          const name = byParameter.get(parameter);
          if (name) problems.set(name, 'missing');
        }
      } catch (err) {
        // Denied, throttled twice, unreachable: the error's type and status, never a value.
        for (const parameter of batch) problems.set(byParameter.get(parameter)!, 'unreadable');
        log.error('secrets: SSM Parameter Store could not be read', {
          parameters: batch,
          error: err instanceof ExternalServiceError ? err.message : (err as Error).name,
          status: err instanceof ExternalServiceError ? err.status : undefined,
        });
      }
    }),
  );
  if (problems.size) {
    log.error('secrets: some secrets are not configured; what needs them answers 503', {
      problems: Object.fromEntries([...problems].map(([name, why]) => [`${path}${name}`, why])),
    });
  }
  last = { values, problems, at: Date.now() };
  useSecrets(values);
}

/** Lambda's init phase: reads this function's secrets, when deployed. Never throws. */
export async function readSecrets(): Promise<void> {
  const where = secretsToRead();
  if (!where || where.names.length === 0) return;
  await read(where.path, where.names);
}

/** Before a request: reads again the secrets that had a problem, at most once a minute. */
export async function refreshSecrets(now = Date.now()): Promise<void> {
  if (!last || last.problems.size === 0 || now - last.at < RETRY_AFTER_MS) return;
  const where = secretsToRead();
  if (where) await read(where.path, [...last.problems.keys()]);
}

/** The secrets this function reads that have no value, and why (empty when not deployed). */
export function secretProblems(): Partial<Record<VariableName, SecretProblem>> {
  return Object.fromEntries(last?.problems ?? []);
}

/** Forgets what was read (tests). */
export function resetSecrets(): void {
  last = undefined;
  useSecrets({});
}
