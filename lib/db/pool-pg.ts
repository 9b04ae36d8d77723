import pg from 'pg';
import { onlyDriver, usesNeonDriver, type Connection, type PoolSettings } from './pool-settings';

/** node-postgres over TCP: any Postgres that is not Neon's (condition `db-pg`). */
export async function createPool(s: PoolSettings): Promise<Connection> {
  if (usesNeonDriver(s.url, s.driver)) throw onlyDriver('pg');
  return { driver: 'pg', pool: new pg.Pool(s.options) };
}
