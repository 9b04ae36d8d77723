import { describe } from 'vitest';
import { poolerAvailable } from '../../tests/support/app';

/** A way to Postgres: a driver, straight or through the run's PgBouncer in transaction mode. */
export type DbPath = { driver: 'pg' | 'neon'; pooled: boolean; label: string };

const path = (driver: DbPath['driver'], pooled: boolean): DbPath => ({
  driver,
  pooled,
  label: pooled ? `${driver} via PgBouncer` : driver,
});

export const PG = path('pg', false);
export const NEON = path('neon', false);
export const PG_POOLED = path('pg', true);
export const NEON_POOLED = path('neon', true);

/** `describe` for one path, labelled with it; a pooled path only when the run has PgBouncer. */
export function describeOn(p: DbPath, name: string, body: () => void): void {
  describe.runIf(!p.pooled || poolerAvailable())(`${name} (${p.label})`, body);
}
