import { sql, type SQL } from 'drizzle-orm';

export type LeadStatus = 'open' | 'full' | 'closed' | 'expired';

/**
 * `full` once sold `maxUnlocks` times, else `closed` once taken off sale (`closed_at`: closed by
 * an operator, lib/leads/close-lead.ts, or a return approved), else `expired` past its TTL, else `open`.
 */
export function leadStatus(
  lead: { unlockCount: number; maxUnlocks: number; expiresAt: Date; closedAt?: Date | null },
  now: Date = new Date(),
): LeadStatus {
  if (lead.unlockCount >= lead.maxUnlocks) return 'full';
  if (lead.closedAt) return 'closed';
  if (lead.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'open';
}

/**
 * SQL: lead `l` (a table alias) is on sale, as leadStatus says `open`: neither full, nor taken off
 * sale (`closed_at`: closed by an operator, or returned by a buyer and the return approved), nor
 * past its expiry. The one definition of the rules that stop selling a lead (teasers, open
 * offers, pending purchases, the lead list's filter).
 */
export const onSaleSql = (l: SQL): SQL =>
  sql`(${l}.unlock_count < ${l}.max_unlocks and ${l}.closed_at is null and ${l}.expires_at > now())`;
