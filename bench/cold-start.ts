/**
 * Cold start: packages the service with `serverless package` and unpacks every function's
 * bundle from its zip (scripts/package-service.ts), then times fresh `node` processes importing it against fresh `node` processes importing an
 * empty module, alternately, and reports the median of the per-pair ratios.
 *
 * Importing a bundle builds its clients: each function awaits `initClients` at its top level
 * (configuration parsed, pool and drizzle created without connecting, the Stripe client where
 * the function uses Stripe), as Lambda's init phase does. That is the budgets' measure. Beside it,
 * the same import followed by one request up to its first database query (what the first
 * request of a container adds: validation, Intl, crypto, query building).
 */
import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { bundleContents, packageEsbuildOptions } from '../scripts/bundle-contents';
import { packageService, type ServicePackage } from '../scripts/package-service';
import { v2Event } from '../emulators/events';
import { SECRET_NAMES } from '../lib/secrets';
import { deployedPrelude, measureSecretReaders, startSsmProcess, type SecretsReader } from './secrets-read';

export const BUDGETS: Record<string, number> = {
  health: 1.5,
  createLead: 1.7,
  inboundSms: 1.7,
  stripeWebhook: 1.9,
  payLink: 1.9,
};

/**
 * Reference figures measured on the machine that set the budgets, each library minified alone:
 * the same libraries, built and timed the same way in this run, tell how much slower this
 * machine is at loading code than that one. (Powertools has no reference figure: it is measured
 * to weigh it against the EMF our logger writes.)
 */
export const REFERENCES: Array<{ name: string; issueRatio: number; source: string }> = [
  { name: 'Stripe SDK', issueRatio: 1.22, source: "import * as a from 'stripe';\nglobalThis.r = [a];" },
  {
    name: 'Neon driver',
    issueRatio: 1.33,
    source: "import * as a from '@neondatabase/serverless';\nglobalThis.r = [a];",
  },
  {
    name: 'drizzle',
    issueRatio: 1.32,
    source:
      "import * as a from 'drizzle-orm';\nimport * as b from 'drizzle-orm/pg-core';\nglobalThis.r = [a, b];",
  },
  {
    name: 'Neon + drizzle',
    issueRatio: 1.47,
    source:
      "import * as a from '@neondatabase/serverless';\nimport * as b from 'drizzle-orm/neon-serverless';\n" +
      "import * as c from 'drizzle-orm/pg-core';\nglobalThis.r = [a, b, c];",
  },
  {
    name: 'libphonenumber-js',
    issueRatio: 1.13,
    source: "import * as a from 'libphonenumber-js';\nglobalThis.r = [a];",
  },
  {
    name: 'middy core + 3 http middlewares',
    issueRatio: 1.13,
    source:
      "import middy from '@middy/core';\nimport a from '@middy/http-event-normalizer';\n" +
      "import b from '@middy/http-header-normalizer';\nimport c from '@middy/http-error-handler';\n" +
      'globalThis.r = [middy().use(a()).use(b()).use(c())];',
  },
  {
    name: 'Powertools Logger + Metrics',
    issueRatio: NaN,
    source:
      "import { Logger } from '@aws-lambda-powertools/logger';\nimport { Metrics } from '@aws-lambda-powertools/metrics';\n" +
      "globalThis.r = [new Logger({ serviceName: 'lead-unlock' }), new Metrics({ namespace: 'LeadUnlock', serviceName: 'lead-unlock' })];",
  },
  {
    name: 'everything this stack uses, one bundle (zod 4 without middy here)',
    issueRatio: 2.23,
    source:
      "import * as a from 'stripe';\nimport * as b from '@neondatabase/serverless';\n" +
      "import * as c from 'drizzle-orm/neon-serverless';\nimport * as d from 'drizzle-orm/pg-core';\n" +
      "import * as e from 'zod';\nimport * as f from 'libphonenumber-js';\nglobalThis.r = [a, b, c, d, e, f];",
  },
];

export type Reference = { name: string; issueRatio: number; bytes: number; timing: Timing };

export type Bundle = {
  fn: string;
  entry: string;
  file: string;
  /** The same bundle with drizzle stubbed out (measurement only), where it carries drizzle. */
  withoutDrizzleFile?: string;
  /** The same bundle with middy replaced by a bare handler builder (measurement only). */
  withoutMiddyFile?: string;
  bytes: number;
  /** Top-level packages in the bundle, with their bytes in the output. */
  packages: Record<string, number>;
  /** The source map beside it (none since issue 20: the zips carry no maps). */
  mapBytes: number;
  /** The secrets it reads from SSM when deployed (its SECRETS). */
  secrets: string;
};

/** Medians over the pairs: the probe's run, the empty module's run, and their per-pair ratio. */
export type Timing = { ms: number; emptyMs: number; ratio: number };

export type ColdStart = Bundle & {
  pairs: number;
  /** Import + clients built (the issue's measure), with the deployed NODE_OPTIONS. */
  init: Timing;
  budget?: number;
  pass?: boolean;
  /**
   * The budget carried over to this machine: 1 + (budget - 1) x machineFactor, the share of an
   * empty start the budget allows, scaled by how much slower this machine loads the same code.
   * Reported beside the issue's own budget, which stays the verdict.
   */
  budgetAtMachineSpeed?: number;
  passAtMachineSpeed?: boolean;
  /** Import + clients + one request up to its first database query, deployed NODE_OPTIONS. */
  firstRequest: Timing & {
    /** The status the handler answered (503: the database refused, as planned). */
    status: number;
  };
  /** Import + clients with the other choice of `--enable-source-maps` than the deployed one. */
  other: Timing & { nodeOptions: string };
  /** Every client the function builds at init was built (none failed). */
  clientsBuilt: boolean;
  /**
   * Import + clients of the same bundle with drizzle replaced by a no-op stub
   * (bench/drizzle-stub.ts): what the function would cost without drizzle and its tables.
   * Measured for the budgeted functions that carry drizzle.
   */
  withoutDrizzle?: Timing;
  /**
   * Import + clients of the same bundle with @middy/* replaced by a bare handler builder
   * (bench/middy-stub.ts), in the same rounds: what middy costs the function.
   */
  withoutMiddy?: Timing;
  /** Import + clients on Node 22 (Lambda's nodejs22.x), in rounds of its own against its own empty node. */
  node22?: Timing & { version: string };
  /**
   * Import + clients as deployed: its secrets read from SSM at init (the stand-in, in a process
   * of its own) instead of taken from the environment; in the same rounds as `init`.
   */
  withSsmRead?: Timing & { read: boolean };
};

/** Resolves drizzle-orm and its subpaths to bench/drizzle-stub.ts. */
const DRIZZLE_STUB: Plugin = {
  name: 'drizzle-stub',
  setup(b) {
    b.onResolve({ filter: /^drizzle-orm(\/.*)?$/ }, () => ({ path: path.resolve('bench/drizzle-stub.ts') }));
  },
};

/** Resolves @middy/core and the @middy/http-* middlewares to bench/middy-stub*.ts. */
const MIDDY_STUB: Plugin = {
  name: 'middy-stub',
  setup(b) {
    b.onResolve({ filter: /^@middy\/core$/ }, () => ({ path: path.resolve('bench/middy-stub.ts') }));
    b.onResolve({ filter: /^@middy\/http-/ }, () => ({
      path: path.resolve('bench/middy-stub-middleware.ts'),
    }));
  },
};

/**
 * Packages the service into `outDir` (deploy-time environment left unset, DATABASE_URL from SSM:
 * the Neon-only bundles) and unpacks each function's bundle; beside the budgeted ones that carry
 * drizzle, the same build with drizzle stubbed.
 */
export async function buildBundles(outDir: string): Promise<{ pkg: ServicePackage; bundles: Bundle[] }> {
  rmSync(outDir, { recursive: true, force: true });
  const pkg = await packageService({ dir: path.join(outDir, 'package') });
  const bundles: Bundle[] = [];
  for (const fn of pkg.functions) {
    const ext = path.extname(fn.file);
    const { packages } = await bundleContents(pkg, fn);
    /** The same entry built with `stub` among the plugins, into `folder` (measurement only). */
    const withStub = async (stub: Plugin, folder: string) => {
      const file = path.join(outDir, folder, fn.name, path.basename(fn.file));
      const options = packageEsbuildOptions(pkg);
      await build({
        ...options,
        entryPoints: [fn.entry],
        outdir: path.dirname(file),
        outExtension: { '.js': ext },
        plugins: [...(options.plugins ?? []), stub],
        logLevel: 'silent',
      });
      return file;
    };
    const withoutDrizzleFile =
      BUDGETS[fn.name] !== undefined && packages['drizzle-orm']
        ? await withStub(DRIZZLE_STUB, 'without-drizzle')
        : undefined;
    const withoutMiddyFile = packages['@middy/core']
      ? await withStub(MIDDY_STUB, 'without-middy')
      : undefined;
    bundles.push({
      fn: fn.name,
      entry: fn.entry,
      file: fn.file,
      withoutDrizzleFile,
      withoutMiddyFile,
      bytes: statSync(fn.file).size,
      mapBytes: statSync(`${fn.file}.map`, { throwIfNoEntry: false })?.size ?? 0,
      packages,
      secrets: fn.environment.SECRETS ?? '',
    });
  }
  return { pkg, bundles };
}

function timeNode(script: string, env: NodeJS.ProcessEnv, node = process.execPath): number {
  const started = process.hrtime.bigint();
  const r = spawnSync(node, [script], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`${script} failed: ${r.stderr.toString()}`);
  return ms;
}

const WEBHOOK_SECRET = 'whsec_bench';
const UUID = '00000000-0000-4000-8000-000000000000';

/**
 * The probe's environment: everything configured, the database at a loopback port that refuses
 * at once. A request then runs as on a cold start (config, validation, driver import, pool and
 * query builder) up to its first query, and answers 503.
 */
const PROBE_ENV: Record<string, string> = {
  DATABASE_URL: 'postgres://bench:bench@127.0.0.1:1/bench',
  DATABASE_DRIVER: 'neon',
  NEON_WS_PROXY: '127.0.0.1:1/v2',
  LEAD_API_KEY: 'bench-lead-key',
  ADMIN_API_KEY: 'bench-admin-key',
  INBOUND_SMS_TOKEN: 'bench-sms-token',
  STRIPE_SECRET_KEY: 'sk_test_bench',
  STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
  STRIPE_API_URL: 'http://127.0.0.1:1',
  TEXTMAGIC_USERNAME: 'bench-user',
  TEXTMAGIC_API_KEY: 'bench-textmagic-key',
  TEXTMAGIC_API_URL: 'http://127.0.0.1:1',
  LOG_LEVEL: 'silent',
};

const json = { 'content-type': 'application/json' };

/**
 * The network, faked at its edge: the Neon driver's WebSocket (the global one on nodejs22.x)
 * fails as a refused connection does, asynchronously, without loading a network stack. What is
 * measured is then the import and the clients being built, not a connection attempt.
 */
const REFUSING_WEBSOCKET = `globalThis.WebSocket = class {
  constructor(url) { this.url = url; this.l = {}; setTimeout(() => {
    const e = { type: 'error', message: 'Received network error or non-101 status code.' };
    for (const f of this.l.error ?? []) f(e);
    for (const f of this.l.close ?? []) f({ type: 'close', code: 1006 });
  }); }
  addEventListener(type, f) { (this.l[type] ??= []).push(f); }
  removeEventListener() {}
  send() {}
  close() {}
};
`;

/**
 * Writes a probe that imports `bundle` (building its clients) and exits: the pool's timers would
 * keep the process alive, where a Lambda is frozen instead. `prelude` runs first (by default the
 * refusing WebSocket).
 */
export function importProbe(probe: string, bundle: string, prelude = REFUSING_WEBSOCKET): string {
  writeFileSync(
    probe,
    `${prelude}await import(${JSON.stringify(path.resolve(bundle))});\nprocess.exit(0);\n`,
  );
  return probe;
}

/** A TextMagic callback to `path`, with our token. */
const textmagicCallback = (path: string, body: Record<string, unknown>) =>
  v2Event({
    method: 'POST',
    path,
    query: { token: PROBE_ENV.INBOUND_SMS_TOKEN! },
    headers: json,
    body: JSON.stringify(body),
  });

/** The request each function's probe sends: one that reaches the database. */
function probeEvent(fn: string): unknown {
  switch (fn) {
    case 'health':
      return v2Event({ path: '/health' });
    case 'createLead':
      return v2Event({
        method: 'POST',
        path: '/leads',
        headers: { ...json, 'x-api-key': PROBE_ENV.LEAD_API_KEY! },
        body: JSON.stringify({
          name: 'Jane Client',
          phone: '(512) 555-0142',
          email: 'jane@example.com',
          category: 'plumbing',
          zipCode: '78701',
          description: 'Leaking kitchen sink',
        }),
      });
    case 'lead':
      return v2Event({
        path: `/leads/${UUID}`,
        pathParams: { id: UUID },
        headers: { authorization: `Bearer ${PROBE_ENV.ADMIN_API_KEY}` },
      });
    case 'providers':
      return v2Event({ path: '/providers', headers: { authorization: `Bearer ${PROBE_ENV.ADMIN_API_KEY}` } });
    case 'inboundSms':
      return textmagicCallback('/sms/inbound', {
        id: 1,
        sender: '15125550142',
        receiver: '15125550100',
        text: 'YES 4821',
      });
    case 'smsStatus':
      return textmagicCallback('/sms/status', { id: 1, status: 'd' });
    case 'stripeWebhook': {
      const body = JSON.stringify({
        id: 'evt_bench',
        object: 'event',
        type: 'checkout.session.completed',
        created: Math.floor(Date.now() / 1000),
        data: {
          object: {
            id: 'cs_bench',
            object: 'checkout.session',
            payment_status: 'paid',
            metadata: { leadId: UUID, providerId: UUID, offerId: UUID },
          },
        },
      });
      const t = Math.floor(Date.now() / 1000);
      const v1 = createHmac('sha256', WEBHOOK_SECRET).update(`${t}.${body}`).digest('hex');
      return v2Event({
        method: 'POST',
        path: '/stripe/webhook',
        headers: { ...json, 'stripe-signature': `t=${t},v1=${v1}` },
        body,
      });
    }
    case 'payLink':
      return v2Event({ path: '/p/abcdefghijklmnopqrstuv', pathParams: { token: 'abcdefghijklmnopqrstuv' } });
    default:
      return {}; // the scheduled dispatcher
  }
}

/** Node flags of the deployed functions, with or without `--enable-source-maps`. */
function nodeOptions(deployed: string, sourceMaps: boolean): string {
  const flags = deployed.split(/\s+/).filter((f) => f && f !== '--enable-source-maps');
  if (sourceMaps) flags.push('--enable-source-maps');
  return flags.join(' ');
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/**
 * `pairs` rounds, each running an empty module and every probe once, in an order that rotates
 * from round to round (so that drift in machine load falls on all); per probe, the median of its
 * runs, of the empty runs, and of its per-round ratio to the empty run.
 */
export function timeRounds(
  probes: string[],
  empty: string,
  env: NodeJS.ProcessEnv,
  pairs: number,
  node = process.execPath,
): Timing[] {
  for (const script of [empty, ...probes]) timeNode(script, env, node); // warm the file cache
  const runs = probes.map(() => ({ ms: [] as number[], emptyMs: [] as number[], ratio: [] as number[] }));
  for (let i = 0; i < pairs; i++) {
    const order = [-1, ...probes.keys()];
    const shift = i % order.length;
    const times = new Map<number, number>();
    for (const k of [...order.slice(shift), ...order.slice(0, shift)]) {
      times.set(k, timeNode(k < 0 ? empty : probes[k]!, env, node));
    }
    const e = times.get(-1)!;
    for (const [k, r] of runs.entries()) {
      const ms = times.get(k)!;
      r.ms.push(ms);
      r.emptyMs.push(e);
      r.ratio.push(ms / e);
    }
  }
  return runs.map((r) => ({ ms: median(r.ms), emptyMs: median(r.emptyMs), ratio: median(r.ratio) }));
}

export type ColdStarts = {
  functions: ColdStart[];
  references: Reference[];
  /**
   * How much more than the issue's machine this one spends loading code, from the last
   * reference (everything in one bundle): (ratio here - 1) / (ratio there - 1).
   */
  machineFactor: number;
  /** The ways to read the secrets from SSM, each alone (bench/secrets-read.ts). */
  secretReaders: SecretsReader[];
};

/** The references, built with the functions' esbuild options and timed in rounds of their own. */
async function measureReferences(outDir: string, options: BuildOptions, empty: string, pairs: number) {
  const dir = path.join(outDir, 'references');
  mkdirSync(dir, { recursive: true });
  const built = await Promise.all(
    REFERENCES.map(async (ref, i) => {
      const file = path.join(dir, `reference-${i}.mjs`);
      await build({
        ...options,
        stdin: { contents: ref.source, resolveDir: process.cwd(), loader: 'js' },
        outfile: file,
        sourcemap: false,
        logLevel: 'silent',
      });
      const probe = importProbe(path.join(dir, `reference-${i}.probe.mjs`), file, '');
      return { ref, probe, bytes: statSync(file).size };
    }),
  );
  const timings = timeRounds(
    built.map((b) => b.probe),
    empty,
    { PATH: process.env.PATH },
    pairs,
  );
  return built.map(({ ref, bytes }, i): Reference => ({
    name: ref.name,
    issueRatio: ref.issueRatio,
    bytes,
    timing: timings[i]!,
  }));
}

/**
 * Per bundle: rounds of (empty module, import + clients, import + clients + first request) with
 * the deployed NODE_OPTIONS, then rounds of (empty module, import + clients) with the other choice
 * of `--enable-source-maps`. Then the issue's reference libraries, timed here (see REFERENCES).
 */
/**
 * Lambda's runtime, nodejs22.x: Node 22 from the npm registry (`node@22`, as `npm run
 * test:node22` runs it), or undefined when it cannot be had (offline): the column stays empty.
 */
function node22(): { path: string; version: string } | undefined {
  const r = spawnSync(
    'npx',
    ['-y', '-p', 'node@22', 'node', '-e', 'process.stdout.write(process.execPath + " " + process.version)'],
    {
      encoding: 'utf8',
    },
  );
  const [path, version] = r.status === 0 ? r.stdout.trim().split(' ') : [];
  return path && version ? { path, version } : undefined;
}

export async function measureColdStarts(outDir: string, pairs = 15): Promise<ColdStarts> {
  const { pkg, bundles } = await buildBundles(outDir);
  const lambdaNode = process.version.startsWith('v22.') ? undefined : node22();
  const probes = path.join(outDir, 'probes');
  mkdirSync(probes, { recursive: true });
  const empty = path.join(probes, 'empty.mjs');
  writeFileSync(path.join(probes, 'nothing.mjs'), 'export {};\n');
  writeFileSync(empty, "await import('./nothing.mjs');\n");
  const deployed = pkg.provider.environment.NODE_OPTIONS ?? '';
  const deployedMaps = deployed.includes('--enable-source-maps');
  const envFor = (maps: boolean): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    ...PROBE_ENV,
    NODE_OPTIONS: nodeOptions(deployed, maps),
  });
  const results: ColdStart[] = [];
  const ssm = await startSsmProcess(
    Object.fromEntries(SECRET_NAMES.filter((n) => PROBE_ENV[n]).map((n) => [n, PROBE_ENV[n]!])),
  );
  for (const b of bundles) {
    const bundle = JSON.stringify(path.resolve(b.file));
    const init = importProbe(path.join(probes, `${b.fn}.init.mjs`), b.file);
    const ssmInit = importProbe(
      path.join(probes, `${b.fn}.ssm.mjs`),
      b.file,
      REFUSING_WEBSOCKET + deployedPrelude(ssm, b.secrets),
    );
    // Once, untimed, with the logs on: every secret read, and one call to the stand-in.
    const callsBefore = await ssm.calls();
    const ssmCheck = spawnSync(process.execPath, [ssmInit], {
      env: { ...envFor(deployedMaps), LOG_LEVEL: 'debug' },
    });
    const ssmRead =
      ssmCheck.status === 0 &&
      !`${ssmCheck.stdout.toString()}${ssmCheck.stderr.toString()}`.includes('"message":"secrets:') &&
      (await ssm.calls()) === callsBefore + 1;
    const request = path.join(probes, `${b.fn}.request.mjs`);
    writeFileSync(
      request,
      REFUSING_WEBSOCKET +
        `const m = await import(${bundle});\n` +
        `let status = 500;\n` +
        `try { status = (await m.handler(${JSON.stringify(probeEvent(b.fn))}, {}))?.statusCode ?? 200; } catch {}\n` +
        `if (process.env.PROBE_REPORT) process.stdout.write(String(status));\n` +
        `process.exit(0);\n`,
    );
    // Once, untimed, with debug logs: did every client get built, and how far did the request go?
    const check = spawnSync(process.execPath, [request], {
      env: { ...envFor(deployedMaps), PROBE_REPORT: '1', LOG_LEVEL: 'debug' },
    });
    const clientsBuilt = !check.stderr.toString().includes('init: a client was not built');
    const status = Number(check.stdout.toString().match(/\d{3}$/)?.[0] ?? 0);
    const withoutDrizzle =
      b.withoutDrizzleFile &&
      importProbe(path.join(probes, `${b.fn}.without-drizzle.mjs`), b.withoutDrizzleFile);
    const withoutMiddy =
      b.withoutMiddyFile && importProbe(path.join(probes, `${b.fn}.without-middy.mjs`), b.withoutMiddyFile);
    // One set of rounds for the import and its side columns, so that they compare pair by pair.
    const sides = { withoutMiddy, withoutDrizzle };
    const sideNames = (Object.keys(sides) as Array<keyof typeof sides>).filter((k) => sides[k]);
    const [initTiming, requestTiming, ssmTiming, ...sideTimings] = timeRounds(
      [init, request, ssmInit, ...sideNames.map((k) => sides[k] as string)],
      empty,
      envFor(deployedMaps),
      pairs,
    );
    const side = (k: keyof typeof sides) =>
      sideNames.includes(k) ? sideTimings[sideNames.indexOf(k)] : undefined;
    const withoutDrizzleTiming = side('withoutDrizzle');
    const withoutMiddyTiming = side('withoutMiddy');
    const [otherTiming] = timeRounds([init], empty, envFor(!deployedMaps), pairs);
    const [node22Timing] = lambdaNode
      ? timeRounds([init], empty, envFor(deployedMaps), pairs, lambdaNode.path)
      : [];
    const budget = BUDGETS[b.fn];
    results.push({
      ...b,
      pairs,
      init: initTiming!,
      budget,
      pass: budget === undefined ? undefined : initTiming!.ratio <= budget,
      firstRequest: { ...requestTiming!, status },
      other: { ...otherTiming!, nodeOptions: nodeOptions(deployed, !deployedMaps) },
      clientsBuilt,
      withoutDrizzle: withoutDrizzleTiming,
      withoutMiddy: withoutMiddyTiming,
      ...(node22Timing && lambdaNode && { node22: { ...node22Timing, version: lambdaNode.version } }),
      withSsmRead: { ...ssmTiming!, read: ssmRead },
    });
  }
  const references = await measureReferences(outDir, packageEsbuildOptions(pkg), empty, pairs);
  const secretReaders = await measureSecretReaders(outDir, packageEsbuildOptions(pkg), empty, pairs, ssm);
  await ssm.stop();
  const all = references.at(-1)!;
  const machineFactor = (all.timing.ratio - 1) / (all.issueRatio - 1);
  for (const r of results) {
    if (r.budget === undefined) continue;
    r.budgetAtMachineSpeed = 1 + (r.budget - 1) * machineFactor;
    r.passAtMachineSpeed = r.init.ratio <= r.budgetAtMachineSpeed;
  }
  return { functions: results, references, machineFactor, secretReaders };
}
