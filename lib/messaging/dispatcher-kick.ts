import { sql } from 'drizzle-orm';
import { config } from '../config';
import { namedRows } from '../db/client';
import { awsRequest } from '../aws-request';
import { msLeft, type Deadline } from '../deadline';
import { log } from '../log';

/** The event a kicked run gets: only the SMS part of the dispatcher's work (functions/sms-dispatcher.ts). */
export const KICK_EVENT = { kick: 'sms' } as const;

/**
 * How long a kick holds the lease before its run extends it: Lambda's queueing and a cold start.
 * An invoke that never ran frees it again after this long.
 */
const KICK_LEASE_SECONDS = 15;
/** The invoke's timeout when the request has more time than this left. */
const INVOKE_TIMEOUT_MS = 1_000;

/**
 * Starts a dispatcher run now, when a request leaves SMS queued behind the send rate (a burst of
 * leads) and no run is sending: without it, a burst that ends before the next scheduled run
 * waits up to a minute for it. One run for the whole deployment: the kick takes a lease on the
 * `sms_rate` row (`dispatcher_until`) that a run extends for as long as it sends, so the other
 * requests of the burst find it taken and do nothing. Lambda's asynchronous invoke (Invoke with
 * `X-Amz-Invocation-Type: Event`, answered 202 once queued:
 * https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html). Never throws: without it the
 * backlog still goes at the next scheduled run. Returns whether a run was started.
 */
export async function kickDispatcher(deadline: Deadline): Promise<boolean> {
  const name = config().smsDispatcherFunction;
  if (!name) return false;
  try {
    const [lease] = await namedRows<{ ok: number }>(
      'lease_dispatcher_kick',
      sql`update sms_rate set dispatcher_until = clock_timestamp() + make_interval(secs => ${KICK_LEASE_SECONDS})
        where id = 1 and dispatcher_until < clock_timestamp() returning 1 as ok`,
    );
    if (!lease) return false;
    const answer = await awsRequest({
      service: 'lambda',
      method: 'POST',
      path: `/2015-03-31/functions/${encodeURIComponent(name)}/invocations`,
      headers: { 'content-type': 'application/json', 'x-amz-invocation-type': 'Event' },
      body: JSON.stringify(KICK_EVENT),
      timeoutMs: Math.max(1, Math.min(INVOKE_TIMEOUT_MS, msLeft(deadline))),
    });
    if (answer.status === 202) {
      log.info('dispatcher started for the queued SMS', { function: name });
      return true;
    }
    // Lambda's error type (AccessDeniedException, ResourceNotFoundException, TooManyRequestsException).
    const type = String(answer.headers['x-amzn-errortype'] ?? '').split(':')[0];
    log.warn('dispatcher not started: the backlog waits for the next scheduled run', {
      status: answer.status,
      type,
    });
  } catch (err) {
    log.warn('dispatcher not started: the backlog waits for the next scheduled run', { err });
  }
  return false;
}

/**
 * A run's hold on the lease while it sends (`until` from now); returns the value it wrote, which
 * `endDispatching` needs. A later, longer run's hold is kept.
 */
export async function startDispatching(runMs: number): Promise<string> {
  const [row] = await namedRows<{ until: string }>(
    'hold_dispatcher_lease',
    sql`update sms_rate set dispatcher_until = greatest(dispatcher_until, clock_timestamp() + make_interval(secs => ${runMs / 1000}))
      where id = 1 returning dispatcher_until::text as until`,
  );
  return row!.until;
}

/** A run done: the next backlog may start one at once, unless another run holds the lease since. */
export async function endDispatching(held: string): Promise<void> {
  await namedRows(
    'end_dispatcher_lease',
    sql`update sms_rate set dispatcher_until = clock_timestamp()
      where id = 1 and dispatcher_until = ${held}::timestamptz`,
  );
}
