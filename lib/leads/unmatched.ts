import { sql, type SQL } from 'drizzle-orm';
import { refusalSql } from '../purchases/budget';

/**
 * Why a lead was offered to nobody (`unmatchedReason`, stored as `leads.unmatched_reason`), in
 * the order one is chosen when several apply: first what needs nothing done (`duplicate`: the
 * client's request already reached the providers who serve it), then where to recruit
 * (`no_provider`), then what the operator can change at once (a paused provider, an opt-in
 * confirmation not sent yet) before what the provider agreed (caps) or chose (STOP).
 * docs/unmatched-demand.md says what to do about each.
 */
export const UNMATCHED_REASONS = [
  /** Every provider serving it that was not blocked otherwise was offered the original. */
  'duplicate',
  /** No provider has this category and zip code. */
  'no_provider',
  /** A provider serving it is paused (`active: false`). */
  'all_paused',
  /** A provider serving it has not been sent their SMS opt-in confirmation yet (issue 22). */
  'all_awaiting_opt_in',
  /** A provider serving it is at their weekly spend or daily lead cap (lib/purchases/budget.ts). */
  'all_at_cap',
  /** Every provider serving it replied STOP. */
  'all_opted_out',
] as const;
export type UnmatchedReason = (typeof UNMATCHED_REASONS)[number];

/** SQL: whether provider `p`'s opt-in confirmation has yet to go out (lib/providers/providers.ts). */
export const optInPendingSql = (p: SQL) =>
  sql`exists (select from sms_messages c where c.dedupe_key = 'opt-in:' || ${p}.id::text and c.status <> 'sent')`;

/**
 * SQL: the `UnmatchedReason` of a lead that matched nobody. Each provider of the category and zip
 * code is held back by one thing, the one that would still hold them back were the others
 * fixed (offered the original, opted out, paused, awaiting opt-in, at a cap); the lead's reason is
 * the first of those in `UNMATCHED_REASONS`' order, `no_provider` when nobody serves it.
 * `offeredBefore`: the uuid[] of providers offered the original (a duplicate's). Meant to be read
 * only when nothing matched (a CASE branch), so that a matched lead costs nothing more.
 */
export function unmatchedReasonSql(
  lead: { category: string; zipCode: string; priceCents: number },
  offeredBefore: SQL,
): SQL {
  const p = sql.raw('p');
  return sql`coalesce((
    select b.blocker from (
      select case
        when p.id = any(${offeredBefore}) then 'duplicate'
        when p.opted_out then 'all_opted_out'
        when not p.active then 'all_paused'
        when ${optInPendingSql(p)} then 'all_awaiting_opt_in'
        when ${refusalSql(p, lead.priceCents)} is not null then 'all_at_cap'
      end as blocker
      from providers p
      where ${lead.category} = any(p.categories) and ${lead.zipCode} = any(p.zip_codes)
    ) b
    -- A provider held back by nothing was changed by another statement at this moment: no_provider.
    where b.blocker is not null
    order by array_position(${sql.param([...UNMATCHED_REASONS])}::text[], b.blocker)
    limit 1
  ), 'no_provider')`;
}
