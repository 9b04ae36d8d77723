import { sql, type SQL } from 'drizzle-orm';
import { config, formatTeaserHours, type TeaserHours } from '../config';
import { rows, type Queryable } from '../db/client';
import { zone } from '../purchases/budget';

/**
 * Quiet hours: a provider gets teasers only within their teaser hours (`teaser_hours_start` to
 * `teaser_hours_end`, local minutes from midnight, else TEASER_HOURS, 08:00-21:00 by default)
 * in their time zone (`time_zone`, else DEFAULT_TIME_ZONE). A lead that arrives outside them
 * has its teaser to that provider queued for the start of the next (`teaser_window_start()`,
 * drizzle/functions/teaser-window-start.sql: Postgres does the time-zone arithmetic, so the cold start loads
 * no zone data), and the dispatcher drops it unsent if the lead is no longer open by then
 * (lib/queue/work-queue.ts). Only teasers wait: replies (pay links, details, help) go at any hour.
 */

/** SQL: when a teaser due at `at` may go to provider `p` (the alias of a `providers` row). */
export function teaserAtSql(p: SQL, at: SQL = sql`now()`): SQL {
  const h = config().teaserHours;
  return sql`teaser_window_start(${zone(p)}, coalesce(${p}.teaser_hours_start, ${h.start}::int),
    coalesce(${p}.teaser_hours_end, ${h.end}::int), ${at})`;
}

/** A provider's own hours as the admin API shows them (`08:00-21:00`), or null for the default. */
export function providerTeaserHours(p: { teaserHoursStart: number | null; teaserHoursEnd: number | null }) {
  return p.teaserHoursStart === null || p.teaserHoursEnd === null
    ? null
    : formatTeaserHours({ start: p.teaserHoursStart, end: p.teaserHoursEnd });
}

/** The columns of `TeaserHours` (null: the default), as the admin API's input gives them. */
export const teaserHoursColumns = (hours: TeaserHours | null) => ({
  teaserHoursStart: hours?.start ?? null,
  teaserHoursEnd: hours?.end ?? null,
});

export type TeaserWindow = {
  /** Their hours, or TEASER_HOURS when they have none (`isDefault`). */
  hours: string;
  isDefault: boolean;
  /** The zone the hours are in: theirs, or DEFAULT_TIME_ZONE. */
  timeZone: string;
  /** Within their hours now: a new lead's teaser goes at once. */
  openNow: boolean;
  /** When a teaser of a lead arriving now would go: now, or the start of their next hours. */
  nextTeaserAt: string;
};

/** A provider's teaser hours and where they stand now, for `GET /providers/{id}`. */
export async function teaserWindow(q: Queryable, providerId: string): Promise<TeaserWindow | undefined> {
  const p = sql.raw('p');
  const [row] = await rows<{
    start: number | null;
    end: number | null;
    time_zone: string;
    at: string | Date;
    open_now: boolean;
  }>(
    q,
    'teaser_window',
    sql`select p.teaser_hours_start as start, p.teaser_hours_end as end, ${zone(p)} as time_zone,
        w.at, w.at = now() as open_now
      from providers p, lateral (select ${teaserAtSql(p)} as at) w where p.id = ${providerId}`,
  );
  if (!row) return undefined;
  const own = row.start !== null && row.end !== null;
  return {
    hours: formatTeaserHours(own ? { start: row.start!, end: row.end! } : config().teaserHours),
    isDefault: !own,
    timeZone: row.time_zone,
    openNow: row.open_now,
    nextTeaserAt: new Date(row.at).toISOString(),
  };
}
