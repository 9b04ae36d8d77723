import { randomBytes, randomInt } from 'node:crypto';

/**
 * A lead code for the `n`th try: four digits first, five and then six once collisions show
 * that four-digit codes are getting crowded.
 */
export function leadCode(attempt: number): string {
  const digits = attempt < 3 ? 4 : attempt < 6 ? 5 : 6;
  return String(randomInt(10 ** (digits - 1), 10 ** digits));
}

/** The secret of a short pay link: 144 random bits, URL-safe, 24 characters. */
export function payToken(): string {
  return randomBytes(18).toString('base64url');
}
