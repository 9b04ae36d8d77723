import { drizzle } from 'drizzle-orm/node-postgres';
import type { Database } from './client';

/** drizzle on a node-postgres pool or pooled client (condition `db-pg`). */
export const queryBuilder = (client: unknown, _driver?: 'neon' | 'pg'): Database =>
  drizzle({ client: client as never });
