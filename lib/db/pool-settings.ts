import { AppError } from '../errors';
import isNeonHost from './neon-host.cjs';

/**
 * What a database driver module (`#db-pool`: pool-neon.ts, pool-pg.ts, or pool-any.ts, chosen
 * at build time by package.json "imports" conditions) needs to build its pool.
 */
export type PoolSettings = {
  url: string;
  driver: 'auto' | 'neon' | 'pg';
  /** Local development: Neon's WebSocket-to-TCP proxy (`host:port/path`), plain WebSocket. */
  neonWsProxy?: string;
  options: {
    connectionString: string;
    max: number;
    connectionTimeoutMillis: number;
    query_timeout: number;
    idleTimeoutMillis: number;
  };
};

/** node-postgres's query config, which Neon's Pool takes too; a `name` makes it a prepared statement. */
export type QueryConfig = { name?: string; text: string; values?: unknown[] };
/** What both drivers' pools offer: enough for a health probe and a named statement, no query builder. */
export type Pool = {
  query(text: string | QueryConfig): Promise<{ rows: unknown[] }>;
  connect(): Promise<PoolClient>;
  end(): Promise<void>;
  on(event: 'error', listener: (err: Error) => void): unknown;
  on(event: 'connect', listener: (client: PooledClient) => void): unknown;
};
export type PoolClient = { release(err?: Error): void };
export type PooledClient = { on(event: 'error', listener: (err: Error) => void): unknown };
export type Connection = { driver: 'neon' | 'pg'; pool: Pool };

/** Neon hosts go through Neon's WebSocket driver; anything else through a TCP pool. */
export function usesNeonDriver(url: string, driver: 'auto' | 'neon' | 'pg'): boolean {
  if (driver !== 'auto') return driver === 'neon';
  return isNeonHost(url);
}

/** A bundle built for one driver, deployed with a DATABASE_URL for the other. */
export function onlyDriver(driver: 'neon' | 'pg'): AppError {
  return new AppError(
    503,
    'not_configured',
    `This build carries only the ${driver} database driver; package again with BUNDLED_DB_DRIVER set for this DATABASE_URL`,
  );
}
