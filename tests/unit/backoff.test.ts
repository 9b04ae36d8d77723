import { describe, expect, it } from 'vitest';
import { afterFailure, MAX_ATTEMPTS, retryDelayMs } from '../../lib/queue/backoff';

const MIN = 60_000;

describe('retryDelayMs', () => {
  it('doubles from 1 minute and caps at 30 minutes: 1, 2, 4, 8, 16, 30, 30… minutes', () => {
    const delays = Array.from({ length: 12 }, (_, i) => retryDelayMs(i + 1) / MIN);
    expect(delays).toEqual([1, 2, 4, 8, 16, 30, 30, 30, 30, 30, 30, 30]);
  });

  it('the first retry comes within two minutes, even for a count of 0', () => {
    expect(retryDelayMs(0)).toBe(MIN);
    expect(retryDelayMs(1)).toBeLessThan(2 * MIN);
  });

  it('never exceeds 30 minutes, however many tries', () => {
    expect(retryDelayMs(50)).toBe(30 * MIN);
    expect(retryDelayMs(1000)).toBe(30 * MIN);
  });
});

describe('afterFailure', () => {
  const now = new Date('2030-01-01T00:00:00Z');

  it('a retryable failure waits the backoff delay from now', () => {
    for (let attempts = 1; attempts < MAX_ATTEMPTS; attempts++) {
      const d = afterFailure(attempts, true, now);
      expect(d).toEqual({ giveUp: false, nextAttemptAt: new Date(now.getTime() + retryDelayMs(attempts)) });
    }
    expect(afterFailure(1, true, now)).toEqual({
      giveUp: false,
      nextAttemptAt: new Date('2030-01-01T00:01:00Z'),
    });
    expect(afterFailure(6, true, now)).toEqual({
      giveUp: false,
      nextAttemptAt: new Date('2030-01-01T00:30:00Z'),
    });
  });

  it('gives up after 10 tries', () => {
    expect(MAX_ATTEMPTS).toBe(10);
    expect(afterFailure(9, true, now).giveUp).toBe(false);
    expect(afterFailure(10, true, now)).toEqual({ giveUp: true });
    expect(afterFailure(11, true, now)).toEqual({ giveUp: true });
  });

  it('gives up at once on a failure that is not retryable', () => {
    expect(afterFailure(1, false, now)).toEqual({ giveUp: true });
  });

  it('defaults now to the current time', () => {
    const before = Date.now();
    const d = afterFailure(2, true);
    expect(d.giveUp).toBe(false);
    if (!d.giveUp) {
      expect(d.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(before + 2 * MIN);
      expect(d.nextAttemptAt.getTime()).toBeLessThanOrEqual(Date.now() + 2 * MIN);
    }
  });
});
