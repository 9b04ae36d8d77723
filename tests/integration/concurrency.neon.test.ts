import { concurrencySuite } from '../support/concurrency-suite';

// The same races through Neon's serverless driver (WebSocket pool via a local proxy).
concurrencySuite('neon');
