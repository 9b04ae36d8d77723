import { getTableColumns, type InferSelectModel, type SQL, type Table } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { config } from '../config';
import { AppError, unavailable } from '../errors';
import { log } from '../log';
import * as schema from './schema';

export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;
export type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];
/** Either the database or a transaction on it: queries take whichever they are given. */
export type Queryable = Database | Tx;

type Connection = { db: Database; close(): Promise<void> };

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

async function connect(): Promise<Connection> {
  const cfg = config();
  const url = cfg.databaseUrl;
  if (!url) throw new AppError(503, 'not_configured', 'DATABASE_URL is not configured');
  const poolOptions = {
    connectionString: url,
    max: cfg.databasePoolMax,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 60_000,
  };
  // Imported lazily so a cold start evaluates only the driver it uses.
  if (usesNeonDriver(url, cfg.databaseDriver)) {
    const [{ Pool, neonConfig }, { drizzle }, { default: ws }] = await Promise.all([
      import('@neondatabase/serverless'),
      import('drizzle-orm/neon-serverless'),
      import('ws'),
    ]);
    neonConfig.webSocketConstructor = ws;
    if (cfg.neonWsProxy) {
      const proxy = cfg.neonWsProxy;
      neonConfig.wsProxy = (host, port) => `${proxy}?address=${host}:${port}`;
      neonConfig.useSecureWebSocket = false;
      neonConfig.pipelineTLS = false;
      neonConfig.pipelineConnect = false;
    }
    const pool = new Pool(poolOptions);
    pool.on('error', (err: Error) => log.warn('database pool error', { err }));
    return { db: drizzle({ client: pool, schema }) as unknown as Database, close: () => pool.end() };
  }
  const [{ default: pg }, { drizzle }] = await Promise.all([
    import('pg'),
    import('drizzle-orm/node-postgres'),
  ]);
  const pool = new pg.Pool(poolOptions);
  // An idle client whose server went away emits here; without a listener the process dies.
  pool.on('error', (err) => log.warn('database pool error', { err }));
  return { db: drizzle({ client: pool, schema }) as unknown as Database, close: () => pool.end() };
}

/** The database, connected once per container and reused across invocations. */
export async function getDb(): Promise<Database> {
  connection ??= connect().catch((err: unknown) => {
    connection = undefined;
    throw err;
  });
  return (await connection).db;
}

/** Closes the pool (tests, scripts); the next `getDb()` connects again. */
export async function closeDb(): Promise<void> {
  const current = connection;
  connection = undefined;
  if (current) await (await current).close();
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
    if (
      typeof message === 'string' &&
      /connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED|socket hang up|WebSocket/i.test(
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
  const result = (await q.execute(statement)) as unknown as { rows?: T[] } | T[];
  return Array.isArray(result) ? result : (result.rows ?? []);
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
