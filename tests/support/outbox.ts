import type { TestApp } from './app';

/**
 * Before a test that judges the outbox by the rows it makes: TextMagic's record cleared, nothing
 * left queued by an earlier test (set aside as failed), and a send rate no earlier test has booked
 * ahead or paused (a 429 pauses every sender).
 */
export async function outboxOfItsOwn(app: TestApp): Promise<void> {
  app.textmagic.reset();
  await app.db.query(
    `update sms_messages set status = 'failed', last_error = 'set aside between tests' where status = 'queued'`,
  );
  await freeSendRate(app);
}

/**
 * The send rate as if no earlier test had booked turns ahead, been refused with a 429, or left a
 * dispatcher run holding the lease a burst's kick takes.
 */
export async function freeSendRate(app: TestApp): Promise<void> {
  await app.db.query(`update sms_rate set next_at = now(), paused_until = now(), dispatcher_until = now()`);
}
