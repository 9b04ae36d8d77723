/**
 * teaser_window_start() (drizzle/functions/teaser-window-start.sql), straight in SQL at fixed instants: inside
 * the teaser hours a teaser goes at once, outside it waits for the next local start, which across
 * a DST change is 08:00 on the wall clock, not 24 hours after the last one.
 */
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/database';

const db = useTestDatabase();
const H = 60;

/** When a teaser due at `at` may go, for hours `start`-`end` (minutes) in `zone`. */
async function windowStart(zone: string, start: number, end: number, at: string): Promise<string> {
  const [row] = await db.query<{ t: Date }>('select teaser_window_start($1, $2, $3, $4::timestamptz) as t', [
    zone,
    start,
    end,
    at,
  ]);
  return row!.t.toISOString();
}

describe('teaser_window_start', () => {
  it('the edges of 08:00-21:00: 07:59:59 waits a second, 08:00 and 20:59:59 go, 21:00 waits for tomorrow', async () => {
    // America/Chicago in January: UTC-6.
    const c = (at: string) => windowStart('America/Chicago', 8 * H, 21 * H, at);
    expect(await c('2026-01-15 07:59:59-06')).toBe('2026-01-15T14:00:00.000Z');
    expect(await c('2026-01-15 08:00:00-06')).toBe('2026-01-15T14:00:00.000Z');
    expect(await c('2026-01-15 20:59:59-06')).toBe('2026-01-16T02:59:59.000Z');
    expect(await c('2026-01-15 21:00:00-06')).toBe('2026-01-16T14:00:00.000Z');
    expect(await c('2026-01-15 23:59:59.5-06')).toBe('2026-01-16T14:00:00.000Z');
    expect(await c('2026-01-16 00:00:00-06')).toBe('2026-01-16T14:00:00.000Z');
  });

  it('a night across spring forward ends at 08:00 EDT (12:00 UTC), across fall back at 08:00 EST (13:00 UTC)', async () => {
    const ny = (at: string) => windowStart('America/New_York', 8 * H, 21 * H, at);
    // Saturday 2026-03-07 22:00 EST; clocks go forward at 02:00 on Sunday 8 March.
    expect(await ny('2026-03-08 03:00:00Z')).toBe('2026-03-08T12:00:00.000Z');
    // 01:59:59 EST, a second before the change, and 03:00 EDT, just after it.
    expect(await ny('2026-03-08 06:59:59Z')).toBe('2026-03-08T12:00:00.000Z');
    expect(await ny('2026-03-08 07:00:00Z')).toBe('2026-03-08T12:00:00.000Z');
    // Saturday 2026-10-31 22:00 EDT; clocks go back at 02:00 on Sunday 1 November.
    expect(await ny('2026-11-01 02:00:00Z')).toBe('2026-11-01T13:00:00.000Z');
    // 01:30 twice: EDT (05:30 UTC) and EST (06:30 UTC), both still night.
    expect(await ny('2026-11-01 05:30:00Z')).toBe('2026-11-01T13:00:00.000Z');
    expect(await ny('2026-11-01 06:30:00Z')).toBe('2026-11-01T13:00:00.000Z');
    // The evening before each change ends with the day's last second inside.
    expect(await ny('2026-03-08 00:59:59Z')).toBe('2026-03-08T00:59:59.000Z'); // 19:59:59 EST
    expect(await ny('2026-11-01 00:59:59Z')).toBe('2026-11-01T00:59:59.000Z'); // 20:59:59 EDT
  });

  it('a start in the hour spring forward skips begins at the first instant after it', async () => {
    // 02:30 does not exist on 2026-03-08 in New York: the hours start at 03:30 EDT (07:30 UTC).
    expect(await windowStart('America/New_York', 150, 21 * H, '2026-03-08 05:00:00Z')).toBe(
      '2026-03-08T07:30:00.000Z',
    );
  });

  it('hours that wrap midnight (22:00-06:00): inside either side of it, else tonight at 22:00', async () => {
    const w = (at: string) => windowStart('UTC', 22 * H, 6 * H, at);
    expect(await w('2026-01-15 23:00:00Z')).toBe('2026-01-15T23:00:00.000Z');
    expect(await w('2026-01-16 05:59:59Z')).toBe('2026-01-16T05:59:59.000Z');
    expect(await w('2026-01-16 06:00:00Z')).toBe('2026-01-16T22:00:00.000Z');
    expect(await w('2026-01-16 21:59:59Z')).toBe('2026-01-16T22:00:00.000Z');
    expect(await w('2026-01-16 22:00:00Z')).toBe('2026-01-16T22:00:00.000Z');
  });

  it('all day (00:00-24:00) is always inside; zones east and west of UTC', async () => {
    expect(await windowStart('UTC', 0, 24 * H, '2026-01-16 23:59:59Z')).toBe('2026-01-16T23:59:59.000Z');
    expect(await windowStart('UTC', 0, 24 * H, '2026-01-16 00:00:00Z')).toBe('2026-01-16T00:00:00.000Z');
    // Pacific/Kiritimati is UTC+14: 2026-01-16 20:00Z is 10:00 on the 17th there, inside.
    expect(await windowStart('Pacific/Kiritimati', 8 * H, 21 * H, '2026-01-16 20:00:00Z')).toBe(
      '2026-01-16T20:00:00.000Z',
    );
    // Etc/GMT+5 is UTC-5: 2026-01-16 03:00Z is 22:00 on the 15th there; 08:00 on the 16th is 13:00Z.
    expect(await windowStart('Etc/GMT+5', 8 * H, 21 * H, '2026-01-16 03:00:00Z')).toBe(
      '2026-01-16T13:00:00.000Z',
    );
  });
});
