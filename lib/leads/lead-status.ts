export type LeadStatus = 'open' | 'full' | 'closed' | 'expired';

/**
 * `full` once sold `maxUnlocks` times, else `closed` when an operator closed it (it expired then:
 * lib/leads/close-lead.ts), else `expired` past its TTL, else `open`.
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
