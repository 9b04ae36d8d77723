import { databaseFaultSuite } from '../support/database-fault-suite';

// The same faults through Neon's serverless driver (WebSocket pool via a local proxy).
databaseFaultSuite('neon');
