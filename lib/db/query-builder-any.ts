import * as neon from './query-builder-neon';
import * as pg from './query-builder-pg';
import type { Database } from './client';

/** Both drivers' drizzle adapters, picked by the pool's driver (tests, local development). */
export const queryBuilder = (client: unknown, driver: 'neon' | 'pg'): Database =>
  driver === 'neon' ? neon.queryBuilder(client) : pg.queryBuilder(client);
