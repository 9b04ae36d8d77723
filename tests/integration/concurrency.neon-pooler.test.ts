import { describe } from 'vitest';
import { poolerAvailable } from '../support/app';
import { concurrencySuite } from '../support/concurrency-suite';

// Neon's driver through its WebSocket proxy to PgBouncer in transaction mode: Neon's pooled endpoint.
describe.runIf(poolerAvailable())('behind a transaction pooler', () => concurrencySuite('neon', true));
