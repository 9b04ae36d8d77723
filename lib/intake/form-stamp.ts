/**
 * The hosted form's fill-time stamp: a hidden field holding when the page was served and a nonce,
 * signed with FORM_SECRET (HMAC-SHA256), so that a bot posting at once, or replaying an old page,
 * is told apart from a person without any outside service. The nonce also keys the lead's
 * idempotency (`form:<nonce>`): a double press, or a reload that posts again, makes one lead.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** A person needs longer than this to fill in the form (the issue allows at most 3 s). */
export const MIN_FILL_MS = 2_000;
/** A page older than this is sent back with a fresh stamp. */
export const MAX_AGE_MS = 24 * 60 * 60_000;
/** A stamp from a clock ahead of ours by more than this is forged. */
const SKEW_MS = 60_000;

const sign = (secret: string, payload: string) =>
  createHmac('sha256', secret).update(`form-stamp:${payload}`).digest('base64url');

/** A new stamp, `<issued ms>.<nonce>.<signature>`; `issuedAt` is for tests that need an old one. */
export function formStamp(secret: string, issuedAt = Date.now()): string {
  const payload = `${issuedAt}.${randomBytes(12).toString('base64url')}`;
  return `${payload}.${sign(secret, payload)}`;
}

export type StampCheck =
  | { ok: true; nonce: string }
  | { ok: false; reason: 'bad_stamp' | 'stale_stamp' | 'too_fast'; nonce?: string };

/** Whether `stamp` is ours and the form was filled in for long enough, and not too long ago. */
export function checkStamp(secret: string, stamp: unknown, now = Date.now()): StampCheck {
  const m =
    typeof stamp === 'string' ? /^(\d{13})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{43})$/.exec(stamp) : null;
  if (!m) return { ok: false, reason: 'bad_stamp' };
  const expected = Buffer.from(sign(secret, `${m[1]}.${m[2]}`));
  const given = Buffer.from(m[3]!);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'bad_stamp' };
  }
  const age = now - Number(m[1]);
  if (age < -SKEW_MS) return { ok: false, reason: 'bad_stamp' };
  if (age > MAX_AGE_MS) return { ok: false, reason: 'stale_stamp' };
  if (age < MIN_FILL_MS) return { ok: false, reason: 'too_fast', nonce: m[2]! };
  return { ok: true, nonce: m[2]! };
}
