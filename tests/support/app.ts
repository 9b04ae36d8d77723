import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, inject } from 'vitest';
import { resetConfig } from '../../lib/config';
import { closeDb } from '../../lib/db/client';
import { resetStripe } from '../../lib/stripe';
import { addCategories } from './catalogue';
import { useTestDatabase, type TestDatabase } from './database';
import { startFakeStripe, type FakeStripe } from '../../emulators/fake-stripe';
import { startFakeTextMagic, type FakeTextMagic } from '../../emulators/fake-textmagic';
import { fakeServicesEnv } from '../../emulators/fake-env';
import { startNeonWsProxy } from '../../emulators/neon-ws-proxy';

export const KEYS = {
  lead: 'test-lead-key',
  admin: 'test-admin-key',
  sms: 'test-sms-token',
} as const;
export const PUBLIC_BASE_URL = 'https://leads.example.test';

export type TestApp = {
  db: TestDatabase;
  stripe: FakeStripe;
  textmagic: FakeTextMagic;
};

/** True when the run has a PgBouncer (tests/support/global-setup.ts) for `pooled` apps. */
export const poolerAvailable = (): boolean => inject('pgBouncerPort') > 0;

/** `url`, a database of the test Postgres, reached through the run's PgBouncer instead. */
export function pooledUrl(url: string): string {
  const port = inject('pgBouncerPort');
  if (!port) throw new Error('this run has no PgBouncer (apt-get install -y pgbouncer)');
  const pooled = new URL(url);
  pooled.port = String(port);
  return pooled.toString();
}

/**
 * A test file's world: its own migrated database, fake Stripe and TextMagic servers on
 * loopback, and the environment pointing at them. `neon` routes every query through Neon's
 * serverless driver and a local WebSocket proxy instead of a TCP pool; `pooled` puts the run's
 * PgBouncer (transaction mode, 4 server connections) between the app and Postgres, as Neon's
 * pooled endpoint is (for Neon: driver → WebSocket proxy → PgBouncer → Postgres).
 */
export function useApp(
  opts: {
    neon?: boolean;
    pooled?: boolean;
    env?: Record<string, string>;
    /** false: start with the empty catalogue of a fresh install (tests/support/catalogue.ts). */
    catalogue?: boolean;
  } = {},
): TestApp {
  const db = useTestDatabase();
  const app = { db } as TestApp;
  let closeProxy: (() => Promise<void>) | undefined;
  const changed: string[] = [];

  beforeAll(async () => {
    app.stripe = await startFakeStripe();
    app.textmagic = await startFakeTextMagic();
    const env: Record<string, string> = {
      ...fakeServicesEnv(app.stripe, app.textmagic),
      TEXTMAGIC_TIMEOUT_MS: '1000',
      STRIPE_TIMEOUT_MS: '1000',
      LEAD_API_KEY: KEYS.lead,
      ADMIN_API_KEY: KEYS.admin,
      INBOUND_SMS_TOKEN: KEYS.sms,
      PUBLIC_BASE_URL,
      DATABASE_POOL_MAX: '8',
      ...opts.env,
    };
    if (opts.pooled) {
      const port = inject('pgBouncerPort');
      if (!port)
        throw new Error('useApp({ pooled }): this run has no PgBouncer (apt-get install -y pgbouncer)');
      const url = new URL(db.url);
      url.port = String(port);
      env.DATABASE_URL = url.toString();
    }
    if (opts.neon) {
      const proxy = await startNeonWsProxy();
      closeProxy = proxy.close;
      env.DATABASE_DRIVER = 'neon';
      env.NEON_WS_PROXY = proxy.wsProxy;
    }
    for (const [k, v] of Object.entries(env)) {
      process.env[k] = v;
      changed.push(k);
    }
    resetConfig();
    resetStripe();
    await closeDb();
    if (opts.catalogue !== false) await addCategories();
  });

  afterAll(async () => {
    await closeDb();
    for (const k of changed) delete process.env[k];
    resetConfig();
    resetStripe();
    await Promise.all([app.stripe?.close(), app.textmagic?.close(), closeProxy?.()]);
  });

  return app;
}

/** A valid, unique-enough US mobile number in E.164 (NANP: area and exchange start 2–9). */
export function phoneNumber(): string {
  // Distinct within the process (each test file has its own, and its own database): drawn at
  // random, a file that adds a thousand providers met a taken number one run in twenty.
  phoneSeq = (phoneSeq + 1) % 1_000_000;
  return `+1512${PHONE_EXCHANGE}${String(phoneSeq).padStart(6, '0')}`;
}
const PHONE_EXCHANGE = randomInt(2, 10);
let phoneSeq = randomInt(0, 1_000_000);

/** The same number as TextMagic writes it: digits only. */
export const tmDigits = (e164: string) => e164.replace(/\D/g, '');
