import { createPool } from '#db-pool';
import { config } from '../config';
import { AppError, unavailable } from '../errors';
import { log } from '../log';
import type { Connection, Pool, PooledClient } from './pool-settings';

let connection: Promise<Connection> | undefined;

/**
 * A connection that dies while a request holds it emits 'error' on its client, which the pool
 * does not listen to then: unheard, that would crash the process. The request's own query
 * fails too (and answers 503); the pool discards the dead client when it is released.
 */
const connectionLost = (err: Error) => log.warn('database connection lost', { err });

async function connect(): Promise<Connection> {
  const cfg = config();
  const url = cfg.databaseUrl;
  if (!url) throw new AppError(503, 'not_configured', 'The database is not configured (DATABASE_URL)');
  // `#db-pool` is one driver in a deployed bundle (package.json "imports" conditions, set by
  // esbuild.config.cjs), both drivers chosen by URL elsewhere.
  const made = await createPool({
    url,
    driver: cfg.databaseDriver,
    neonWsProxy: cfg.neonWsProxy,
    options: {
      connectionString: url,
      max: cfg.databasePoolMax,
      connectionTimeoutMillis: cfg.databaseConnectTimeoutMs,
      // Client-side, so a stalled network fails the request with a 503 well inside the Lambda
      // timeout. (A server-side statement_timeout would be a startup parameter, which PgBouncer
      // poolers such as Neon's -pooler hosts refuse.)
      query_timeout: cfg.databaseQueryTimeoutMs,
      idleTimeoutMillis: 60_000,
    },
  });
  // An idle client whose server went away emits here; without a listener the process dies.
  made.pool.on('error', (err) => log.warn('database pool error', { err }));
  made.pool.on('connect', (client: PooledClient) => client.on('error', connectionLost));
  return made;
}

/** The pool and its driver, created once per container (nothing connects until a query). */
export function connectOnce(): Promise<Connection> {
  connection ??= connect().catch((err: unknown) => {
    connection = undefined;
    throw err;
  });
  return connection;
}

/** The raw pool, created once per container: for a probe that needs no query builder. */
export async function getPool(): Promise<Pool> {
  return (await connectOnce()).pool;
}

/** Closes the pool (tests, scripts); the next query connects again. */
export async function closePool(): Promise<void> {
  const current = connection;
  connection = undefined;
  if (current) await (await current).pool.end();
}

const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '08000',
  '08003',
  '08006',
]);

/** True when an error means "the database is unreachable", not "the query was wrong". */
export function isConnectionError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && CONNECTION_ERROR_CODES.has(code)) return true;
    const message = (e as { message?: unknown }).message;
    // "non-101 status code": how the global WebSocket of Node 22 (undici), which the Neon driver
    // uses on nodejs22.x, reports a refused or failed connection.
    if (
      typeof message === 'string' &&
      /connection terminated|non-101 status code|timeout exceeded when trying to connect|connect ECONNREFUSED|socket hang up|WebSocket|not queryable|query read timeout/i.test(
        message,
      )
    )
      return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** Maps an unreachable database to a 503 so webhook senders retry. */
export function databaseUnavailable(err: unknown): AppError | undefined {
  return isConnectionError(err)
    ? unavailable('database_unavailable', 'The database is unavailable; try again shortly')
    : undefined;
}
