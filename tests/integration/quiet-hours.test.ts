/**
 * Quiet hours (issue 13 §1): a provider gets teasers only within their teaser hours (their own,
 * or TEASER_HOURS, 08:00-21:00) in their time zone. A lead that arrives at night for them is
 * offered to them all the same, and its teaser queued for the start of their morning; the
 * dispatcher sends it then, unless the lead is no longer open (full or expired), and only to
 * providers who may still get it. Replies go at any hour. Driven through the public routes and
 * the fakes; "morning comes" by moving the queued row's due time to now() (Postgres' clock
 * cannot be moved), after checking it was due exactly at their 08:00.
 *
 * The zones are fixed offsets (Etc/GMT±N) picked from the hour the suite runs: one where it is
 * 02:xx now (night), one where it is 12:xx (day), so the test means the same at any hour.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { handler as providersRoute } from '../../functions/providers';
import { invoke } from '../../emulators/events';
import { getDb } from '../../lib/db/client';
import { dispatchDue } from '../../lib/messaging/dispatch';
import { KEYS, phoneNumber, useApp } from '../support/app';
import { api, lead } from '../support/flow';
import { buyByLink, smsSentTo, uniqueZip } from '../support/market';
import { nextEight, zoneAt } from '../support/time-zones';

const app = useApp({ env: { TEASER_HOURS: '08:00-21:00', DEFAULT_TIME_ZONE: 'America/Chicago' } });
const admin = { authorization: `Bearer ${KEYS.admin}`, 'content-type': 'application/json' };

type Sms = {
  id: string;
  dedupe_key: string;
  status: string;
  recipients: string[];
  attempts: number;
  next_attempt_at: Date;
  sent_at: Date | null;
  last_error: string | null;
};
const teasersOf = (leadId: string) =>
  app.db.query<Sms>(
    `select id, dedupe_key, status, recipients, attempts, next_attempt_at, sent_at, last_error
     from sms_messages where lead_id = $1 and kind = 'teaser' order by id`,
    [leadId],
  );

/**
 * Morning comes for a queued teaser: due now, as it would be at the start of their hours, and so
 * are the offers it tells of (their `teaser_at`, which a YES without a code goes by).
 */
const morning = (smsId: string) =>
  app.db.query(
    `with s as (select lead_id, next_attempt_at from sms_messages where id = $1),
      o as (update offers set teaser_at = now() from s
        where offers.lead_id = s.lead_id and offers.teaser_at = s.next_attempt_at)
    update sms_messages set next_attempt_at = now() where id = $1`,
    [smsId],
  );

/** The lead's "teasers sent" as GET /stats sums it (lead_funnels): providers actually sent one. */
async function teasersCounted(leadId: string): Promise<number> {
  const [row] = await app.db.query<{ teasers_sent: number }>(
    'select teasers_sent from lead_funnels where lead_id = $1',
    [leadId],
  );
  return row!.teasers_sent;
}

const teaserTo = (phone: string, since = 0) =>
  smsSentTo(app, phone, since).filter((m) => /Reply YES/.test(m.text));

async function postLead(zip: string, body: Record<string, unknown> = {}) {
  const res = await api.postLead(lead({ zipCode: zip, ...body }));
  expect(res.status, res.text).toBe(201);
  return res.json as { id: string; code: string; offeredTo: number };
}

/** `phone` buys lead `code` by link (`buyByLink`); the Checkout Session's id. */
const buy = (phone: string, code: string) => buyByLink(app, phone, code);

const night = () => zoneAt(2);
const day = () => zoneAt(12);

beforeEach(() => app.textmagic.reset());

describe('a lead at night for one provider, in the day for another', () => {
  it('the day provider gets the teaser at once; the night one at their 08:00, by the dispatcher', async () => {
    const zip = uniqueZip();
    const n = night();
    const sleeper = await api.addProvider({ zipCodes: [zip], timeZone: n.zone, autoPay: false });
    const awake = await api.addProvider({ zipCodes: [zip], timeZone: day().zone, autoPay: false });
    const created = await postLead(zip);
    expect(created.offeredTo).toBe(2);

    expect(teaserTo(awake.phone)).toHaveLength(1);
    expect(teaserTo(sleeper.phone)).toHaveLength(0);
    const [now, queued] = await teasersOf(created.id);
    expect(now).toMatchObject({
      dedupe_key: `teaser:${created.id}`,
      status: 'sent',
      recipients: [awake.phone],
    });
    const due = nextEight(n.offsetHours);
    expect(queued).toMatchObject({
      dedupe_key: `teaser:${created.id}:${Date.parse(due) / 1000}`,
      status: 'queued',
      recipients: [sleeper.phone],
      attempts: 0,
    });
    expect(queued!.next_attempt_at.toISOString()).toBe(due);
    expect(await teasersCounted(created.id)).toBe(1);
    // Both are offered the lead, the sleeper's offer told of at their 08:00.
    const offers = await app.db.query<{ provider_id: string; teaser_at: Date; created_at: Date }>(
      'select provider_id, teaser_at, created_at from offers where lead_id = $1',
      [created.id],
    );
    const at = Object.fromEntries(offers.map((o) => [o.provider_id, o]));
    expect(at[sleeper.id]!.teaser_at.toISOString()).toBe(due);
    expect(at[awake.id]!.teaser_at.getTime()).toBe(at[awake.id]!.created_at.getTime());

    // The dispatcher in the night sends nothing; a YES without a code does not pick the lead
    // they have not been told of (a reply, which goes at any hour).
    await dispatchDue(await getDb());
    expect(teaserTo(sleeper.phone)).toHaveLength(0);
    const before = app.textmagic.sent.length;
    await api.reply(sleeper.phone, 'YES');
    expect(smsSentTo(app, sleeper.phone, before).map((m) => m.text)).toEqual([
      expect.stringMatching(/no open leads/i),
    ]);

    await morning(queued!.id);
    await dispatchDue(await getDb());
    const [teaser] = teaserTo(sleeper.phone);
    expect(teaser?.text).toContain(created.code);
    expect(teaser?.text).toBe(teaserTo(awake.phone)[0]!.text);
    expect((await teasersOf(created.id))[1]).toMatchObject({ status: 'sent', recipients: [sleeper.phone] });
    expect(await teasersCounted(created.id)).toBe(2);
    // Now the YES is theirs to give.
    const yes = app.textmagic.sent.length;
    await api.reply(sleeper.phone, 'YES');
    expect(
      smsSentTo(app, sleeper.phone, yes)
        .map((m) => m.text)
        .join('\n'),
    ).toMatch(/\/p\//);

    // Their page counts the teaser as received once sent.
    const page = await api.getProvider(sleeper.id);
    expect(page.json.stats.teasersReceived).toBe(1);
  });

  it('night providers in two languages: one queued row per language, each sent at their morning', async () => {
    const zip = uniqueZip();
    const n = night();
    const en = [
      await api.addProvider({ zipCodes: [zip], timeZone: n.zone }),
      await api.addProvider({ zipCodes: [zip], timeZone: n.zone }),
    ];
    const es = await api.addProvider({ zipCodes: [zip], timeZone: n.zone, language: 'es' });
    app.textmagic.reset(); // their opt-in confirmations went out when they were added
    const created = await postLead(zip);
    expect(created.offeredTo).toBe(3);
    expect(app.textmagic.sent).toHaveLength(0);
    const rows = await teasersOf(created.id);
    const epoch = Date.parse(nextEight(n.offsetHours)) / 1000;
    expect(rows.map((r) => [r.dedupe_key, r.status, [...r.recipients].sort()])).toEqual([
      [`teaser:${created.id}:${epoch}`, 'queued', en.map((p) => p.phone).sort()],
      [`teaser:${created.id}:es:${epoch}`, 'queued', [es.phone]],
    ]);
    for (const r of rows) await morning(r.id);
    await dispatchDue(await getDb());
    // One TextMagic request per row, as for a teaser sent at once.
    expect(app.textmagic.sent).toHaveLength(2);
    for (const p of en) expect(teaserTo(p.phone)[0]?.text).toMatch(/Reply YES/);
    expect(smsSentTo(app, es.phone)[0]?.text).toMatch(/Responda SI/);
  });
});

describe('not sent if the lead is no longer open by morning', () => {
  it('a lead that fills overnight: the queued teaser is cancelled, never sent', async () => {
    const zip = uniqueZip();
    const sleeper = await api.addProvider({ zipCodes: [zip], timeZone: night().zone });
    const awake = await api.addProvider({ zipCodes: [zip], timeZone: day().zone, autoPay: false });
    const created = await postLead(zip, { maxUnlocks: 1 });
    expect(created.offeredTo).toBe(2);
    await buy(awake.phone, created.code);
    const [, queued] = await teasersOf(created.id);
    expect(queued!.status).toBe('queued');

    await morning(queued!.id);
    const run = await dispatchDue(await getDb());
    expect(run.sms.done).toBe(0);
    expect(teaserTo(sleeper.phone)).toHaveLength(0);
    expect(smsSentTo(app, sleeper.phone)).toHaveLength(0);
    expect((await teasersOf(created.id))[1]).toMatchObject({
      status: 'cancelled',
      sent_at: null,
      recipients: [sleeper.phone],
      last_error: expect.stringMatching(/no longer open/),
    });
    // Nothing left queued: later runs do not see it again.
    await dispatchDue(await getDb());
    expect(smsSentTo(app, sleeper.phone)).toHaveLength(0);
    // GET /stats counts the one teaser sent, not the two offers; a recount agrees.
    expect(await teasersCounted(created.id)).toBe(1);
    await app.db.query('select lead_funnels_rebuild()');
    expect(await teasersCounted(created.id)).toBe(1);
  });

  it('a lead that expires overnight: cancelled too', async () => {
    const zip = uniqueZip();
    const sleeper = await api.addProvider({ zipCodes: [zip], timeZone: night().zone });
    const created = await postLead(zip);
    const [queued] = await teasersOf(created.id);
    expect(queued!.status).toBe('queued');
    // Its TTL has run out by morning.
    await app.db.query(`update leads set expires_at = now() - interval '1 second' where id = $1`, [
      created.id,
    ]);
    await morning(queued!.id);
    await dispatchDue(await getDb());
    expect(smsSentTo(app, sleeper.phone)).toHaveLength(0);
    expect((await teasersOf(created.id))[0]!.status).toBe('cancelled');
  });

  it('a provider who texts STOP (or is paused) overnight is left out; the others get it', async () => {
    const zip = uniqueZip();
    const n = night();
    const [stops, paused, stays] = [
      await api.addProvider({ zipCodes: [zip], timeZone: n.zone }),
      await api.addProvider({ zipCodes: [zip], timeZone: n.zone }),
      await api.addProvider({ zipCodes: [zip], timeZone: n.zone }),
    ];
    const created = await postLead(zip);
    expect(created.offeredTo).toBe(3);
    await api.reply(stops.phone, 'STOP');
    expect((await api.patchProvider(paused.id, { active: false })).status).toBe(200);
    const [queued] = await teasersOf(created.id);
    app.textmagic.reset();
    await morning(queued!.id);
    await dispatchDue(await getDb());
    expect(app.textmagic.sent.map((m) => m.phones)).toEqual([[stays.phone.slice(1)]]);
    expect((await teasersOf(created.id))[0]).toMatchObject({ status: 'sent', recipients: [stays.phone] });
  });
});

describe("a provider's own teaser hours", () => {
  it('hours that hold their current local time (also across midnight) send at once; TEASER_HOURS would not', async () => {
    const zip = uniqueZip();
    const { zone } = night(); // 02:xx there
    const wraps = await api.addProvider({ zipCodes: [zip], timeZone: zone, teaserHours: '22:00-06:00' });
    const early = await api.addProvider({ zipCodes: [zip], timeZone: zone, teaserHours: '01:00-24:00' });
    const usual = await api.addProvider({ zipCodes: [zip], timeZone: zone });
    const created = await postLead(zip);
    expect(created.offeredTo).toBe(3);
    expect(teaserTo(wraps.phone)).toHaveLength(1);
    expect(teaserTo(early.phone)).toHaveLength(1);
    expect(teaserTo(usual.phone)).toHaveLength(0);
  });

  it('hours that have ended today wait for tomorrow', async () => {
    const zip = uniqueZip();
    const n = night(); // 02:xx: 00:00-01:00 ended; tomorrow's start is 22 hours or so away
    const p = await api.addProvider({ zipCodes: [zip], timeZone: n.zone, teaserHours: '00:00-01:00' });
    const created = await postLead(zip);
    const [queued] = await teasersOf(created.id);
    const local = new Date(Date.now() + n.offsetHours * 3600_000);
    local.setUTCHours(24, 0, 0, 0);
    expect(queued!.next_attempt_at.toISOString()).toBe(
      new Date(local.getTime() - n.offsetHours * 3600_000).toISOString(),
    );
    expect(teaserTo(p.phone)).toHaveLength(0);
  });

  it('without a zone of their own, DEFAULT_TIME_ZONE; GET /providers/{id} shows the hours and where they stand', async () => {
    const n = night();
    const sleeper = await api.addProvider({ zipCodes: [uniqueZip()], timeZone: n.zone });
    const own = await api.addProvider({ zipCodes: [uniqueZip()], teaserHours: '00:00-24:00' });
    const s = await api.getProvider(sleeper.id);
    expect(s.json.provider.teaserHours).toBeNull();
    expect(s.json.teaserHours).toEqual({
      hours: '08:00-21:00',
      isDefault: true,
      timeZone: n.zone,
      openNow: false,
      nextTeaserAt: nextEight(n.offsetHours),
    });
    const o = await api.getProvider(own.id);
    expect(o.json.provider.teaserHours).toBe('00:00-24:00');
    expect(o.json.teaserHours).toMatchObject({
      hours: '00:00-24:00',
      isDefault: false,
      timeZone: 'America/Chicago',
      openNow: true,
    });
  });
});

describe('the admin API', () => {
  const post = (body: Record<string, unknown>) =>
    invoke(providersRoute, {
      method: 'POST',
      path: '/providers',
      headers: admin,
      body: JSON.stringify({
        name: 'P',
        phone: phoneNumber(),
        categories: ['plumbing'],
        zipCodes: ['78701'],
        ...body,
      }),
    });
  const stored = async (id: string) =>
    (
      await app.db.query<{ s: number | null; e: number | null }>(
        'select teaser_hours_start as s, teaser_hours_end as e from providers where id = $1',
        [id],
      )
    )[0];

  it('sets, changes and clears teaserHours; stored as local minutes', async () => {
    const created = await post({ teaserHours: ' 07:30-20:00 ' });
    expect(created.status, created.text).toBe(201);
    expect(created.json.teaserHours).toBe('07:30-20:00');
    expect(await stored(created.json.id)).toEqual({ s: 450, e: 1200 });
    const id = created.json.id as string;
    const wrap = await api.patchProvider(id, { teaserHours: '22:00-00:00' });
    expect(wrap.json.teaserHours).toBe('22:00-24:00');
    expect(await stored(id)).toEqual({ s: 1320, e: 1440 });
    // Another change leaves them alone; null clears them (TEASER_HOURS again).
    expect((await api.patchProvider(id, { name: 'Q' })).json.teaserHours).toBe('22:00-24:00');
    expect((await api.patchProvider(id, { teaserHours: null })).json.teaserHours).toBeNull();
    expect(await stored(id)).toEqual({ s: null, e: null });
    expect((await post({})).json.teaserHours).toBeNull();
  });

  it.each([
    ['8-21', 'must be HH:MM-HH:MM'],
    ['08:00', 'must be HH:MM-HH:MM'],
    ['25:00-06:00', 'must be HH:MM-HH:MM'],
    ['08:00-24:30', 'must be HH:MM-HH:MM'],
    ['08:00-08:00', 'start and end not the same'],
    ['', 'must be HH:MM-HH:MM'],
    [800, 'must be hours such as 08:00-21:00, or null for the default'],
  ])('refuses teaserHours %j with a clear 400 naming the field', async (value, message) => {
    for (const res of [
      await post({ teaserHours: value }),
      await api.patchProvider((await api.addProvider()).id, { teaserHours: value }),
    ]) {
      expect(res.status, res.text).toBe(400);
      expect(res.json.error.code).toBe('validation_failed');
      expect(res.json.error.details).toEqual([
        { field: 'teaserHours', message: expect.stringContaining(message) },
      ]);
    }
  });

  it('the database refuses hours the API would never write', async () => {
    const { id } = await api.addProvider();
    for (const [s, e] of [
      [480, null],
      [480, 480],
      [-1, 600],
      [0, 1441],
    ]) {
      await expect(
        app.db.query('update providers set teaser_hours_start = $2, teaser_hours_end = $3 where id = $1', [
          id,
          s,
          e,
        ]),
      ).rejects.toThrow(/providers_teaser_hours/);
    }
  });
});
