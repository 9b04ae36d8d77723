import { databaseFaultSuite } from '../support/database-fault-suite';

databaseFaultSuite('pg');
