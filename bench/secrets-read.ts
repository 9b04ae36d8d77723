/**
 * What reading the secrets from SSM Parameter Store costs a cold start, against the stand-in
 * (emulators/fake-ssm.ts) in a process of its own: a loopback round trip, so what is measured is
 * the code that signs, sends and parses, not AWS's network. Two measures:
 * - per function, in bench/cold-start.ts's rounds: its import + clients with its secrets read
 *   from SSM at init (as deployed) beside the same with them in the environment (before);
 * - the ways to read them, each built alone with the functions' esbuild options: lib/secrets.ts
 *   (aws4 over node:https, the one chosen), Powertools Parameters and @middy/ssm (both on the AWS
 *   SDK v3 SSM client), all reading the same eight SecureStrings at init.
 */
import { fork, spawnSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';
import { SECRET_NAMES } from '../lib/secrets';
import { importProbe, timeRounds, type Timing } from './cold-start';

/** The stage path the bench's parameters live under. */
export const SSM_PATH = '/lead-unlock/bench/';

export type SsmProcess = { env: Record<string, string>; calls(): Promise<number>; stop(): Promise<void> };

/** The stand-in in a child process (bench/fake-ssm-process.ts), holding `values` under SSM_PATH. */
export async function startSsmProcess(values: Record<string, string>): Promise<SsmProcess> {
  const parameters = Object.fromEntries(Object.entries(values).map(([k, v]) => [`${SSM_PATH}${k}`, v]));
  const child = fork(
    fileURLToPath(new URL('./fake-ssm-process.ts', import.meta.url)),
    [JSON.stringify(parameters)],
    {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  const next = <T>() =>
    new Promise<T>((resolve, reject) => {
      const exited = (code: number | null) => reject(new Error(`SSM stand-in process exited (${code})`));
      child.once('exit', exited);
      child.once('message', (m) => {
        child.off('exit', exited);
        resolve(m as T);
      });
    });
  const { env } = await next<{ env: Record<string, string> }>();
  return {
    env,
    async calls() {
      const reply = next<{ calls: number }>();
      child.send('calls');
      return (await reply).calls;
    },
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.disconnect();
      await exited;
    },
  };
}

/**
 * A probe's first lines for a function as deployed: its secrets gone from the environment, and
 * where to read them (`secrets`, its SECRETS) named instead, with the stand-in's credentials.
 */
export function deployedPrelude(ssm: SsmProcess, secrets: string): string {
  const env = { ...ssm.env, SECRETS_SSM_PATH: SSM_PATH, SECRETS: secrets };
  return (
    `for (const k of ${JSON.stringify(SECRET_NAMES)}) delete process.env[k];\n` +
    `Object.assign(process.env, ${JSON.stringify(env)});\n`
  );
}

export type SecretsReader = { name: string; bytes: number; timing: Timing };

const NAMES = SECRET_NAMES.map((n) => `${SSM_PATH}${n}`);

/** Each reader: imported, then the eight parameters read and checked (a failed read exits 1). */
const READERS: Array<{ name: string; source: string }> = [
  {
    name: 'lib/secrets.ts: aws4 + node:https (chosen)',
    source:
      `import { readSecrets, secretProblems } from ${JSON.stringify(path.resolve('lib/secrets.ts'))};\n` +
      `await readSecrets();\nif (Object.keys(secretProblems()).length) process.exit(1);\n`,
  },
  {
    name: 'Powertools Parameters (SSMProvider.getParametersByName) + @aws-sdk/client-ssm',
    source:
      `import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';\n` +
      `const got = await new SSMProvider().getParametersByName(${JSON.stringify(Object.fromEntries(NAMES.map((n) => [n, {}])))}, { decrypt: true, throwOnError: false });\n` +
      `if (got._errors.length || Object.keys(got).length !== ${NAMES.length + 1}) process.exit(1);\n`,
  },
  {
    name: '@middy/ssm (prefetched at init, awaited by the first request) + @aws-sdk/client-ssm',
    source:
      `import middy from '@middy/core';\nimport ssm from '@middy/ssm';\n` +
      `const handler = middy().use(ssm({ fetchData: ${JSON.stringify(Object.fromEntries(NAMES.map((n, i) => [`s${i}`, n])))}, setToContext: true })).handler(async (_e, context) => context);\n` +
      `const context = await handler({}, {});\nif (!context.s0 || !context.s${NAMES.length - 1}) process.exit(1);\n`,
  },
];

/** The readers, built with the functions' esbuild options and timed in rounds of their own. */
export async function measureSecretReaders(
  outDir: string,
  options: BuildOptions,
  empty: string,
  pairs: number,
  ssm: SsmProcess,
): Promise<SecretsReader[]> {
  const dir = path.join(outDir, 'secret-readers');
  mkdirSync(dir, { recursive: true });
  const env = {
    PATH: process.env.PATH,
    ...ssm.env,
    SECRETS_SSM_PATH: SSM_PATH,
    SECRETS: SECRET_NAMES.join(','),
    LOG_LEVEL: 'silent',
  };
  const built = await Promise.all(
    READERS.map(async (reader, i) => {
      const file = path.join(dir, `reader-${i}.mjs`);
      await build({
        ...options,
        stdin: { contents: reader.source, resolveDir: process.cwd(), loader: 'ts' },
        outfile: file,
        sourcemap: false,
        logLevel: 'silent',
      });
      const probe = importProbe(path.join(dir, `reader-${i}.probe.mjs`), file, '');
      // Once, untimed: it must read all eight, or its time would be of a failure.
      const check = spawnSync(process.execPath, [probe], { env });
      if (check.status !== 0)
        throw new Error(`${reader.name} did not read the parameters: ${check.stderr.toString()}`);
      return { reader, probe, bytes: statSync(file).size };
    }),
  );
  writeFileSync(path.join(dir, 'env.json'), JSON.stringify(env));
  const timings = timeRounds(
    built.map((b) => b.probe),
    empty,
    env,
    pairs,
  );
  return built.map(({ reader, bytes }, i) => ({ name: reader.name, bytes, timing: timings[i]! }));
}
