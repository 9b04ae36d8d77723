import { queryBuilder } from '#db-query-builder';
import { getTableColumns, type InferSelectModel, type SQL, type Table } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { closePool, connectOnce, isConnectionError } from './pool';
import type { Pool, PoolClient } from './pool-settings';

// No relational schema: nothing uses `db.query`, and building its config cost every cold start.
export type Database = PgDatabase<PgQueryResultHKT>;
export type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];
/** Either the database or a transaction on it: queries take whichever they are given. */
export type Queryable = Database | Tx;

type Drizzle = { pool: Pool; db: Database; on(client: PoolClient): Database };
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
 */
export async function transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
  const { on, pool } = await drizzleOnce();
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
  drizzled = undefined;
  await closePool();
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
