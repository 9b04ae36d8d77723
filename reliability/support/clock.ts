import { handler as dispatcher } from '../../functions/sms-dispatcher';
import type { TestDatabase } from '../../tests/support/database';

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
