import { describe } from 'vitest';
import { poolerAvailable, useApp } from '../support/app';
import { duplicateBurst } from '../support/duplicate-burst';

// Neon's driver through its WebSocket proxy to PgBouncer in transaction mode: Neon's pooled endpoint.
describe.runIf(poolerAvailable())('duplicate leads through Neon’s pooled endpoint', () => {
  const app = useApp({
    neon: true,
    pooled: true,
    env: { LEAD_MAX_OFFERS: '2', DUPLICATE_WINDOW_DAYS: '30' },
  });
  let zipSeq = 0;
  duplicateBurst(app, () => `9${String(++zipSeq).padStart(4, '0')}`);
});
