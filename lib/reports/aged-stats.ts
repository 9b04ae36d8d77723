import { sql } from 'drizzle-orm';
import { rows, type Queryable } from '../db/client';

type Money = { grossCents: number; refundedCents: number; netCents: number };

/** What aged leads earned (lib/catalogue/prices.ts): `GET /stats`'s `aged`. */
export type AgedStats = {
  /** Leads created in the range that dropped to their aged price. */
  leads: number;
  /** Their payments after the drop (at the aged price, or at the price a pay link opened before showed). */
  unlocks: number;
  /** What those payments brought, per currency, net of refunds. */
  revenue: Record<string, Money>;
};

/**
 * The aged leads among those created `from`..`to` (whole UTC days, both included, as the funnel
 * counts leads) and what was paid for them once they had aged. Reads `leads_aged_idx`, which
 * holds aged leads only, and each one's unlocks.
 */
export async function agedStats(q: Queryable, from: string, to: string): Promise<AgedStats> {
  const list = await rows<{
    currency: string;
    leads: number;
    unlocks: number;
    gross: string;
    refunded: string;
  }>(
    q,
    'aged_stats',
    sql`select l.currency, count(distinct l.id)::int as leads, count(u.id)::int as unlocks,
        coalesce(sum(u.amount_cents), 0)::int8 as gross,
        coalesce(sum(u.amount_cents) filter (where u.refunded_at is not null), 0)::int8 as refunded
      from leads l
      left join unlocks u on u.lead_id = l.id and u.created_at >= l.aged_at
      where l.aged_at is not null
        and l.created_at >= ${from}::date and l.created_at < ${to}::date + 1
      group by l.currency order by l.currency`,
  );
  const revenue: Record<string, Money> = {};
  for (const r of list) {
    const [gross, refunded] = [Number(r.gross), Number(r.refunded)];
    revenue[r.currency] = { grossCents: gross, refundedCents: refunded, netCents: gross - refunded };
  }
  return {
    leads: list.reduce((n, r) => n + r.leads, 0),
    unlocks: list.reduce((n, r) => n + r.unlocks, 0),
    revenue,
  };
}
