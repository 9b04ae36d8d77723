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
] as const;

export async function rowCounts(app: TestApp): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of TABLES) {
    const [row] = await app.db.query<{ n: string }>(`select count(*) as n from ${t}`);
    out[t] = Number(row!.n);
  }
  return out;
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
