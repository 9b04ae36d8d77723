/**
 * TextMagic's per-account request rate. Its limit is 20 requests per second per account, answered
 * 429 above it (the team's machine facts; TextMagic publishes no algorithm: api-evangelist's
 * textmagic-rate-limits.yml says the exact ceilings "are not published"). Modelled as the common
 * token bucket: `perSecond` requests at once, refilled at `perSecond` a second, so a client that
 * spaces its requests at the rate is never refused, and one that goes faster is, within a second.
 */
import { TmError } from './errors';

export class RateLimiter {
  private tokens: number;
  private at = Date.now();

  constructor(readonly perSecond: number) {
    this.tokens = perSecond;
  }

  /** Takes a token for one request: undefined when there was one, else the ms until there is. */
  take(now = Date.now()): number | undefined {
    this.tokens = Math.min(this.perSecond, this.tokens + ((now - this.at) / 1000) * this.perSecond);
    this.at = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return undefined;
    }
    return Math.ceil(((1 - this.tokens) / this.perSecond) * 1000);
  }
}

/**
 * TextMagic's 429: its error envelope, `Retry-After` in whole seconds (RFC 9110 §10.2.3) and the
 * X-RateLimit-* headers its API sends.
 */
export function tooManyRequests(waitMs: number, limit = 20): TmError {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  return new TmError(
    429,
    { code: 429, message: 'Too Many Requests' },
    {
      'X-RateLimit-Limit': String(limit),
      'X-RateLimit-Remaining': '0',
      'X-RateLimit-Reset': String(Math.floor(Date.now() / 1000) + seconds),
      'Retry-After': String(seconds),
    },
  );
}
