/**
 * A point in time by which work must be over: a request's budget for what it does after its
 * commit. Each outside call takes what is left of it as its own timeout.
 */
export type Deadline = { readonly at: number };

export const deadlineIn = (ms: number): Deadline => ({ at: Date.now() + ms });

/** Milliseconds left, never negative. */
export const msLeft = (d: Deadline): number => Math.max(0, d.at - Date.now());

/** The shorter of a configured timeout and what is left of an optional deadline (at least 1 ms). */
export const timeoutWithin = (configuredMs: number, deadline?: Deadline): number =>
  Math.max(1, deadline ? Math.min(configuredMs, msLeft(deadline)) : configuredMs);

/**
 * Below this much time left, a request does not start another outside call (nor book a turn of
 * the send rate for one): it could only time out, and a timed-out send is a try counted (and maybe
 * a message TextMagic took).
 */
export const MIN_CALL_MS = 200;
