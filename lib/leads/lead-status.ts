export type LeadStatus = 'open' | 'full' | 'expired';

/** `full` once sold `maxUnlocks` times, else `expired` past its TTL, else `open`. */
export function leadStatus(
  lead: { unlockCount: number; maxUnlocks: number; expiresAt: Date },
  now: Date = new Date(),
): LeadStatus {
  if (lead.unlockCount >= lead.maxUnlocks) return 'full';
  if (lead.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'open';
}
