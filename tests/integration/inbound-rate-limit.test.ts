/**
 * The per-number limit on answers to inbound SMS: an auto-responder loop (100 messages from one
 * number) gets a bounded number of replies; normal use (HELP always, junk once a day) is intact.
 */
import { randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MAX_ANSWERS_PER_HOUR } from '../../lib/unlock/handle-reply';
import { tmDigits, useApp } from '../support/app';
import { api, lead } from '../support/flow';

const app = useApp();
const zip = () => String(randomInt(10_000, 100_000));
const sentTo = (phone: string, since = 0) =>
  app.textmagic.sent.slice(since).filter((m) => m.phones.includes(tmDigits(phone)));

describe('inbound SMS: answers per number per hour', () => {
  it(`100 HELPs in a row (an auto-responder loop) get ${MAX_ANSWERS_PER_HOUR} answers, then silence`, async () => {
    const p = await api.addProvider({ zipCodes: [zip()] });
    const outcomes: string[] = [];
    for (let i = 0; i < 100; i++) {
      const res = await api.reply(p.phone, 'HELP');
      expect(res.status).toBe(200);
      outcomes.push(res.json.outcome);
    }
    expect(sentTo(p.phone)).toHaveLength(MAX_ANSWERS_PER_HOUR);
    expect(outcomes.filter((o) => o === 'help')).toHaveLength(MAX_ANSWERS_PER_HOUR);
    expect(outcomes.filter((o) => o === 'rate_limited')).toHaveLength(100 - MAX_ANSWERS_PER_HOUR);
    // Every message is still recorded.
    const [row] = await app.db.query<{ n: string }>(
      'select count(*) as n from inbound_sms where provider_id = $1',
      [p.id],
    );
    expect(Number(row!.n)).toBe(100);

    // An hour later the number is answered again.
    await app.db.query(
      `update sms_messages set created_at = created_at - interval '61 minutes' where provider_id = $1`,
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
    await app.db.query(
      `insert into sms_messages (kind, recipients, body, provider_id, status)
       select 'help', array[$1], 'x', $2, 'sent' from generate_series(1, $3)`,
      [p.phone, p.id, MAX_ANSWERS_PER_HOUR],
    );
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
