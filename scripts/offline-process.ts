/**
 * `serverless offline start` as a child process, for `npm start` (scripts/local-stack.ts) and the
 * tests (tests/support/offline.ts): both drivers and `ws` in its bundles (BUNDLE_TARGET offline,
 * esbuild.config.cjs), its own process group (so that the whole tree, esbuild's service included,
 * stops at once), and a wait for `GET /health`. `isolated` (tests): a build folder of its own under
 * .esbuild/ (parallel servers do not share bundles), nothing watched (edits made while it runs do
 * not reload handlers), its output kept rather than printed, and the run's one build of the bundles
 * copied when OFFLINE_SHARED_BUILD names it (scripts/offline-shared-build.cjs).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const SERVERLESS = path.join(ROOT, 'node_modules/serverless/bin/serverless.js');
const SHARED_BUILD = path.join(ROOT, 'scripts/offline-shared-build.cjs');
/** serverless-offline can take a minute to halt on SIGTERM: it gets this long, then SIGKILL. */
const STOP_GRACE_MS = 4_000;

export type OfflineProcess = {
  /** What it wrote so far (`isolated` only; printed otherwise). */
  output: () => string;
  /** Resolves when it exits, with its exit code. */
  exited: Promise<number>;
  /** Resolves once `GET {url}/health` answers 200; throws when it exits first or `timeoutMs` passes. */
  ready: (url: string, timeoutMs: number, signal?: AbortSignal) => Promise<void>;
  /** Stops the process group and removes its build folder. Idempotent. */
  stop: () => Promise<void>;
};

/** Started and not stopped yet (`isolated`), with their build folders. */
const running = new Map<ChildProcess, string>();
// Last resort: if this process goes away without stopping them, take the servers with it.
process.once('exit', () => {
  for (const [child, folder] of running) {
    killGroup(child, 'SIGKILL');
    rmSync(folder, { recursive: true, force: true });
  }
});

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

export function spawnOffline(opts: {
  httpPort: number;
  lambdaPort: number;
  /** The whole environment it gets (PORT, LAMBDA_PORT and the build's settings are added). */
  env: NodeJS.ProcessEnv;
  /** Tests: the prefix of its own build folder's name (`e2e`, `stack`). */
  isolated?: string;
}): OfflineProcess {
  const folder = opts.isolated
    ? path.join('.esbuild', `${opts.isolated}-${process.pid}-${randomBytes(4).toString('hex')}`)
    : undefined;
  const env: NodeJS.ProcessEnv = {
    ...opts.env,
    PORT: String(opts.httpPort),
    LAMBDA_PORT: String(opts.lambdaPort),
    BUNDLE_TARGET: 'offline',
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
    ...(folder && {
      ESBUILD_WORK_FOLDER: folder,
      // A path that does not exist: chokidar watches nothing that changes.
      ESBUILD_WATCH_PATTERN: path.join(folder, 'no-watch'),
      FORCE_COLOR: '0',
    }),
  };
  const child = spawn(
    process.execPath,
    [
      ...(folder && env.OFFLINE_SHARED_BUILD ? ['--require', SHARED_BUILD] : []),
      SERVERLESS,
      'offline',
      'start',
      '--httpPort',
      String(opts.httpPort),
      '--lambdaPort',
      String(opts.lambdaPort),
    ],
    {
      cwd: ROOT,
      env,
      detached: true,
      stdio: folder ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'],
    },
  );
  if (folder) running.set(child, path.join(ROOT, folder));
  let log = '';
  child.stdout?.setEncoding('utf8').on('data', (s: string) => (log += s));
  child.stderr?.setEncoding('utf8').on('data', (s: string) => (log += s));
  child.on('error', (e) => (log += `\n[spawn error] ${e.message}\n`));
  const exited = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? 1)));

  let stopped: Promise<void> | undefined;
  return {
    output: () => log,
    exited,
    async ready(url, timeoutMs, signal) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        signal?.throwIfAborted();
        if (exitedAlready(child)) {
          throw new Error(`serverless offline exited (code ${child.exitCode}, signal ${child.signalCode})`);
        }
        try {
          const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5_000) });
          await res.arrayBuffer();
          if (res.status === 200) return;
        } catch {
          // not listening yet
        }
        if (Date.now() > deadline) throw new Error(`GET ${url}/health did not answer 200 in time`);
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    stop: () =>
      (stopped ??= (async () => {
        if (!exitedAlready(child)) {
          killGroup(child, 'SIGTERM');
          if (!(await waitForExit(child, STOP_GRACE_MS))) {
            killGroup(child, 'SIGKILL');
            await waitForExit(child, 5_000);
          }
        }
        // Anything else left in the group (esbuild's service process).
        killGroup(child, 'SIGKILL');
        running.delete(child);
        if (folder) rmSync(path.join(ROOT, folder), { recursive: true, force: true });
      })()),
  };
}
