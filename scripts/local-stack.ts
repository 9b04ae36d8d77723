/**
 * The whole product on this machine, as `npm start` runs it and browser tests can too: a
 * migrated Postgres (embedded under .local/pg unless a URL is given), local stand-ins for
 * Stripe and TextMagic when their credentials are not set (emulators/), serverless-offline on an
 * internal loopback port, and the front server on `port` (sandbox/front-server.ts) that serves
 * `/sandbox/*` and passes everything else to the API untouched.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
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

const ROOT = path.resolve(import.meta.dirname, '..');
const SERVERLESS = path.join(ROOT, 'node_modules/serverless/bin/serverless.js');
const SHARED_BUILD = path.join(ROOT, 'scripts/offline-shared-build.cjs');
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

const exitedAlready = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (exitedAlready(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(exitedAlready(child)), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export async function startLocalStack(opts: LocalStackOptions): Promise<LocalStack> {
  const env: Record<string, string | undefined> = { ...process.env, ...opts.env };
  const cleanup: Array<() => Promise<void>> = [];
  const undo = async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn().catch(() => {});
  };
  let log = '';

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

    const workFolder = opts.isolated
      ? path.join('.esbuild', `stack-${process.pid}-${randomBytes(4).toString('hex')}`)
      : undefined;
    const childEnv: NodeJS.ProcessEnv = {
      ...env,
      ...apiEnv,
      DATABASE_URL: databaseUrl,
      PUBLIC_BASE_URL: set(env.PUBLIC_BASE_URL) ? env.PUBLIC_BASE_URL : url,
      PORT: String(apiPort),
      LAMBDA_PORT: String(lambdaPort),
      // Both database drivers and `ws` in the bundles (esbuild.config.cjs).
      BUNDLE_TARGET: 'offline',
      SLS_TELEMETRY_DISABLED: '1',
      SLS_NOTIFICATIONS_MODE: 'off',
      ...(workFolder
        ? {
            ESBUILD_WORK_FOLDER: workFolder,
            // A path that does not exist: nothing watched changes.
            ESBUILD_WATCH_PATTERN: path.join(workFolder, 'no-watch'),
            FORCE_COLOR: '0',
          }
        : {}),
    };
    // Its own process group, so that the whole tree (esbuild's service included) stops at once.
    const child = spawn(
      process.execPath,
      [
        // Tests: the run's one build of the bundles, when OFFLINE_SHARED_BUILD names its folder.
        ...(opts.isolated && env.OFFLINE_SHARED_BUILD ? ['--require', SHARED_BUILD] : []),
        SERVERLESS,
        'offline',
        'start',
        '--httpPort',
        String(apiPort),
        '--lambdaPort',
        String(lambdaPort),
      ],
      {
        cwd: ROOT,
        env: childEnv,
        detached: true,
        stdio: opts.isolated ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'],
      },
    );
    child.stdout?.setEncoding('utf8').on('data', (s: string) => (log += s));
    child.stderr?.setEncoding('utf8').on('data', (s: string) => (log += s));
    child.on('error', (e) => (log += `\n[spawn error] ${e.message}\n`));
    const exited = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
    cleanup.push(async () => {
      if (!exitedAlready(child)) {
        killGroup(child, 'SIGTERM');
        // serverless-offline can take a minute to halt on SIGTERM: it gets a few seconds.
        if (!(await waitForExit(child, 4_000))) {
          killGroup(child, 'SIGKILL');
          await waitForExit(child, 5_000);
        }
      }
      killGroup(child, 'SIGKILL');
      if (workFolder) rmSync(path.join(ROOT, workFolder), { recursive: true, force: true });
    });

    const deadline = Date.now() + (opts.readyTimeoutMs ?? 120_000);
    for (;;) {
      opts.signal?.throwIfAborted();
      if (exitedAlready(child)) {
        throw new Error(`serverless offline exited (code ${child.exitCode}, signal ${child.signalCode})`);
      }
      try {
        const res = await fetch(`${api}/health`, { signal: AbortSignal.timeout(5_000) });
        await res.arrayBuffer();
        if (res.status === 200) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`GET ${api}/health did not answer 200 in time`);
      await new Promise((r) => setTimeout(r, 250));
    }

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
      output: () => log,
      exited,
      stop: () => (stopped ??= undo()),
    };
  } catch (e) {
    await undo();
    if (!log) throw e;
    throw new Error(`${(e as Error).message}\n--- serverless offline output ---\n${log.slice(-8_000)}`);
  }
}
