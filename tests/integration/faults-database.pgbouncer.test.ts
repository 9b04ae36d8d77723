import { describe } from 'vitest';
import { poolerAvailable } from '../support/app';
import { databaseFaultSuite } from '../support/database-fault-suite';

// Through PgBouncer in transaction mode (4 server connections), as Neon's pooled endpoint is.
describe.runIf(poolerAvailable())('behind a transaction pooler', () => databaseFaultSuite('pg', true));
