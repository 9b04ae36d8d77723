import { sql } from 'drizzle-orm';
import { rows, type Database } from '../db/client';
import { statsRange, type StatsQuery } from '../validation';

const DAY_MS = 86_400_000;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

type Money = { grossCents: number; refundedCents: number; netCents: number };
export type Funnel = {
  leads: number;
  teasersSent: number;
  yesReplies: number;
  linksOpened: number;
  checkoutsCreated: number;
  paidUnlocks: number;
  refunds: number;
  revenue: Record<string, Money>;
  conversion: {
    teaserToYes: number | null;
    yesToLinkOpened: number | null;
    linkToCheckout: number | null;
    checkoutToPaid: number | null;
    teaserToPaid: number | null;
  };
  medianTeaserToPaymentSeconds: number | null;
};

/** One aggregate row of the statement below; `key` null is the total over the range. */
type Counted = { key: string | null } & Record<string, number | string | null>;
type Totals = {
  leads: Counted[];
  offers: Counted[];
  unlocks: Counted[];
  revenue: Array<{ key: string | null; currency: string; gross: number; refunded: number }>;
};

const NONE: Counted = { key: null };
const ratio = (n: number, d: number) => (d === 0 ? null : Math.round((n / d) * 10_000) / 10_000);
const num = (v: unknown) => (typeof v === 'number' ? v : Number(v ?? 0));

/**
 * The funnel of the leads created in `from`..`to` (whole UTC days, both included), per day or per
 * category and in total. A lead's whole funnel belongs to the group it was created in: its
 * offers, whether its teaser went out, the replies, links, checkouts and unlocks that followed,
 * whenever they happened. One statement: the range's leads (through leads_created_idx) with their
 * teaser, then the offers and unlocks of those leads, each aggregated per group and in total by
 * grouping sets.
 */
export async function stats(db: Database, q: StatsQuery) {
  const { from, to } = statsRange(q);
  const end = new Date(to.getTime() + DAY_MS);
  const key =
    q.groupBy === 'day' ? sql`to_char(l.created_at at time zone 'UTC', 'YYYY-MM-DD')` : sql`l.category`;
  const [row] = await rows<{ totals: Totals }>(
    db,
    'stats',
    sql`
      with l as materialized (
        select l.id, ${key} as key, t.sent_at as teaser_at, t.lead_id is not null as teased
        from leads l
        left join sms_messages t
          on t.lead_id = l.id and t.kind = 'teaser' and t.resend_of is null and t.status = 'sent'
        where l.created_at >= ${from.toISOString()}::timestamptz and l.created_at < ${end.toISOString()}::timestamptz
      ),
      lead_counts as (
        select key, count(*) as leads from l group by grouping sets ((key), ())
      ),
      offer_counts as (
        select l.key,
          count(*) filter (where l.teased) as "teasersSent",
          count(o.accepted_at) as "yesReplies",
          count(o.link_opened_at) as "linksOpened",
          count(o.checkout_created_at) as "checkoutsCreated"
        from l join offers o on o.lead_id = l.id
        group by grouping sets ((l.key), ())
      ),
      unlock_rows as materialized (
        select l.key, l.teaser_at, u.created_at, u.refunded_at, u.amount_cents, u.currency
        from l join unlocks u on u.lead_id = l.id
      ),
      unlock_counts as (
        select key,
          count(*) as "paidUnlocks",
          count(refunded_at) as refunds,
          percentile_cont(0.5) within group (order by extract(epoch from created_at - teaser_at)) as median
        from unlock_rows
        group by grouping sets ((key), ())
      ),
      revenue as (
        select key, currency,
          sum(amount_cents) as gross,
          coalesce(sum(amount_cents) filter (where refunded_at is not null), 0) as refunded
        from unlock_rows
        group by grouping sets ((key, currency), (currency))
      )
      select json_build_object(
        'leads', (select coalesce(json_agg(lead_counts), '[]') from lead_counts),
        'offers', (select coalesce(json_agg(offer_counts), '[]') from offer_counts),
        'unlocks', (select coalesce(json_agg(unlock_counts), '[]') from unlock_counts),
        'revenue', (select coalesce(json_agg(revenue), '[]') from revenue)
      ) as totals
    `,
  );
  const totals = row!.totals;
  const currencies = [...new Set(totals.revenue.map((r) => r.currency))].sort();
  const byKey = <T extends { key: string | null }>(list: T[]) => new Map(list.map((r) => [r.key, r]));
  const [leadsBy, offersBy, unlocksBy] = [byKey(totals.leads), byKey(totals.offers), byKey(totals.unlocks)];

  const revenueBy = new Map(totals.revenue.map((r) => [`${r.key ?? ''}\u0000${r.currency}`, r]));
  const funnel = (k: string | null): Funnel => {
    const o = offersBy.get(k) ?? NONE;
    const u = unlocksBy.get(k) ?? NONE;
    const f = {
      leads: num(leadsBy.get(k)?.leads),
      teasersSent: num(o.teasersSent),
      yesReplies: num(o.yesReplies),
      linksOpened: num(o.linksOpened),
      checkoutsCreated: num(o.checkoutsCreated),
      paidUnlocks: num(u.paidUnlocks),
      refunds: num(u.refunds),
    };
    const revenue: Record<string, Money> = {};
    for (const c of currencies) {
      const r = revenueBy.get(`${k ?? ''}\u0000${c}`);
      const [gross, refunded] = [num(r?.gross), num(r?.refunded)];
      revenue[c] = { grossCents: gross, refundedCents: refunded, netCents: gross - refunded };
    }
    const median = u.median === undefined || u.median === null ? null : num(u.median);
    return {
      ...f,
      revenue,
      conversion: {
        teaserToYes: ratio(f.yesReplies, f.teasersSent),
        yesToLinkOpened: ratio(f.linksOpened, f.yesReplies),
        linkToCheckout: ratio(f.checkoutsCreated, f.linksOpened),
        checkoutToPaid: ratio(f.paidUnlocks, f.checkoutsCreated),
        teaserToPaid: ratio(f.paidUnlocks, f.teasersSent),
      },
      medianTeaserToPaymentSeconds: median === null ? null : Math.round(median * 1000) / 1000,
    };
  };

  // Every day of the range for a day grouping, zeros included; the categories that had leads.
  const keys =
    q.groupBy === 'day'
      ? Array.from({ length: Math.round((end.getTime() - from.getTime()) / DAY_MS) }, (_, i) =>
          isoDay(new Date(from.getTime() + i * DAY_MS)),
        )
      : totals.leads
          .map((r) => r.key)
          .filter((k): k is string => k !== null)
          .sort();
  return {
    from: isoDay(from),
    to: isoDay(to),
    groupBy: q.groupBy,
    groups: keys.map((k) => ({ key: k, funnel: funnel(k) })),
    total: funnel(null),
  };
}
