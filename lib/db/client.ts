import { queryBuilder } from '#db-query-builder';
import {
  DrizzleQueryError,
  getTableColumns,
  sql,
  type InferSelectModel,
  type SQL,
  type Table,
} from 'drizzle-orm';
import { PgDialect, type PgDatabase, type PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { config } from '../config';
import { closePool, connectOnce, isConnectionError } from './pool';
import type { Pool, PoolClient } from './pool-settings';

// No relational schema: nothing uses `db.query`, and building its config cost every cold start.
export type Database = PgDatabase<PgQueryResultHKT>;
export type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];
/** Either the database or a transaction on it: queries take whichever they are given. */
export type Queryable = Database | Tx;

type Drizzle = { pool: Pool; db: Database; on: (client: PoolClient) => Database };
let drizzled: Drizzle | undefined;

/** The query builder on this container's pool, built once (and again after `closeDb`). */
async function drizzleOnce(): Promise<Drizzle> {
  const { driver, pool } = await connectOnce();
  if (drizzled?.pool !== pool) {
    const on = (client: unknown) => queryBuilder(client, driver);
    drizzled = { pool, db: on(pool), on };
  }
  return drizzled;
}

/** The database, connected once per container and reused across invocations. */
export async function getDb(): Promise<Database> {
  return (await drizzleOnce()).db;
}

/**
 * Runs `fn` in one transaction on one pooled connection. drizzle's own `transaction()` on a
 * pool sends BEGIN before its try/finally, so a connection that dies right then is never
 * released: every database blip leaked a pool slot until the container had none left (found by
 * `npm run reliability`). Here we take the connection and always give it back, and one that
 * failed is destroyed rather than handed to the next request.
 * Upstream (drizzle-orm 0.45.4, node-postgres and neon-serverless sessions alike): the leak is
 * https://github.com/drizzle-team/drizzle-orm/issues/6241 (also #6023), the dead connection
 * released as healthy https://github.com/drizzle-team/drizzle-orm/issues/6114. When both are
 * fixed, drizzle's `transaction()` on the pool can replace this.
 */
export async function transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
  const { on, pool } = await drizzleOnce();
  const client = await pool.connect();
  // What `fn` threw: when the ROLLBACK after it fails too (the connection is gone), drizzle throws
  // the rollback's error and loses this one, which names the statement that failed. (No upstream
  // issue found for this one, drizzle-orm 0.45.4.)
  let thrown: unknown;
  let failure: unknown;
  try {
    return await on(client).transaction(async (tx) => {
      try {
        return await fn(tx);
      } catch (err) {
        thrown = err;
        throw err;
      }
    });
  } catch (err) {
    failure = err;
    throw thrown ?? err;
  } finally {
    const broken = [failure, thrown].find(isConnectionError);
    client.release(broken ? (broken as Error) : undefined);
  }
}

/** Closes the pool (tests, scripts); the next `getDb()` connects again. */
export async function closeDb(): Promise<void> {
  drizzled = undefined;
  await closePool();
}

// The statement with its name in a leading SQL comment: what a failed query's log line,
// pg_stat_activity and a pooler's logs show.
const labelled = (name: string, statement: SQL): SQL => sql`${sql.raw(`/* ${name} */ `)}${statement}`;

/** Rows of a raw SQL statement named `name` (a label, not a prepared statement), whichever driver ran it. */
export async function rows<T>(q: Queryable, name: string, statement: SQL): Promise<T[]> {
  const result: unknown = await q.execute(labelled(name, statement));
  return Array.isArray(result) ? (result as T[]) : ((result as { rows?: T[] }).rows ?? []);
}

// drizzle's own SQL compiler (public API): the query builder builds one like it anyway.
const dialect = new PgDialect();

/**
 * Rows of a raw SQL statement run on the pool, outside any transaction, through the driver's
 * documented query config (`{ name, text, values }`, which pg's and Neon's pools both take).
 * With DATABASE_PREPARED_STATEMENTS on it runs as the prepared statement `name`, parsed and
 * planned once per connection (create-lead: 2.1 ms of its 5.2 ms was planning, EXPLAIN
 * ANALYZE); off, the default, unnamed, as a transaction pooler needs (see lib/config.ts). The
 * statement's text must be the same on every call with one `name`: only its parameters vary.
 * Its text starts with its name as a comment, as `rows` does.
 */
export async function namedRows<T>(name: string, statement: SQL): Promise<T[]> {
  const { pool } = await drizzleOnce();
  const { sql: text, params } = dialect.sqlToQuery(labelled(name, statement));
  const prepared = config().databasePreparedStatements;
  try {
    return (await pool.query({ ...(prepared && { name }), text, values: params })).rows as T[];
  } catch (err) {
    // The same error drizzle throws for the statements it runs, so that logs treat all alike.
    throw new DrizzleQueryError(text, params, err as Error);
  }
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
