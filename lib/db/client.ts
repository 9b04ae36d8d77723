import { getTableColumns, type InferSelectModel, type SQL, type Table } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { config } from '../config';
import { AppError, unavailable } from '../errors';
import { log } from '../log';
import type * as schema from './schema';

export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;
export type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];
/** Either the database or a transaction on it: queries take whichever they are given. */
export type Queryable = Database | Tx;

/** What both drivers' pools offer: enough for a health probe without drizzle. */
export type Pool = {
  query(text: string): Promise<unknown>;
  connect(): Promise<PoolClient>;
  end(): Promise<void>;
};
type Connection = { driver: 'neon' | 'pg'; pool: Pool };

let connection: Promise<Connection> | undefined;

/** Neon hosts go through Neon's WebSocket driver; anything else through a TCP pool. */
export function usesNeonDriver(url: string, driver: 'auto' | 'neon' | 'pg'): boolean {
  if (driver !== 'auto') return driver === 'neon';
  try {
    const host = new URL(url).hostname;
    return host.endsWith('.neon.tech') || host.endsWith('.neon.build');
  } catch {
    return false;
  }
}

/**
 * A connection that dies while a request holds it emits 'error' on its client, which the pool
 * does not listen to then: unheard, that would crash the process. The request's own query
 * fails too (and answers 503); the pool discards the dead client when it is released.
 */
const connectionLost = (err: Error) => log.warn('database connection lost', { err });
type PooledClient = { on(event: 'error', listener: (err: Error) => void): unknown };

async function connect(): Promise<Connection> {
  const cfg = config();
  const url = cfg.databaseUrl;
  if (!url) throw new AppError(503, 'not_configured', 'DATABASE_URL is not configured');
  const poolOptions = {
    connectionString: url,
    max: cfg.databasePoolMax,
    connectionTimeoutMillis: cfg.databaseConnectTimeoutMs,
    // Client-side, so a stalled network fails the request with a 503 well inside the Lambda
    // timeout. (A server-side statement_timeout would be a startup parameter, which PgBouncer
    // poolers such as Neon's -pooler hosts refuse.)
    query_timeout: cfg.databaseQueryTimeoutMs,
    idleTimeoutMillis: 60_000,
  };
  // process.env.BUNDLED_DB_DRIVER and process.env.BUNDLED_GLOBAL_WEBSOCKET are replaced at build
  // time (esbuild.config.cjs `define`): a deployed bundle carries one driver, and on nodejs22.x
  // no `ws`, which cuts its cold start. Unset (tests, tsx): both drivers, chosen by URL.
  const neon = usesNeonDriver(url, cfg.databaseDriver);
  // The constant comes first in each test so that esbuild folds it and drops the dead branch.
  if (process.env.BUNDLED_DB_DRIVER !== 'pg' && neon) {
    const { Pool, neonConfig } = await import('@neondatabase/serverless');
    // Node 22 has a global WebSocket (which the driver uses by default); Node 20 needs `ws`.
    if (process.env.BUNDLED_GLOBAL_WEBSOCKET !== 'true' && typeof WebSocket === 'undefined') {
      neonConfig.webSocketConstructor = (await import('ws')).default;
    }
    if (cfg.neonWsProxy) {
      const proxy = cfg.neonWsProxy;
      neonConfig.wsProxy = (host, port) => `${proxy}?address=${host}:${port}`;
      neonConfig.useSecureWebSocket = false;
      neonConfig.pipelineTLS = false;
      neonConfig.pipelineConnect = false;
    }
    const pool = new Pool(poolOptions);
    pool.on('error', (err: Error) => log.warn('database pool error', { err }));
    pool.on('connect', (client: PooledClient) => client.on('error', connectionLost));
    return { driver: 'neon', pool };
  }
  if (process.env.BUNDLED_DB_DRIVER !== 'neon' && !neon) {
    const { default: pg } = await import('pg');
    const pool = new pg.Pool(poolOptions);
    // An idle client whose server went away emits here; without a listener the process dies.
    pool.on('error', (err) => log.warn('database pool error', { err }));
    pool.on('connect', (client: PooledClient) => client.on('error', connectionLost));
    return { driver: 'pg', pool };
  }
  throw new AppError(
    503,
    'not_configured',
    `This build carries only the ${process.env.BUNDLED_DB_DRIVER} database driver; package again with BUNDLED_DB_DRIVER set for this DATABASE_URL`,
  );
}

function connectOnce(): Promise<Connection> {
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

/** The database, connected once per container and reused across invocations. */
export async function getDb(): Promise<Database> {
  return (await drizzleOnce()).db;
}

type PoolClient = { release(err?: Error): void };
type Drizzle = { db: Database; on(client: PoolClient): Database };
let drizzled: Promise<Drizzle> | undefined;

function drizzleOnce(): Promise<Drizzle> {
  drizzled ??= (async (): Promise<Drizzle> => {
    const { driver, pool } = await connectOnce();
    // drizzle and the schema load only here, so a function that never queries through them
    // (health) does not carry them.
    const schema = await import('./schema');
    // An if/else on the build constant, so that esbuild drops the other driver's drizzle adapter.
    if (
      process.env.BUNDLED_DB_DRIVER === 'neon' ||
      (process.env.BUNDLED_DB_DRIVER !== 'pg' && driver === 'neon')
    ) {
      const { drizzle } = await import('drizzle-orm/neon-serverless');
      const on = (client: unknown) => drizzle({ client: client as never, schema }) as unknown as Database;
      return { db: on(pool), on };
    } else {
      const { drizzle } = await import('drizzle-orm/node-postgres');
      const on = (client: unknown) => drizzle({ client: client as never, schema }) as unknown as Database;
      return { db: on(pool), on };
    }
  })().catch((err: unknown) => {
    drizzled = undefined;
    throw err;
  });
  return drizzled;
}

/**
 * Runs `fn` in one transaction on one pooled connection. drizzle's own `transaction()` on a
 * pool sends BEGIN before its try/finally, so a connection that dies right then is never
 * released: every database blip leaked a pool slot until the container had none left (found by
 * `npm run reliability`). Here we take the connection and always give it back, and one that
 * failed is destroyed rather than handed to the next request.
 */
export async function transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
  const { on } = await drizzleOnce();
  const { pool } = await connectOnce();
  const client = await pool.connect();
  let failure: unknown;
  try {
    return await on(client).transaction(fn);
  } catch (err) {
    failure = err;
    throw err;
  } finally {
    client.release(isConnectionError(failure) ? (failure as Error) : undefined);
  }
}

/** Closes the pool (tests, scripts); the next `getDb()` connects again. */
export async function closeDb(): Promise<void> {
  const current = connection;
  connection = undefined;
  drizzled = undefined;
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

/** Rows of a raw SQL statement, whichever driver ran it. */
export async function rows<T>(q: Queryable, statement: SQL): Promise<T[]> {
  return rowsOf<T>(await q.execute(statement));
}

function rowsOf<T>(result: unknown): T[] {
  return Array.isArray(result) ? (result as T[]) : ((result as { rows?: T[] }).rows ?? []);
}

/** What drizzle's database and transaction objects carry at run time (not in its public types). */
type Internals = {
  dialect: { sqlToQuery(statement: SQL): { sql: string; params: unknown[] } };
  session: {
    prepareQuery(
      query: { sql: string; params: unknown[] },
      fields: undefined,
      name: string,
      arrayMode: false,
    ): { execute(): Promise<unknown> };
  };
};

/**
 * Rows of a raw SQL statement run as a named prepared statement: Postgres parses and plans it
 * once per connection instead of on every call. For the big CTE statements, where planning
 * costs about as much as running (create-lead: 2.1 ms planning, 3.1 ms execution, EXPLAIN
 * ANALYZE). The statement's text must be the same on every call with this `name`: only its
 * parameters may vary.
 */
export async function preparedRows<T>(q: Queryable, name: string, statement: SQL): Promise<T[]> {
  const { dialect, session } = q as unknown as Internals;
  return rowsOf<T>(
    await session.prepareQuery(dialect.sqlToQuery(statement), undefined, name, false).execute(),
  );
}

/**
 * A row of `table` as raw SQL returned it (columns by their database names), mapped the way
 * drizzle maps its own query results: for statements the query builder cannot express.
 */
export function fromRow<T extends Table>(table: T, raw: Record<string, unknown>): InferSelectModel<T> {
  const out: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(getTableColumns(table))) {
    const value = raw[column.name];
    out[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  return out as InferSelectModel<T>;
}
