import * as neon from './pool-neon';
import * as pg from './pool-pg';
import { usesNeonDriver, type Connection, type PoolSettings } from './pool-settings';

/** Both drivers, picked by DATABASE_URL at run time: tests, `npm start`, serverless offline. */
export function createPool(s: PoolSettings): Promise<Connection> {
  return usesNeonDriver(s.url, s.driver) ? neon.createPool(s) : pg.createPool(s);
}
