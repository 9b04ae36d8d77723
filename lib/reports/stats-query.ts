import * as z from 'zod/mini';
import { calendarDate, fieldsParsed, param, parsed } from '../http/fields';
import { lazy } from '../lazy';

/** The longest range `GET /stats` reports on, in days (a leap year). */
export const STATS_MAX_DAYS = 366;
const DAY_MESSAGE = 'must be a date (YYYY-MM-DD)';
const days = (from: Date, to: Date) => Math.round((to.getTime() - from.getTime()) / 86_400_000) + 1;

/** Midnight UTC of today. */
export const todayUtc = (now = new Date()): Date =>
  new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));

/**
 * The days `GET /stats` covers: `to` defaults to today (UTC), `from` to 29 days before `to`
 * (30 days in all).
 */
export function statsRange(q: { from?: Date | undefined; to?: Date | undefined }): { from: Date; to: Date } {
  const to = q.to ?? todayUtc();
  return { from: q.from ?? new Date(to.getTime() - 29 * 86_400_000), to };
}

type DayRange = { from?: Date | undefined; to?: Date | undefined };
const dayFields = () => ({
  from: param(parsed(calendarDate, DAY_MESSAGE)),
  to: param(parsed(calendarDate, DAY_MESSAGE)),
});
/**
 * Whole days (UTC) `from`..`to`, both included, at most STATS_MAX_DAYS: `GET /stats`'s range,
 * and the exports'.
 */
const dayRangeChecks = () =>
  [
    z.refine<DayRange>(
      (o) => {
        const { from, to } = statsRange(o);
        return from.getTime() <= to.getTime();
      },
      {
        message: 'must not be before from (to defaults to today UTC)',
        path: ['to'],
        when: fieldsParsed('from', 'to'),
      },
    ),
    z.refine<DayRange>(
      (o) => {
        const { from, to } = statsRange(o);
        return days(from, to) <= STATS_MAX_DAYS;
      },
      {
        message: `must be at most ${STATS_MAX_DAYS} days from from, both included (to defaults to today UTC)`,
        path: ['to'],
        when: fieldsParsed('from', 'to'),
      },
    ),
  ] as const;

/** `GET /stats`: the range and the grouping. */
export const statsQuery = lazy(() =>
  z
    .object({
      ...dayFields(),
      groupBy: z._default(
        param(
          z.enum(['day', 'category', 'source', 'provider'], {
            error: 'must be day, category, source or provider',
          }),
        ),
        'day' as const,
      ),
    })
    .check(...dayRangeChecks()),
);
export type StatsQuery = z.output<ReturnType<typeof statsQuery>>;

/** `GET /exports/{kind}`: the range (the stats' days). */
export const exportQuery = lazy(() => z.object(dayFields()).check(...dayRangeChecks()));
export type ExportQuery = z.output<ReturnType<typeof exportQuery>>;
