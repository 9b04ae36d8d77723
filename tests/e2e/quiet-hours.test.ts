// Quiet hours over real HTTP (issue 13 §1, "done when"): `serverless offline start` with the
// default teaser hours (08:00-21:00), this file's own database and the fake TextMagic. A provider
// in a zone where it is night now gets no teaser at POST /leads, only a row queued for their
// 08:00; one in the day gets it at once. When their morning comes (the row's due time moved to
// now(): Postgres' clock cannot be moved) the scheduled sms-dispatcher, which serverless-offline
// runs every minute, sends it; the teaser of a lead that filled overnight it never sends.
import { describe, expect, it, onTestFailed } from 'vitest';
import { phoneNumber, tmDigits } from '../support/app';
import { useTestDatabase } from '../support/database';
import { useTestCatalogue } from '../support/catalogue';
import { lead } from '../../emulators/lead-body';
import { useOfflineApi } from '../support/offline';
import { nextEight, zoneAt } from '../support/time-zones';

const ADMIN = { authorization: 'Bearer local-admin-key', 'content-type': 'application/json' };
const LEAD_KEY = { 'x-api-key': 'local-lead-key', 'content-type': 'application/json' };

const db = useTestDatabase();
useTestCatalogue(db);
const stack = useOfflineApi(db, {
  env: {
    LOG_LEVEL: 'warn',
    // The deployed default, not the all-day hours of the other tests (tests/support/setup-env.ts).
    TEASER_HOURS: '08:00-21:00',
  },
});

async function post(route: string, headers: Record<string, string>, body: unknown) {
  const res = await fetch(`${stack.offline.url}${route}`, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
  });
  const text = await res.text();
  expect(res.status, `${route}: ${text}`).toBe(201);
  return JSON.parse(text) as { id: string; code: string; offeredTo: number; phone: string };
}

const teasersTo = (phone: string) =>
  stack.textmagic.sent.filter((m) => m.phones.includes(tmDigits(phone)) && /Reply YES/.test(m.text));

async function until(what: string, done: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('serverless offline: quiet hours', () => {
  it('a provider at night gets the teaser at the start of their morning, from the scheduled dispatcher; a lead filled by then, never', async () => {
    onTestFailed(() => {
      console.error(`--- serverless offline output (last 6 KB) ---\n${stack.offline.output().slice(-6_000)}`);
    });
    const night = zoneAt(2);
    const provider = (timeZone: string) => ({
      name: 'Pat Plumber',
      phone: phoneNumber(),
      categories: ['plumbing'],
      zipCodes: ['78701'],
      timeZone,
    });
    const sleeper = await post('/providers', ADMIN, provider(night.zone));
    const awake = await post('/providers', ADMIN, provider(zoneAt(12).zone));
    const open = await post('/leads', LEAD_KEY, lead({ category: 'plumbing', zipCode: '78701' }));
    const fills = await post(
      '/leads',
      LEAD_KEY,
      lead({
        category: 'plumbing',
        zipCode: '78701',
        name: 'Other Client',
        phone: phoneNumber(),
        maxUnlocks: 1,
      }),
    );
    expect([open.offeredTo, fills.offeredTo]).toEqual([2, 2]);
    expect(
      teasersTo(awake.phone).map((m) => m.text.includes(open.code) || m.text.includes(fills.code)),
    ).toEqual([true, true]);
    expect(teasersTo(sleeper.phone)).toEqual([]);

    // Queued for the next 08:00 on their wall clock (02:xx now).
    const due = nextEight(night.offsetHours);
    const queued = await db.query<{ id: string; lead_id: string; next_attempt_at: Date; status: string }>(
      `select id, lead_id, next_attempt_at, status from sms_messages
       where kind = 'teaser' and $1 = any(recipients) order by id`,
      [sleeper.phone],
    );
    expect(queued.map((r) => [r.lead_id, r.status, r.next_attempt_at.toISOString()])).toEqual([
      [open.id, 'queued', due],
      [fills.id, 'queued', due],
    ]);

    // Overnight the second lead fills (its one unlock, as a payment would leave it).
    await db.query('update leads set unlock_count = max_unlocks where id = $1', [fills.id]);
    // Morning comes.
    await db.query(`update sms_messages set next_attempt_at = now() where id = any($1::bigint[])`, [
      queued.map((r) => r.id),
    ]);
    await until(
      'the dispatcher ran',
      async () => {
        const rows = await db.query<{ status: string }>(
          'select status from sms_messages where id = any($1::bigint[]) order by id',
          [queued.map((r) => r.id)],
        );
        return rows.every((r) => r.status !== 'queued');
      },
      90_000,
    );
    const teasers = teasersTo(sleeper.phone);
    expect(teasers).toHaveLength(1);
    expect(teasers[0]!.text).toContain(open.code);
    const after = await db.query<{ status: string }>(
      'select status from sms_messages where id = any($1::bigint[]) order by id',
      [queued.map((r) => r.id)],
    );
    expect(after.map((r) => r.status)).toEqual(['sent', 'cancelled']);
  }, 150_000);
});
