import { createHash, timingSafeEqual } from 'node:crypto';
import { config } from '../config';
import { forbidden, notConfigured, unauthorized } from '../errors';
import type { HttpRequest } from './request';

/** Constant-time comparison: hashing first makes the lengths equal and hides them. */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function check(given: string | undefined, expected: string | undefined, what: string): void {
  if (expected === undefined) throw notConfigured(`${what} is not configured on this server`);
  if (!given) throw unauthorized(`Missing ${what}`);
  if (!sameSecret(given, expected)) throw forbidden(`Invalid ${what}`);
}

/** `POST /leads`: the `x-api-key` header. */
export function requireLeadKey(req: HttpRequest): void {
  check(req.headers['x-api-key'], config().keys.leadApiKey, 'lead API key (LEAD_API_KEY)');
}

/** Admin routes: `Authorization: Bearer <ADMIN_API_KEY>`. */
export function requireAdmin(req: HttpRequest): void {
  const match = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
  check(match?.[1]?.trim(), config().keys.adminApiKey, 'admin API key (ADMIN_API_KEY)');
}

/** TextMagic callbacks: `?token=` in the URL we gave TextMagic. */
export function requireSmsToken(req: HttpRequest): void {
  check(req.query.token, config().keys.inboundSmsToken, 'SMS callback token (INBOUND_SMS_TOKEN)');
}
