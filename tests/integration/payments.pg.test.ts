import { paymentSuite } from '../support/payment-suite';

paymentSuite('pg');
