/**
 * The per-number limit on answers to inbound SMS: an auto-responder loop (100 messages from one
 * number) gets a bounded number of replies; normal use (HELP always, junk once a day) is intact.
 */
import { randomInt } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { MAX_ANSWERS_PER_HOUR } from '../../lib/messaging/handle-reply';
import { tmDigits, useApp } from '../support/app';
import { api, lead } from '../support/flow';

const app = useApp();
const zip = () => String(randomInt(10_000, 100_000));
const sentTo = (phone: string, since = 0) =>
  app.textmagic.sent.slice(since).filter((m) => m.phones.includes(tmDigits(phone)));

describe('inbound SMS: answers per number per hour', () => {
  it(`100 HELPs in a row (an auto-responder loop) get ${MAX_ANSWERS_PER_HOUR} answers, then silence`, async () => {
    const p = await api.addProvider({ zipCodes: [zip()] });
    // Counted after the opt-in confirmation they got when added: an answer to none of theirs.
    const added = app.textmagic.sent.length;
    const outcomes: string[] = [];
    for (let i = 0; i < 100; i++) {
      const res = await api.reply(p.phone, 'HELP');
      expect(res.status).toBe(200);
      outcomes.push(res.json.outcome);
    }
    expect(sentTo(p.phone, added)).toHaveLength(MAX_ANSWERS_PER_HOUR);
    expect(outcomes.filter((o) => o === 'help')).toHaveLength(MAX_ANSWERS_PER_HOUR);
    expect(outcomes.filter((o) => o === 'rate_limited')).toHaveLength(100 - MAX_ANSWERS_PER_HOUR);
    // Every message is still recorded.
    const [row] = await app.db.query<{ n: string }>(
      'select count(*) as n from inbound_sms where provider_id = $1',
      [p.id],
    );
    expect(Number(row!.n)).toBe(100);

    // Every message is recorded with what became of it.
    const outcomesStored = await app.db.query<{ outcome: string; n: string }>(
      'select outcome, count(*) as n from inbound_sms where provider_id = $1 group by outcome order by outcome',
      [p.id],
    );
    expect(outcomesStored).toEqual([
      { outcome: 'help', n: String(MAX_ANSWERS_PER_HOUR) },
      { outcome: 'rate_limited', n: String(100 - MAX_ANSWERS_PER_HOUR) },
    ]);

    // Half an hour later, still silence; an hour after the first answer, answered again.
    await app.db.query(
      `update providers set answers_window_started_at = answers_window_started_at - interval '30 minutes'
        where id = $1`,
      [p.id],
    );
    expect((await api.reply(p.phone, 'HELP')).json.outcome).toBe('rate_limited');
    await app.db.query(
      `update providers set answers_window_started_at = answers_window_started_at - interval '31 minutes'
        where id = $1`,
      [p.id],
    );
    const before = app.textmagic.sent.length;
    expect((await api.reply(p.phone, 'HELP')).json.outcome).toBe('help');
    expect(sentTo(p.phone, before)).toHaveLength(1);
  });

  it('100 messages at once (YES with a code, HELP, START mixed) are bounded exactly, with no 5xx', async () => {
    const z = zip();
    const p = await api.addProvider({ zipCodes: [z] });
    const created = await api.postLead(lead({ zipCode: z }));
    const before = app.textmagic.sent.length;
    const words = [`YES ${created.json.code}`, 'HELP', 'START', 'YES'];
    const replies = await Promise.all(
      Array.from({ length: 100 }, (_, i) => api.reply(p.phone, words[i % 4]!)),
    );
    expect(replies.map((r) => r.status)).toEqual(Array(100).fill(200));
    expect(sentTo(p.phone, before)).toHaveLength(MAX_ANSWERS_PER_HOUR);
  });

  it('messages that queue up behind one another at the limit are counted against each other', async () => {
    const p = await api.addProvider({ zipCodes: [zip()] });
    for (let i = 0; i < MAX_ANSWERS_PER_HOUR - 2; i++) await api.reply(p.phone, 'HELP');
    // Another session holds the provider's row, so the next messages all start before it is
    // free and wait: each must still see the answers counted by those ahead of it.
    const holder = new pg.Client({ connectionString: app.db.url });
    await holder.connect();
    try {
      await holder.query('begin');
      await holder.query('select 1 from providers where id = $1 for update', [p.id]);
      const before = app.textmagic.sent.length;
      const burst = Promise.all(Array.from({ length: 6 }, () => api.reply(p.phone, 'HELP')));
      for (let i = 0; i < 200; i++) {
        const [w] = await app.db.query<{ n: string }>(
          `select count(*) as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()`,
        );
        if (Number(w!.n) >= 6) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      await holder.query('commit');
      const outcomes = (await burst).map((r) => r.json.outcome).sort();
      expect(outcomes).toEqual([
        'help',
        'help',
        'rate_limited',
        'rate_limited',
        'rate_limited',
        'rate_limited',
      ]);
      expect(sentTo(p.phone, before)).toHaveLength(2);
    } finally {
      await holder.end();
    }
  });

  it('normal use is unaffected: HELP answered every time, junk once a day, teasers and STOP not counted', async () => {
    const z = zip();
    const p = await api.addProvider({ zipCodes: [z] });
    // Teasers and details do not count towards the limit.
    for (let i = 0; i < 5; i++) await api.postLead(lead({ zipCode: z }));
    for (let i = 0; i < 5; i++) {
      const before = app.textmagic.sent.length;
      await api.reply(p.phone, 'HELP');
      expect(sentTo(p.phone, before)).toHaveLength(1);
    }
    let before = app.textmagic.sent.length;
    await api.reply(p.phone, 'what is this');
    await api.reply(p.phone, 'hello?');
    expect(sentTo(p.phone, before)).toHaveLength(0); // the help text went out a moment ago

    // Past the limit, STOP still opts the number out and is confirmed once.
    for (let i = 5; i < MAX_ANSWERS_PER_HOUR; i++) {
      expect((await api.reply(p.phone, 'HELP')).json.outcome).toBe('help');
    }
    before = app.textmagic.sent.length;
    expect((await api.reply(p.phone, 'HELP')).json.outcome).toBe('rate_limited');
    expect((await api.reply(p.phone, 'STOP')).json.outcome).toBe('stop');
    expect(sentTo(p.phone, before)).toHaveLength(1);
    expect(sentTo(p.phone, before)[0]!.text).toMatch(/START/);
    const [row] = await app.db.query<{ opted_out: boolean }>(
      'select opted_out from providers where id = $1',
      [p.id],
    );
    expect(row!.opted_out).toBe(true);
    // START past the limit still opts back in, though unanswered.
    expect((await api.reply(p.phone, 'START')).json.outcome).toBe('rate_limited');
    const [again] = await app.db.query<{ opted_out: boolean }>(
      'select opted_out from providers where id = $1',
      [p.id],
    );
    expect(again!.opted_out).toBe(false);
  });

  it('the limit is per number', async () => {
    const a = await api.addProvider({ zipCodes: [zip()] });
    const b = await api.addProvider({ zipCodes: [zip()] });
    for (let i = 0; i < MAX_ANSWERS_PER_HOUR + 3; i++) await api.reply(a.phone, 'HELP');
    const before = app.textmagic.sent.length;
    await api.reply(b.phone, 'HELP');
    expect(sentTo(b.phone, before)).toHaveLength(1);
  });
});
