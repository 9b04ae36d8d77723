/** Object ids as Stripe writes them (`prefix_` and random letters and digits), and its timestamps. */
import { randomBytes } from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export function rand(n: number): string {
  const bytes = randomBytes(n);
  let s = '';
  for (let i = 0; i < n; i++) s += ALNUM[bytes[i]! % ALNUM.length];
  return s;
}
export const newId = (prefix: string, n = 24) => `${prefix}${rand(n)}`;
/** Unix seconds, as every `created` and `expires_at`. */
export const now = () => Math.floor(Date.now() / 1000);
