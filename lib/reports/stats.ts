import { sql } from 'drizzle-orm';
import { rows, type Database } from '../db/client';
import { statsRange, type StatsQuery } from './stats-query';
import { agedStats } from './aged-stats';

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
  /** Of the paid unlocks, those bought by a YES charging the saved card: no link, no Checkout. */
  savedCardUnlocks: number;
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

/** The aggregate rows of the statement below; `key` null is the total over the range. */
type CountRow = { key: string | null; currency: string } & Record<
  (typeof COUNTED)[number] | 'gross' | 'refunded',
  number | string
>;
type Totals = { counts: CountRow[]; medians: Array<{ key: string | null; median: number | null }> };
const COUNTED = [
  'leads',
  'teasersSent',
  'yesReplies',
  'linksOpened',
  'checkoutsCreated',
  'paidUnlocks',
  'savedCardUnlocks',
  'refunds',
] as const;

const ratio = (n: number, d: number) => (d === 0 ? null : Math.round((n / d) * 10_000) / 10_000);
const num = (v: unknown) => (typeof v === 'number' ? v : Number(v ?? 0));

/**
 * The funnel of the leads created in `from`..`to` (whole UTC days, both included), per day or per
 * category and in total. A lead's whole funnel belongs to the group it was created in: its
 * offers, whether its teaser went out, the replies, links, checkouts and unlocks that followed,
 * whenever they happened. One statement over two tables that triggers keep for this
 * (drizzle/functions/lead-funnels.sql):
 * a row per lead with its counts (`lead_funnels`), and each payment stamped with its lead's day,
 * category and seconds from the teaser (`unlocks_funnel_idx`, for the exact medians).
 */
export async function stats(db: Database, q: StatsQuery) {
  const { from, to } = statsRange(q);
  const end = new Date(to.getTime() + DAY_MS);
  const [lo, hi] = [isoDay(from), isoDay(to)];
  const [leadKey, unlockKey] =
    q.groupBy === 'day'
      ? [sql`f.day`, sql`u.lead_day`]
      : // Byte order: the medians sort every payment by category, and no collation is needed to group.
        [sql`f.category`, sql`u.lead_category collate "C"`];
  const [row] = await rows<{ totals: Totals }>(
    db,
    'stats',
    sql`
      with counts as (
        select ${leadKey} as key, f.currency,
          count(*) as leads,
          sum(f.teasers_sent) as "teasersSent",
          sum(f.yes_replies) as "yesReplies",
          sum(f.links_opened) as "linksOpened",
          sum(f.checkouts_created) as "checkoutsCreated",
          sum(f.paid_unlocks) as "paidUnlocks",
          sum(f.saved_card_unlocks) as "savedCardUnlocks",
          sum(f.refunds) as refunds,
          sum(f.gross_cents) as gross,
          sum(f.refunded_cents) as refunded
        from lead_funnels f
        where f.day between ${lo}::date and ${hi}::date
        group by grouping sets ((key, f.currency), (f.currency))
      ),
      medians as (
        select ${unlockKey} as key,
          percentile_cont(0.5) within group (order by u.teaser_seconds) as median
        from unlocks u
        where u.lead_day between ${lo}::date and ${hi}::date
        group by grouping sets ((key), ())
      )
      select json_build_object(
        'counts', (select coalesce(json_agg(counts), '[]') from counts),
        'medians', (select coalesce(json_agg(medians), '[]') from medians)
      ) as totals
    `,
  );
  const totals = row!.totals;
  // Revenue in each currency that had a payment in the range, zeros included in every group.
  const currencies = [
    ...new Set(totals.counts.filter((r) => r.key === null && num(r.paidUnlocks) > 0).map((r) => r.currency)),
  ].sort();
  const countsBy = new Map<string | null, CountRow[]>();
  for (const r of totals.counts) countsBy.set(r.key, [...(countsBy.get(r.key) ?? []), r]);
  const medians = new Map(totals.medians.map((r) => [r.key, r.median]));
  const funnel = (k: string | null): Funnel => {
    const list = countsBy.get(k) ?? [];
    const f = Object.fromEntries(
      COUNTED.map((c) => [c, list.reduce((sum, r) => sum + num(r[c]), 0)]),
    ) as Record<(typeof COUNTED)[number], number>;
    const revenue: Record<string, Money> = {};
    for (const c of currencies) {
      const r = list.find((x) => x.currency === c);
      const [gross, refunded] = [num(r?.gross), num(r?.refunded)];
      revenue[c] = { grossCents: gross, refundedCents: refunded, netCents: gross - refunded };
    }
    const m = medians.get(k);
    const median = m === undefined || m === null ? null : num(m);
    return {
      ...f,
      revenue,
      conversion: {
        teaserToYes: ratio(f.yesReplies, f.teasersSent),
        yesToLinkOpened: ratio(f.linksOpened, f.yesReplies),
        linkToCheckout: ratio(f.checkoutsCreated, f.linksOpened),
        // Payments through a Checkout only: a saved card's charge has none.
        checkoutToPaid: ratio(f.paidUnlocks - f.savedCardUnlocks, f.checkoutsCreated),
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
      : [...countsBy.keys()].filter((k): k is string => k !== null).sort();
  return {
    from: isoDay(from),
    to: isoDay(to),
    groupBy: q.groupBy,
    groups: keys.map((k) => ({ key: k, funnel: funnel(k) })),
    total: funnel(null),
    // What leads that dropped to their aged price earned after it (lib/reports/aged-stats.ts).
    aged: await agedStats(db, lo, hi),
  };
}

/** `GET /stats`'s answer. */
export type StatsAnswer = Awaited<ReturnType<typeof stats>>;
