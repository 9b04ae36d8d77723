import { describe } from 'vitest';
import { poolerAvailable, useApp } from '../support/app';
import { duplicateBurst } from '../support/duplicate-burst';

// Through PgBouncer in transaction mode (4 server connections), as Neon's pooled endpoint is: the
// advisory lock of lead_duplicate_of() lives in the statement's transaction, so it holds there.
describe.runIf(poolerAvailable())('duplicate leads behind a transaction pooler', () => {
  const app = useApp({ pooled: true, env: { LEAD_MAX_OFFERS: '2', DUPLICATE_WINDOW_DAYS: '30' } });
  let zipSeq = 0;
  duplicateBurst(app, () => `8${String(++zipSeq).padStart(4, '0')}`);
});
