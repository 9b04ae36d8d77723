import { expect } from 'vitest';
import type { TestApp } from './app';

/** Every table a request could write to. */
const TABLES = [
  'providers',
  'leads',
  'offers',
  'unlocks',
  'sms_messages',
  'inbound_sms',
  'sms_delivery_reports',
  'stripe_events',
  'stripe_tasks',
  'payment_receipts',
  'lead_returns',
  'lead_consents',
  'privacy_erasures',
  'categories',
  'operators',
  'operator_invites',
  'admin_sessions',
] as const;

/** Rows in every table, counted in one statement. */
export async function rowCounts(app: TestApp): Promise<Record<string, number>> {
  const [row] = await app.db.query<Record<string, string>>(
    `select ${TABLES.map((t) => `(select count(*) from ${t}) as ${t}`).join(', ')}`,
  );
  return Object.fromEntries(TABLES.map((t) => [t, Number(row![t])]));
}

/** Runs `fn` and checks that no table gained or lost a row and no SMS went out. */
export async function writesNothing<T>(app: TestApp, fn: () => Promise<T>): Promise<T> {
  const before = await rowCounts(app);
  const sent = app.textmagic.sent.length;
  const result = await fn();
  expect(await rowCounts(app)).toEqual(before);
  expect(app.textmagic.sent.length).toBe(sent);
  return result;
}
