import path from 'node:path';
import { inject } from 'vitest';

// Every test starts from an environment that names no real service and logs nothing.
process.env.LOG_LEVEL ??= 'silent';
// Most tests post the sample client of emulators/lead-body.ts many times as different requests,
// which DUPLICATE_WINDOW_DAYS would take for the same person asking again; the files about
// duplicates (duplicate-leads, create-lead) turn it back on with useApp({ env }).
process.env.DUPLICATE_WINDOW_DAYS ??= '0';
// Most tests expect a lead's teaser at once, whatever the hour the suite runs: teaser hours all
// day. The files about quiet hours (quiet-hours, teaser-window) set hours of their own.
process.env.TEASER_HOURS ??= '00:00-24:00';
// The files that send many SMS at once (races of 50 replies, fault matrices) would spend most of
// their time waiting for turns at TextMagic's 20 a second. The send rate's own file
// (send-rate.test.ts) and the bench's burst run at a real limit against a stand-in enforcing it.
process.env.SMS_RATE_PER_SECOND ??= '200';
// The brand every SMS speaks as (a deployed stage sends none without it): the tests' own.
process.env.SMS_BRAND_NAME ??= 'Lead Unlock';
process.env.SUPPORT_CONTACT ??= 'help@leadunlock.test';
for (const key of [
  'DATABASE_URL',
  'STRIPE_SECRET_KEY',
  'STRIPE_WEBHOOK_SECRET',
  'STRIPE_API_URL',
  'TEXTMAGIC_USERNAME',
  'TEXTMAGIC_API_KEY',
  'TEXTMAGIC_API_URL',
  'IS_OFFLINE',
]) {
  delete process.env[key];
}
// Every serverless offline a test starts copies the run's one build of the bundles
// (scripts/offline-shared-build.cjs), kept in the run's package folder (global-setup.ts).
process.env.OFFLINE_SHARED_BUILD ??= path.join(inject('packageRoot'), 'offline-build');
