/**
 * The random tokens behind our cookies and one-time links (the console's and the portal's
 * sessions, the portal's sign-in links): 32 random bytes in base64url, stored only as their
 * SHA-256, so a copy of the tables signs nobody in.
 */
import { createHash, randomBytes } from 'node:crypto';

/** 32 random bytes, base64url: what a cookie or a link carries. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export const newToken = (): string => randomBytes(32).toString('base64url');

export const tokenHash = (token: string): string => createHash('sha256').update(token).digest('base64url');

/** The values that can be tokens at all (anything else names no row, and is not looked up). */
export const wellFormed = (tokens: string[]): string[] => tokens.filter((t) => TOKEN.test(t));

/** Every value of cookie `name` in a `Cookie` header (a browser may send two of one name). */
export function cookieValues(header: string | undefined, name: string): string[] {
  if (!header) return [];
  const out: string[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) out.push(part.slice(eq + 1).trim());
  }
  return out;
}
