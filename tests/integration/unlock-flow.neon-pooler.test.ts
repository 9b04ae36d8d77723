import { describe } from 'vitest';
import { poolerAvailable } from '../support/app';
import { unlockFlowSuite } from '../support/unlock-flow-suite';

// Neon's driver through its WebSocket proxy to PgBouncer in transaction mode: Neon's pooled endpoint.
describe.runIf(poolerAvailable())('behind a transaction pooler', () => unlockFlowSuite('neon', true));
