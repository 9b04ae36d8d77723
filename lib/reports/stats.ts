import { sql, type SQL } from 'drizzle-orm';
import { rows, type Database } from '../db/client';
import { statsRange, type StatsQuery } from './stats-query';
import type { UnmatchedReason } from '../leads/unmatched';
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

/**
 * The aggregate rows of the statement below; `total` is the total over the range (a source group's
 * `key` is null for the leads without a utmSource).
 */
type CountRow = { key: string | null; total: boolean; currency: string } & Record<
  (typeof COUNTED)[number] | 'gross' | 'refunded',
  number | string
>;
type UnmatchedRow = { category: string; zipCode: string; reason: UnmatchedReason; leads: number };
type Totals = {
  counts: CountRow[];
  medians: Array<{ key: string | null; total: boolean; median: number | null }>;
  unmatched: UnmatchedRow[];
};

const TOTAL = Symbol('total');
type Key = string | null | typeof TOTAL;
const keyOf = (r: { key: string | null; total: boolean }): Key => (r.total ? TOTAL : r.key);

/** Leads offered to nobody in one group, and how many for each reason (lib/leads/unmatched.ts). */
export type UnmatchedGroup = { leads: number; reasons: Partial<Record<UnmatchedReason, number>> };

/**
 * The unmatched leads' rows (one per category, zip code and reason) summed by `keys`, most leads
 * first, then by key (byte order, as the funnel's categories).
 */
function unmatchedBy<K extends 'category' | 'zipCode'>(rows: UnmatchedRow[], keys: K[]) {
  const groups = new Map<string, Pick<UnmatchedRow, K> & UnmatchedGroup>();
  for (const r of rows) {
    const id = JSON.stringify(keys.map((k) => r[k]));
    const g = groups.get(id) ?? {
      ...(Object.fromEntries(keys.map((k) => [k, r[k]])) as Pick<UnmatchedRow, K>),
      leads: 0,
      reasons: {},
    };
    g.leads += r.leads;
    g.reasons[r.reason] = (g.reasons[r.reason] ?? 0) + r.leads;
    groups.set(id, g);
  }
  const key = (g: Pick<UnmatchedRow, K>) => keys.map((k) => g[k]).join('\u0000');
  return [...groups.values()].sort((a, b) =>
    b.leads !== a.leads ? b.leads - a.leads : key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0,
  );
}
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

/** The funnel's counts of the range's leads by `key` and in total (`lead_funnels`, kept by triggers). */
const leadCountsSql = (key: SQL, lo: string, hi: string) =>
  sql`select ${key} as key, grouping(${key}) = 1 as total, f.currency,
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
    group by grouping sets ((key, f.currency), (f.currency))`;

/**
 * Per provider (`groupBy=provider`): the range's leads offered to each, the teasers that went to
 * their phone, their YES, links, checkouts, purchases, refunds and revenue, from the offers
 * themselves (lead_funnels keeps no provider); the total is the leads' own, as for other groupings.
 * A provider offered nothing in the range is not listed.
 */
const providerCountsSql = (from: Date, end: Date, lo: string, hi: string) =>
  sql`select o.provider_id::text as key, false as total, l.currency,
      count(*) as leads,
      count(*) filter (where exists (select from sms_messages m where m.lead_id = o.lead_id
        and m.kind = 'teaser' and m.resend_of is null and m.status = 'sent' and p.phone = any(m.recipients)))
        as "teasersSent",
      count(o.accepted_at) as "yesReplies",
      count(o.link_opened_at) as "linksOpened",
      count(o.checkout_created_at) as "checkoutsCreated",
      count(u.id) as "paidUnlocks",
      count(u.id) filter (where u.paid_with = 'saved_card') as "savedCardUnlocks",
      count(u.refunded_at) as refunds,
      coalesce(sum(u.amount_cents), 0) as gross,
      coalesce(sum(u.amount_cents) filter (where u.refunded_at is not null), 0) as refunded
    from offers o
    join leads l on l.id = o.lead_id
    join providers p on p.id = o.provider_id
    left join unlocks u on u.offer_id = o.id
    where l.created_at >= ${from.toISOString()}::timestamptz and l.created_at < ${end.toISOString()}::timestamptz
    group by o.provider_id, l.currency
    union all
    (${leadCountsSql(sql`f.category`, lo, hi)} having grouping(f.category) = 1)`;

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
  // A source group's payments are found through their lead's funnel row (its primary key).
  const [leadKey, unlockKey, unlockFrom] =
    q.groupBy === 'day'
      ? [sql`f.day`, sql`u.lead_day`, sql`unlocks u`]
      : q.groupBy === 'provider'
        ? [sql`f.category`, sql`u.provider_id::text collate "C"`, sql`unlocks u`]
        : q.groupBy === 'category'
          ? // Byte order: the medians sort every payment by category, and no collation is needed to group.
            [sql`f.category`, sql`u.lead_category collate "C"`, sql`unlocks u`]
          : [
              sql`f.utm_source`,
              sql`f.utm_source collate "C"`,
              sql`unlocks u join lead_funnels f on f.lead_id = u.lead_id`,
            ];
  const [row] = await rows<{ totals: Totals }>(
    db,
    'stats',
    sql`
      with counts as (
        ${q.groupBy === 'provider' ? providerCountsSql(from, end, lo, hi) : leadCountsSql(leadKey, lo, hi)}
      ),
      medians as (
        select ${unlockKey} as key, grouping(${unlockKey}) = 1 as total,
          percentile_cont(0.5) within group (order by u.teaser_seconds) as median
        from ${unlockFrom}
        where u.lead_day between ${lo}::date and ${hi}::date
        group by grouping sets ((key), ())
      ),
      unmatched as (
        -- Demand without supply: the range's leads offered to nobody (leads_unmatched_idx alone).
        select l.category, l.zip_code as "zipCode", l.unmatched_reason as reason, count(*)::int as leads
        from leads l
        where l.unmatched_reason is not null
          and l.created_at >= ${from.toISOString()}::timestamptz and l.created_at < ${end.toISOString()}::timestamptz
        group by l.category, l.zip_code, l.unmatched_reason
      )
      select json_build_object(
        'counts', (select coalesce(json_agg(counts), '[]') from counts),
        'medians', (select coalesce(json_agg(medians), '[]') from medians),
        'unmatched', (select coalesce(json_agg(unmatched), '[]') from unmatched)
      ) as totals
    `,
  );
  const totals = row!.totals;
  // Revenue in each currency that had a payment in the range, zeros included in every group.
  const currencies = [
    ...new Set(totals.counts.filter((r) => r.total && num(r.paidUnlocks) > 0).map((r) => r.currency)),
  ].sort();
  const countsBy = new Map<Key, CountRow[]>();
  for (const r of totals.counts) countsBy.set(keyOf(r), [...(countsBy.get(keyOf(r)) ?? []), r]);
  const medians = new Map(totals.medians.map((r) => [keyOf(r), r.median]));
  const funnel = (k: Key): Funnel => {
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

  // Every day of the range for a day grouping, zeros included; the categories or sources that had
  // leads (for sources, the leads without a utmSource last, under null).
  const keys: Array<string | null> =
    q.groupBy === 'day'
      ? Array.from({ length: Math.round((end.getTime() - from.getTime()) / DAY_MS) }, (_, i) =>
          isoDay(new Date(from.getTime() + i * DAY_MS)),
        )
      : [...countsBy.keys()]
          .filter((k): k is string | null => k !== TOTAL)
          .sort((a, b) => (a === null ? 1 : b === null ? -1 : a < b ? -1 : a > b ? 1 : 0));
  // A provider group is named (its key is the provider's id).
  const names =
    q.groupBy === 'provider' && keys.length > 0
      ? new Map(
          (
            await rows<{ id: string; name: string }>(
              db,
              'stats_provider_names',
              sql`select id::text, name from providers where id = any(${sql.param(keys)}::uuid[])`,
            )
          ).map((p) => [p.id, p.name]),
        )
      : undefined;
  if (names)
    keys.sort((a, b) => (names.get(a!) ?? '').localeCompare(names.get(b!) ?? '') || (a! < b! ? -1 : 1));
  return {
    from: isoDay(from),
    to: isoDay(to),
    groupBy: q.groupBy,
    groups: keys.map((k) => ({ key: k, ...(names && { name: names.get(k!) ?? null }), funnel: funnel(k) })),
    total: funnel(TOTAL),
    /**
     * Demand without supply: the range's leads offered to nobody, in all and by category, zip code
     * and both, each with its count per `unmatchedReason`; most leads first.
     */
    unmatched: {
      ...(unmatchedBy(totals.unmatched, [])[0] ?? { leads: 0, reasons: {} }),
      byCategory: unmatchedBy(totals.unmatched, ['category']),
      byZip: unmatchedBy(totals.unmatched, ['zipCode']),
      byCategoryAndZip: unmatchedBy(totals.unmatched, ['category', 'zipCode']),
    },
    // What leads that dropped to their aged price earned after it (lib/reports/aged-stats.ts).
    aged: await agedStats(db, lo, hi),
  };
}

/** `GET /stats`'s answer. */
export type StatsAnswer = Awaited<ReturnType<typeof stats>>;
