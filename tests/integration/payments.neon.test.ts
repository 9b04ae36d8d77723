import { paymentSuite } from '../support/payment-suite';

// The same payment flow through Neon's serverless driver (WebSocket pool via a local proxy).
paymentSuite('neon');
