/** After this many failed tries a queued send is marked failed for the operator to see. */
export const MAX_ATTEMPTS = 10;
/** How long a claimed send is reserved for its sender before another may try (a crash). */
export const CLAIM_LEASE_MS = 2 * 60_000;

const FIRST_RETRY_MS = 60_000;
const MAX_RETRY_MS = 30 * 60_000;

/**
 * Delay before the next try after `attempts` failed tries: 1, 2, 4, 8, 16, then 30 minutes.
 * With the dispatcher running every minute the first retry happens within two minutes.
 */
export function retryDelayMs(attempts: number): number {
  const n = Math.max(1, attempts);
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** (n - 1));
}

export type RetryDecision = { giveUp: true } | { giveUp: false; nextAttemptAt: Date };

/** What to do after a failed try: retryable errors wait and try again, others give up. */
export function afterFailure(attempts: number, retryable: boolean, now = new Date()): RetryDecision {
  if (!retryable || attempts >= MAX_ATTEMPTS) return { giveUp: true };
  return { giveUp: false, nextAttemptAt: new Date(now.getTime() + retryDelayMs(attempts)) };
}
