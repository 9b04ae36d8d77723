import { sql } from 'drizzle-orm';
import { rows, type Database } from '../db/client';

/** The days the figures look back over. */
export const COMPARE_DAYS = 30;
/**
 * Fewer peers than this and no peer figure is shown: the median of one or two providers would
 * be (or nearly be) another provider's own figure.
 */
export const MIN_PEERS = 3;

type Row = {
  received: number | null;
  answered: number | null;
  reply_seconds: number | null;
  peers: number;
  peer_rate: number | null;
  peer_reply_seconds: number | null;
};

/**
 * How they compare, over the last COMPARE_DAYS days (by when the offer was made):
 * - offers received: their offers whose teaser was due (sent, or held for their teaser hours and
 *   due by now);
 * - response rate: of those, the ones they answered YES to or bought (a YES or a purchase is an
 *   answer), over the offers received;
 * - median reply time: from the teaser (its due time) to their first YES, in seconds, as the
 *   admin API's provider page measures it (lib/providers/provider-detail.ts);
 * beside the median of their peers' figures: the other providers sharing at least one of their
 * categories and at least one of their zip codes who received an offer in those days. Peers are
 * medians only (no name, id or count), and none when fewer than MIN_PEERS. One statement.
 */
export async function portalCompare(db: Database, providerId: string) {
  const [row] = await rows<Row>(
    db,
    'portal_compare',
    sql`
      with me as (select id, categories, zip_codes from providers where id = ${providerId}),
        figures as (
          select o.provider_id,
            count(*)::int as received,
            count(*) filter (where o.accepted_at is not null or o.status = 'unlocked')::int as answered,
            percentile_cont(0.5) within group
              (order by extract(epoch from o.accepted_at - coalesce(o.teaser_at, o.created_at)))
              filter (where o.accepted_at is not null) as reply_seconds
          from offers o
          where o.provider_id in (
              select p.id from providers p, me
              where p.id = me.id or (p.categories && me.categories and p.zip_codes && me.zip_codes))
            and o.created_at >= now() - make_interval(days => ${COMPARE_DAYS})
            and coalesce(o.teaser_at, o.created_at) <= now()
          group by o.provider_id
        ),
        peers as (select f.* from figures f, me where f.provider_id <> me.id)
      select
        (select received from figures where provider_id = ${providerId}) as received,
        (select answered from figures where provider_id = ${providerId}) as answered,
        (select reply_seconds from figures where provider_id = ${providerId}) as reply_seconds,
        (select count(*)::int from peers) as peers,
        (select percentile_cont(0.5) within group (order by answered::float8 / received) from peers) as peer_rate,
        (select percentile_cont(0.5) within group (order by reply_seconds) from peers
          where reply_seconds is not null) as peer_reply_seconds`,
  );
  const received = row?.received ?? 0;
  const answered = row?.answered ?? 0;
  const seconds = (s: number | null | undefined) =>
    s === null || s === undefined ? null : Math.round(Number(s));
  return {
    days: COMPARE_DAYS,
    you: {
      offersReceived: received,
      answered,
      /** 0 to 1; null with no offer received. */
      responseRate: received ? answered / received : null,
      medianReplySeconds: seconds(row?.reply_seconds),
    },
    /** Null when fewer than MIN_PEERS providers share their categories and areas. */
    peers:
      row && row.peers >= MIN_PEERS
        ? {
            responseRate: row.peer_rate === null ? null : Number(row.peer_rate),
            medianReplySeconds: seconds(row.peer_reply_seconds),
          }
        : null,
  };
}
