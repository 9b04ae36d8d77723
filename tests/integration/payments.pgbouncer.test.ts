import { describe } from 'vitest';
import { poolerAvailable } from '../support/app';
import { paymentSuite } from '../support/payment-suite';

// Through PgBouncer in transaction mode (4 server connections), as Neon's pooled endpoint is.
describe.runIf(poolerAvailable())('behind a transaction pooler', () => paymentSuite('pg', true));
