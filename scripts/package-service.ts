/**
 * `serverless package` into a folder of its own, each function's zip unpacked beside it: the
 * bundles exactly as they would be deployed, for the tests that check and run them and for the
 * bench. Needs no AWS credentials: nothing is resolved from SSM at package time (the functions read
 * their secrets when they start).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { unzipSync } from 'fflate';

const ROOT = path.resolve(import.meta.dirname, '..');
const SERVERLESS = path.join(ROOT, 'node_modules/serverless/bin/serverless.js');

/** What changes the bundles (esbuild.config.cjs): only the caller's `env` sets these. */
const BUILD_KEYS = [
  'DATABASE_URL',
  'DATABASE_DRIVER',
  'BUNDLED_DB_DRIVER',
  'BUNDLE_TARGET',
  'ESBUILD_WORK_FOLDER',
  'ESBUILD_WATCH_PATTERN',
];

export type PackagedFunction = {
  /** The function's name in serverless.yml. */
  name: string;
  /** Its handler's source file (`functions/health.ts`). */
  entry: string;
  /** The unpacked bundle (absolute path). */
  file: string;
  zip: string;
  /** Its own environment (over the provider's): SECRETS, SECRETS_SSM_PATH. */
  environment: Record<string, string>;
};

export type ServicePackage = {
  dir: string;
  functions: PackagedFunction[];
  /** The provider section as the framework resolved it (runtime, environment). */
  provider: { runtime: string; environment: Record<string, string> };
  /** The settings of BUILD_KEYS the build ran with. */
  buildEnv: Record<string, string>;
  /** How long `serverless package` took. */
  ms: number;
};

type State = {
  service: {
    provider: ServicePackage['provider'];
    functions: Record<
      string,
      { handler: string; package: { artifact: string }; environment?: Record<string, string> }
    >;
  };
};

const LOCK = path.join(ROOT, '.local', 'serverless-package.lock');
const STAGING = path.join(ROOT, '.serverless');

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Runs `fn` while no other packageService in this checkout runs (across processes). The framework
 * stages every package in the service's own .serverless/ whatever `--package` says, then moves
 * it: two packages at once would take each other's files, or find the folder gone.
 */
async function exclusively<T>(fn: () => Promise<T>): Promise<T> {
  mkdirSync(path.dirname(LOCK), { recursive: true });
  let ownerless = 0;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      let owner = 0;
      try {
        owner = Number(readFileSync(path.join(LOCK, 'pid'), 'utf8'));
      } catch {
        // not written yet, or just released
      }
      // A holder that died (killed test run) leaves the lock behind, with or without its pid.
      ownerless = owner ? 0 : ownerless + 1;
      if ((owner && !alive(owner)) || ownerless > 50) rmSync(LOCK, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  writeFileSync(path.join(LOCK, 'pid'), String(process.pid));
  try {
    return await fn();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

export type PackageOptions = {
  dir: string;
  /** Set over this environment (the deploying shell's). */
  env?: Record<string, string>;
  /** `--stage` (the framework's default, `dev`, when unset). */
  stage?: string;
};

/** Runs `serverless package --package <dir>` with `env` over this environment, then unpacks. */
export function packageService(opts: PackageOptions): Promise<ServicePackage> {
  return exclusively(() => packageAlone(opts));
}

async function packageAlone(opts: PackageOptions): Promise<ServicePackage> {
  const dir = path.resolve(opts.dir);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of BUILD_KEYS) delete env[key];
  // Its own work folder: parallel runs would otherwise overwrite each other's bundles.
  const workFolder = path.join('.esbuild', `package-${process.pid}-${randomBytes(4).toString('hex')}`);
  Object.assign(env, {
    ESBUILD_WORK_FOLDER: workFolder,
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
    FORCE_COLOR: '0',
    ...opts.env,
  });
  // A .serverless/ already there (someone's `npx serverless package`) would be swept into `dir`
  // and deleted by the framework: it is set aside meanwhile, and put back.
  const kept = existsSync(STAGING) ? `${LOCK}-kept-${randomBytes(4).toString('hex')}` : undefined;
  if (kept) renameSync(STAGING, kept);
  const started = Date.now();
  try {
    const stage = opts.stage ? ['--stage', opts.stage] : [];
    await promisify(execFile)(process.execPath, [SERVERLESS, 'package', '--package', dir, ...stage], {
      cwd: ROOT,
      env,
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
      timeout: 180_000,
    });
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    throw new Error(`serverless package failed: ${(e as Error).message}\n${stdout ?? ''}${stderr ?? ''}`);
  } finally {
    rmSync(path.join(ROOT, workFolder), { recursive: true, force: true });
    if (kept) {
      rmSync(STAGING, { recursive: true, force: true });
      renameSync(kept, STAGING);
    }
  }
  const ms = Date.now() - started;
  const state = JSON.parse(readFileSync(path.join(dir, 'serverless-state.json'), 'utf8')) as State;
  const functions = Object.entries(state.service.functions).map(([name, fn]): PackagedFunction => {
    // The artifact path is recorded relative to the default .serverless/, the zip is in `dir`.
    const zip = path.join(dir, path.basename(fn.package.artifact));
    const base = fn.handler.slice(0, fn.handler.lastIndexOf('.'));
    const unpacked = path.join(dir, name);
    let file: string | undefined;
    for (const [entry, bytes] of Object.entries(unzipSync(readFileSync(zip)))) {
      if (entry.endsWith('/')) continue;
      const out = path.join(unpacked, entry);
      mkdirSync(path.dirname(out), { recursive: true });
      writeFileSync(out, bytes);
      if (entry.startsWith(`${base}.`) && !entry.endsWith('.map')) file = out;
    }
    if (!file) throw new Error(`${zip} holds no bundle for ${fn.handler}`);
    return { name, entry: `${base}.ts`, file, zip, environment: fn.environment ?? {} };
  });
  const buildEnv = Object.fromEntries(
    BUILD_KEYS.filter((k) => env[k] !== undefined).map((k) => [k, env[k]!]),
  );
  return { dir, functions, provider: state.service.provider, buildEnv, ms };
}

/** The function `name` of a package. */
export function packagedFunction(pkg: ServicePackage, name: string): PackagedFunction {
  const fn = pkg.functions.find((f) => f.name === name);
  if (!fn) throw new Error(`no function ${name} in ${pkg.dir}`);
  return fn;
}
