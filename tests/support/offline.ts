/**
 * `serverless offline start` on free loopback ports for the tests that need the API over HTTP,
 * isolated as scripts/offline-process.ts describes, with no application setting of this process.
 */
import { afterAll, beforeAll, onTestFailed } from 'vitest';
import { freePort } from '../../scripts/embedded-postgres';
import { spawnOffline } from '../../scripts/offline-process';
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
  const url = `http://127.0.0.1:${httpPort}`;
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of APP_KEYS) delete env[key];
  const child = spawnOffline({
    httpPort,
    lambdaPort,
    env: { ...env, PUBLIC_BASE_URL: url, ...opts.env },
    isolated: 'e2e',
  });
  const offline: Offline = { url, httpPort, lambdaPort, output: child.output, stop: child.stop };
  try {
    await child.ready(url, opts.readyTimeoutMs ?? 90_000);
    return offline;
  } catch (e) {
    await offline.stop();
    throw new Error(
      `${(e as Error).message}\n--- serverless offline output ---\n${child.output().slice(-8_000)}`,
    );
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
