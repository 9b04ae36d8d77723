import { drizzle } from 'drizzle-orm/neon-serverless';
import type { Database } from './client';

/** drizzle on a Neon pool or pooled client (condition `db-neon`). */
export const queryBuilder = (client: unknown, _driver?: 'neon' | 'pg'): Database =>
  drizzle({ client: client as never });
