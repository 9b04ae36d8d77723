import pg from 'pg';
import { onlyDriver, usesNeonDriver, type Connection, type PoolSettings } from './pool-settings';

/** node-postgres over TCP: any Postgres that is not Neon's (condition `db-pg`). */
export function createPool(s: PoolSettings): Promise<Connection> {
  if (usesNeonDriver(s.url, s.driver)) return Promise.reject(onlyDriver('pg'));
  return Promise.resolve({ driver: 'pg', pool: new pg.Pool(s.options) });
}
