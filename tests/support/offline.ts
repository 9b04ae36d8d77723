/**
 * Runs `serverless offline start` as a child process on free loopback ports, for end-to-end
 * tests. The child gets its own process group (so the whole tree, esbuild included, can be
 * stopped at once), its own esbuild output folder under .esbuild/ (so parallel runs do not
 * share bundles), and no file watcher (so edits made during the run do not reload handlers).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, onTestFailed } from 'vitest';
import { freePort } from '../../scripts/embedded-postgres';
import { fakeServicesEnv } from '../../emulators/fake-env';
import { startFakeStripe, type FakeStripe } from '../../emulators/fake-stripe';
import {
  startFakeTextMagic,
  type FakeTextMagic,
  type FakeTextMagicOptions,
} from '../../emulators/fake-textmagic';
import type { TestDatabase } from './database';

export type Offline = {
  /** `http://127.0.0.1:<httpPort>` */
  url: string;
  httpPort: number;
  lambdaPort: number;
  /** Everything the child wrote to stdout and stderr so far. */
  output(): string;
  /** Stops the process tree (SIGTERM, then SIGKILL) and removes the build folder. Idempotent. */
  stop(): Promise<void>;
};

const ROOT = path.resolve(import.meta.dirname, '../..');
const SERVERLESS = path.join(ROOT, 'node_modules/serverless/bin/serverless.js');
/** One build of the bundles per test run, when OFFLINE_SHARED_BUILD names its folder (setup-env.ts). */
const SHARED_BUILD = path.join(ROOT, 'scripts/offline-shared-build.cjs');

/** Application settings never inherited from the parent: the caller's `env` is all they get. */
const APP_KEYS = [
  'DATABASE_URL',
  'DATABASE_DRIVER',
  'NEON_WS_PROXY',
  'DATABASE_POOL_MAX',
  'STRIPE_SECRET_KEY',
  'STRIPE_WEBHOOK_SECRET',
  'STRIPE_API_URL',
  'STRIPE_TIMEOUT_MS',
  'TEXTMAGIC_USERNAME',
  'TEXTMAGIC_API_KEY',
  'TEXTMAGIC_FROM_NUMBER',
  'TEXTMAGIC_API_URL',
  'TEXTMAGIC_TIMEOUT_MS',
  'INBOUND_SMS_TOKEN',
  'LEAD_API_KEY',
  'ADMIN_API_KEY',
  'PUBLIC_BASE_URL',
  'DEFAULT_COUNTRY',
  'DEFAULT_TIME_ZONE',
  'LEAD_PRICE_CENTS',
  'LEAD_MAX_UNLOCKS',
  'LEAD_MAX_OFFERS',
  'LEAD_TTL_HOURS',
  'CURRENCY',
  'LOG_LEVEL',
  'IS_OFFLINE',
  'PORT',
  'LAMBDA_PORT',
  'NODE_OPTIONS',
];

/** Started and not yet stopped, with their build folders. */
const running = new Map<ChildProcess, string>();
// Last resort: if the test process goes away without afterAll, take the servers with it.
process.once('exit', () => {
  for (const [child, folder] of running) {
    killGroup(child, 'SIGKILL');
    rmSync(folder, { recursive: true, force: true });
  }
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(exited(child)), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * Starts `serverless offline start` with `env` (added to a copy of this process's environment
 * stripped of application settings; PUBLIC_BASE_URL defaults to the server's own URL) and
 * waits until `GET /health` answers 200.
 */
export async function startOffline(opts: {
  env: Record<string, string>;
  readyTimeoutMs?: number;
}): Promise<Offline> {
  const httpPort = await freePort();
  let lambdaPort = await freePort();
  while (lambdaPort === httpPort) lambdaPort = await freePort();
  const workFolder = path.join('.esbuild', `e2e-${process.pid}-${randomBytes(4).toString('hex')}`);
  const url = `http://127.0.0.1:${httpPort}`;

  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of APP_KEYS) delete env[key];
  Object.assign(env, {
    PORT: String(httpPort),
    LAMBDA_PORT: String(lambdaPort),
    // Both database drivers and `ws`, as `npm start` builds them (esbuild.config.cjs).
    BUNDLE_TARGET: 'offline',
    ESBUILD_WORK_FOLDER: workFolder,
    // A path that does not exist: chokidar watches nothing that changes.
    ESBUILD_WATCH_PATTERN: path.join(workFolder, 'no-watch'),
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
    FORCE_COLOR: '0',
    PUBLIC_BASE_URL: url,
    ...opts.env,
  });

  let log = '';
  const child = spawn(
    process.execPath,
    [
      ...(env.OFFLINE_SHARED_BUILD ? ['--require', SHARED_BUILD] : []),
      SERVERLESS,
      'offline',
      'start',
      '--httpPort',
      String(httpPort),
      '--lambdaPort',
      String(lambdaPort),
    ],
    { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.set(child, path.join(ROOT, workFolder));
  child.stdout.setEncoding('utf8').on('data', (s: string) => (log += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (log += s));
  child.on('error', (e) => (log += `\n[spawn error] ${e.message}\n`));

  let stopped: Promise<void> | undefined;
  const offline: Offline = {
    url,
    httpPort,
    lambdaPort,
    output: () => log,
    stop() {
      stopped ??= (async () => {
        if (!exited(child)) {
          killGroup(child, 'SIGTERM');
          // serverless-offline can take a minute to halt on SIGTERM: do not wait for it. (No
          // upstream issue found; seen with serverless-offline 14.8.2.)
          if (!(await waitForExit(child, 3_000))) {
            killGroup(child, 'SIGKILL');
            await waitForExit(child, 5_000);
          }
        }
        // Anything else left in the group (esbuild's service process).
        killGroup(child, 'SIGKILL');
        running.delete(child);
        rmSync(path.join(ROOT, workFolder), { recursive: true, force: true });
      })();
      return stopped;
    },
  };

  const deadline = Date.now() + (opts.readyTimeoutMs ?? 90_000);
  try {
    for (;;) {
      if (exited(child))
        throw new Error(`serverless offline exited (code ${child.exitCode}, signal ${child.signalCode})`);
      try {
        const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5_000) });
        await res.arrayBuffer();
        if (res.status === 200) return offline;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`GET ${url}/health did not answer 200 in time`);
      await new Promise((r) => setTimeout(r, 250));
    }
  } catch (e) {
    await offline.stop();
    throw new Error(`${(e as Error).message}\n--- serverless offline output ---\n${log.slice(-8_000)}`);
  }
}

/** `method route` at `offline` with `headers` and a JSON body; its JSON answer, or an error naming a non-2xx. */
export async function callJson(
  offline: Offline,
  method: string,
  route: string,
  json: unknown,
  headers: Record<string, string>,
): Promise<Record<string, unknown>> {
  const res = await fetch(`${offline.url}${route}`, {
    method,
    headers: { ...headers, ...(json === undefined ? {} : { 'content-type': 'application/json' }) },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${route} answered ${res.status}: ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** In a test: should it fail, print the server's last output (what the browser cannot show). */
export function showServerOnFailure(offline: Offline): void {
  onTestFailed(() => {
    console.error(`--- serverless offline output (last 6 KB) ---\n${offline.output().slice(-6_000)}`);
  });
}

export type OfflineApi = { stripe: FakeStripe; textmagic: FakeTextMagic; offline: Offline };

/**
 * A test file's API over serverless-offline on its database `db`, with the Stripe and TextMagic
 * stand-ins: started before its tests (the fields are set then), stopped after. `env` over the
 * stand-ins' settings.
 */
export function useOfflineApi(
  db: TestDatabase,
  opts: { env?: Record<string, string>; textmagic?: FakeTextMagicOptions } = {},
): OfflineApi {
  const api = {} as OfflineApi;
  beforeAll(async () => {
    api.stripe = await startFakeStripe();
    api.textmagic = await startFakeTextMagic(opts.textmagic);
    api.offline = await startOffline({
      env: { DATABASE_URL: db.url, ...fakeServicesEnv(api.stripe, api.textmagic), ...opts.env },
    });
  }, 120_000);
  afterAll(async () => {
    await api.offline?.stop();
    await Promise.all([api.stripe?.close(), api.textmagic?.close()]);
  }, 30_000);
  return api;
}
