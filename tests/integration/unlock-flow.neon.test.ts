import { unlockFlowSuite } from '../support/unlock-flow-suite';

// Through Neon's serverless driver (WebSocket pool via a local proxy).
unlockFlowSuite('neon');
