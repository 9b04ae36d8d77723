/**
 * Operators' passwords: scrypt (node:crypto; memory-hard), a random 16-byte salt per password,
 * stored as `$scrypt$ln=15,r=8,p=3$<salt>$<hash>` (base64url) so the cost can rise later and old
 * hashes still verify. N=2^15, r=8, p=3 is one of OWASP's equal-strength scrypt settings
 * (Password Storage Cheat Sheet: 2^17/8/1, 2^16/8/2, 2^15/8/3, …) at 32 MiB a hash, which a
 * 1 GiB Lambda holds easily. Compared in constant time.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import * as z from 'zod/mini';
import { hasNoNul } from '../http/body';

const LOG_N = 15;
const R = 8;
const P = 3;
const KEY_LENGTH = 32;

/** NIST SP 800-63B §5.1.1.2: at least 8 (we ask 12), at least 64 allowed, any characters. */
export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 1000;

/** A new password's field: its length counted in characters (code points), as a person counts. */
export const newPassword = () =>
  z.string('must be a string').check(
    z.refine((s) => [...s].length >= PASSWORD_MIN, `must be at least ${PASSWORD_MIN} characters`),
    z.refine((s) => [...s].length <= PASSWORD_MAX, `must be at most ${PASSWORD_MAX} characters`),
    z.refine((s) => s.trim().length > 0, 'must not be only spaces'),
    z.refine(hasNoNul, 'must not contain NUL characters'),
  );

const scrypt = (password: string, salt: Buffer, keyLength: number, opts: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) =>
    scryptCb(password.normalize('NFKC'), salt, keyLength, opts, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );

/** 128·N·r bytes of memory, and some room: Node refuses above `maxmem` (32 MiB by default). */
const options = (logN: number, r: number, p: number): ScryptOptions => ({
  N: 2 ** logN,
  r,
  p,
  maxmem: 128 * 2 ** logN * r + 16 * 1024 * 1024,
});

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEY_LENGTH, options(LOG_N, R, P));
  return `$scrypt$ln=${LOG_N},r=${R},p=${P}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

const STORED = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([\w-]+)\$([\w-]+)$/;

/** True when `password` is the one `stored` was made from; false for a malformed hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = STORED.exec(stored);
  if (!m) return false;
  const expected = Buffer.from(m[5]!, 'base64url');
  const key = await scrypt(
    password,
    Buffer.from(m[4]!, 'base64url'),
    expected.length,
    options(Number(m[1]), Number(m[2]), Number(m[3])),
  );
  return timingSafeEqual(key, expected);
}

let dummy: Promise<string> | undefined;

/**
 * Spends a verification's time for an e-mail that names no operator (or one without a password),
 * so the answer's timing does not tell which e-mails exist. Always false.
 */
export async function verifyNobody(password: string): Promise<false> {
  dummy ??= hashPassword(randomBytes(16).toString('base64url'));
  await verifyPassword(password, await dummy);
  return false;
}
