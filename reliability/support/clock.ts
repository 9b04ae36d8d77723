import { handler as dispatcher } from '../../functions/sms-dispatcher';
import type { TestApp } from '../../tests/support/app';
import type { TestDatabase } from '../../tests/support/database';
import { extraCopies } from './row';

/**
 * Runs the scheduled dispatcher the way EventBridge would over the next hours, without waiting
 * for them: before each run the clock "moves on" past every backoff and lease (queued rows are
 * made due). A run that fails (a connection the database dropped a moment ago) is simply
 * followed by the next one, as it would be a minute later. Stops when nothing is left queued;
 * returns how many runs that took.
 */
export async function dispatchUntilIdle(db: TestDatabase, maxRuns = 15): Promise<number> {
  for (let run = 1; run <= maxRuns; run++) {
    await db.query(`update sms_messages set next_attempt_at = now() where status = 'queued'`);
    await db.query(`update stripe_tasks set next_attempt_at = now() where status = 'queued'`);
    await dispatcher().catch(() => undefined);
    const [left] = await db.query<{ n: string }>(
      `select (select count(*) from sms_messages where status = 'queued')
            + (select count(*) from stripe_tasks where status = 'queued') as n`,
    );
    if (Number(left!.n) === 0) return run;
  }
  return maxRuns;
}

/** Every SMS the phones got more than once (same phones, same text), after every lease ran out. */
export async function sentTwiceAfterLeases(app: TestApp): Promise<{ resent: number; duplicated: number }> {
  const before = app.textmagic.sent.length;
  await dispatchUntilIdle(app.db);
  return {
    resent: app.textmagic.sent.length - before,
    duplicated: extraCopies(app.textmagic.sent.map((m) => `${[...m.phones].sort().join(',')}|${m.text}`)),
  };
}
