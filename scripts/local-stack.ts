/**
 * The whole product on this machine, as `npm start` runs it and browser tests can too: a
 * migrated Postgres (embedded under .local/pg unless a URL is given), local stand-ins for
 * Stripe and TextMagic when their credentials are not set (emulators/), serverless-offline on an
 * internal loopback port, and the front server on `port` (sandbox/front-server.ts) that serves
 * `/sandbox/*` and passes everything else to the API untouched.
 */
import path from 'node:path';
import type { CountryCode } from 'libphonenumber-js';
import pg from 'pg';
import { startFakeStripe, type FakeStripe } from '../emulators/fake-stripe';
import { startFakeTextMagic, type FakeTextMagic, type SentSms } from '../emulators/fake-textmagic';
import { LOCAL_DEV_KEYS } from '../lib/config';
import { runMigrations } from '../lib/db/migrate';
import { startFrontServer, type FrontServer } from '../sandbox/front-server';
import { createSandbox } from '../sandbox/routes';
import { freePort, startEmbeddedPostgres, type LocalPostgres } from './embedded-postgres';
import { spawnOffline } from './offline-process';

const ROOT = path.resolve(import.meta.dirname, '..');
const LOCAL_DB = 'lead_unlock';

export type LocalStackOptions = {
  /** The front server's port (what PUBLIC_BASE_URL names); 0 picks a free one. */
  port: number;
  /** A Postgres to migrate and use; otherwise the embedded one under .local/pg. */
  databaseUrl?: string;
  /** Settings for the API over process.env's (credentials, keys, LEAD_PRICE_CENTS, …). */
  env?: Record<string, string | undefined>;
  /**
   * For tests: the API's output is kept (`output()`) rather than printed, its bundles built in
   * a folder of their own and no source file watched. Default: printed, rebuilt on edits.
   */
  isolated?: boolean;
  /** Fixed ports for the stand-ins (`npm start` keeps them across restarts); free ones otherwise. */
  standInPorts?: { stripe?: number; textmagic?: number };
  /** Called with each SMS the TextMagic stand-in accepts. */
  onSms?: (sms: SentSms) => void;
  readyTimeoutMs?: number;
  /** Aborting it while the stack starts stops what had started, and the call rejects. */
  signal?: AbortSignal;
};

export type LocalStack = {
  /** http://localhost:<port>: the console is at `${url}/admin`. */
  url: string;
  port: number;
  databaseUrl: string;
  /** Where the data lives, for the start-up banner. */
  database: 'external' | { embedded: string; port: number };
  keys: { leadApiKey: string; adminApiKey: string; inboundSmsToken: string };
  /** The Stripe stand-in, when no Stripe credentials are set. */
  stripe?: FakeStripe;
  /** The TextMagic stand-in, when no TextMagic credentials are set. */
  textmagic?: FakeTextMagic;
  /** True when both stand-ins run: `/sandbox/*` exists. */
  sandbox: boolean;
  /** serverless-offline's output so far (`isolated` only; empty otherwise). */
  output(): string;
  /** Resolves when serverless-offline exits on its own (a crash), with its exit code. */
  exited: Promise<number>;
  /** Stops the front server, serverless-offline, the stand-ins and the embedded database. Idempotent. */
  stop(): Promise<void>;
};

const set = (v: string | undefined): v is string => v !== undefined && v.trim() !== '';

async function embeddedDatabase(): Promise<{ url: string; server: LocalPostgres }> {
  const server = await startEmbeddedPostgres({
    dataDir: path.join(ROOT, '.local', 'pg'),
    port: Number(process.env.LOCAL_PG_PORT ?? 54329),
    persistent: true,
  });
  const admin = new pg.Client({ connectionString: server.url() });
  await admin.connect();
  try {
    const exists = await admin.query('select 1 from pg_database where datname = $1', [LOCAL_DB]);
    if (exists.rowCount === 0) await admin.query(`create database ${LOCAL_DB}`);
  } finally {
    await admin.end();
  }
  return { url: server.url(LOCAL_DB), server };
}

export async function startLocalStack(opts: LocalStackOptions): Promise<LocalStack> {
  const env: Record<string, string | undefined> = { ...process.env, ...opts.env };
  const cleanup: Array<() => Promise<void>> = [];
  const undo = async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn().catch(() => {});
  };
  let output = () => '';

  try {
    const port = opts.port || (await freePort());
    const url = `http://localhost:${port}`;

    let databaseUrl = opts.databaseUrl;
    let database: LocalStack['database'] = 'external';
    if (!databaseUrl) {
      const local = await embeddedDatabase();
      cleanup.push(() => local.server.stop());
      databaseUrl = local.url;
      database = { embedded: path.join('.local', 'pg'), port: local.server.port };
    }
    await runMigrations(databaseUrl);

    const keys = {
      leadApiKey: set(env.LEAD_API_KEY) ? env.LEAD_API_KEY : LOCAL_DEV_KEYS.leadApiKey,
      adminApiKey: set(env.ADMIN_API_KEY) ? env.ADMIN_API_KEY : LOCAL_DEV_KEYS.adminApiKey,
      inboundSmsToken: set(env.INBOUND_SMS_TOKEN) ? env.INBOUND_SMS_TOKEN : LOCAL_DEV_KEYS.inboundSmsToken,
    };
    const apiEnv: Record<string, string> = {};

    // The stand-ins deliver to the front server, as Stripe would to the public URL.
    let stripe: FakeStripe | undefined;
    if (!set(env.STRIPE_SECRET_KEY)) {
      stripe = await startFakeStripe({
        port: opts.standInPorts?.stripe ?? 0,
        secretKey: 'sk_test_local_sandbox',
        webhookSecret: 'whsec_local_sandbox',
        webhookUrl: `http://127.0.0.1:${port}/stripe/webhook`,
      });
      const fake = stripe;
      cleanup.push(() => fake.close());
      Object.assign(apiEnv, {
        STRIPE_SECRET_KEY: stripe.secretKey,
        STRIPE_WEBHOOK_SECRET: stripe.webhookSecret,
        STRIPE_API_URL: stripe.url,
      });
    }
    let textmagic: FakeTextMagic | undefined;
    /** The sandbox reports each accepted SMS delivered, as TextMagic would. */
    const hooks: { delivered?: (sms: SentSms) => void } = {};
    if (!(set(env.TEXTMAGIC_USERNAME) && set(env.TEXTMAGIC_API_KEY))) {
      textmagic = await startFakeTextMagic({
        port: opts.standInPorts?.textmagic ?? 0,
        username: 'local-sandbox',
        apiKey: 'local-sandbox-key',
        onSend: (sms) => {
          opts.onSms?.(sms);
          hooks.delivered?.(sms);
        },
      });
      const fake = textmagic;
      cleanup.push(() => fake.close());
      Object.assign(apiEnv, {
        TEXTMAGIC_USERNAME: textmagic.username,
        TEXTMAGIC_API_KEY: textmagic.apiKey,
        TEXTMAGIC_API_URL: textmagic.url,
      });
    }

    const apiPort = await freePort();
    let lambdaPort = set(env.LAMBDA_PORT) ? Number(env.LAMBDA_PORT) : await freePort();
    while (lambdaPort === apiPort || lambdaPort === port) lambdaPort = await freePort();
    const api = `http://127.0.0.1:${apiPort}`;

    const sandbox =
      stripe && textmagic
        ? createSandbox({
            api,
            stripe,
            textmagic,
            keys,
            receiver: (env.TEXTMAGIC_FROM_NUMBER ?? '').replace(/\D/g, '') || '15125550100',
            defaultCountry: (set(env.DEFAULT_COUNTRY) ? env.DEFAULT_COUNTRY : 'US') as CountryCode,
          })
        : undefined;
    if (sandbox) hooks.delivered = (sms) => sandbox.reportDelivered(sms);
    let front: FrontServer | undefined = await startFrontServer({
      port,
      upstream: api,
      ...(sandbox ? { sandbox: sandbox.handler } : {}),
    });
    cleanup.push(async () => {
      await front?.close();
      front = undefined;
    });

    const offline = spawnOffline({
      httpPort: apiPort,
      lambdaPort,
      env: {
        ...env,
        ...apiEnv,
        DATABASE_URL: databaseUrl,
        PUBLIC_BASE_URL: set(env.PUBLIC_BASE_URL) ? env.PUBLIC_BASE_URL : url,
      },
      ...(opts.isolated && { isolated: 'stack' }),
    });
    output = offline.output;
    cleanup.push(offline.stop);
    await offline.ready(api, opts.readyTimeoutMs ?? 120_000, opts.signal);

    let stopped: Promise<void> | undefined;
    return {
      url,
      port,
      databaseUrl,
      database,
      keys,
      ...(stripe ? { stripe } : {}),
      ...(textmagic ? { textmagic } : {}),
      sandbox: Boolean(sandbox),
      output,
      exited: offline.exited,
      stop: () => (stopped ??= undo()),
    };
  } catch (e) {
    await undo();
    const log = output();
    if (!log) throw e;
    throw new Error(`${(e as Error).message}\n--- serverless offline output ---\n${log.slice(-8_000)}`);
  }
}
