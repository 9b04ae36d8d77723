/**
 * POST /sms/status: TextMagic's delivery reports, recorded on their own table and on the
 * outbox row whose send TextMagic answered with that message (or session) id.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { handler as dispatcher } from '../../functions/sms-dispatcher';
import { handler as smsStatus } from '../../functions/sms-status';
import { KEYS, tmDigits, useApp } from '../support/app';
import { invoke } from '../../emulators/events';
import { api, lead, linkToken } from '../support/flow';

const app = useApp();

let zipSeq = 0;
const uniqueZip = () => String(40000 + ++zipSeq);

type Fields = Record<string, string | number>;

const report = api.deliveryReport;

type SmsRow = {
  id: number;
  status: string;
  provider_message_id: string | null;
  provider_session_id: string | null;
  delivery_status: Record<string, string> | null;
};
const smsRow = async (id: number) =>
  (
    await app.db.query<SmsRow>(
      'select id::int, status, provider_message_id, provider_session_id, delivery_status from sms_messages where id = $1',
      [id],
    )
  )[0]!;

type ReportRow = {
  message_id: string;
  receiver: string | null;
  status: string;
  sms_message_id: number | null;
  payload: Fields;
};
const reportRows = (messageId: string) =>
  app.db.query<ReportRow>(
    'select message_id, receiver, status, sms_message_id::int as sms_message_id, payload from sms_delivery_reports where message_id = $1',
    [messageId],
  );
const reportCount = async () =>
  (await app.db.query<{ n: number }>('select count(*)::int as n from sms_delivery_reports'))[0]!.n;

/** A teaser to `n` providers: the outbox row and what the fake TextMagic answered. */
async function teaser(n: number) {
  const zip = uniqueZip();
  const providers = [];
  for (let i = 0; i < n; i++) providers.push(await api.addProvider({ zipCodes: [zip] }));
  const before = app.textmagic.sent.length;
  const created = await api.postLead(lead({ zipCode: zip }));
  expect(created.status).toBe(201);
  const sent = app.textmagic.sent.slice(before);
  expect(sent).toHaveLength(1);
  const [row] = await app.db.query<{ id: number }>(
    `select id::int from sms_messages where lead_id = $1 and kind = 'teaser'`,
    [created.json.id],
  );
  return { providers, tm: sent[0]!, smsId: row!.id };
}

beforeEach(() => app.textmagic.reset());

describe('what our send stores', () => {
  it('one recipient: TextMagic’s message id and session id', async () => {
    const { tm, smsId } = await teaser(1);
    expect(tm.type).toBe('message');
    const row = await smsRow(smsId);
    expect(row).toMatchObject({
      status: 'sent',
      provider_message_id: String(tm.messageIds[0]),
      provider_session_id: String(tm.sessionId),
      delivery_status: null,
    });
  });

  it('several recipients: the session id, no message id', async () => {
    const { tm, smsId } = await teaser(2);
    expect(tm.type).toBe('session');
    const row = await smsRow(smsId);
    expect(row).toMatchObject({
      status: 'sent',
      provider_message_id: null,
      provider_session_id: String(tm.sessionId),
    });
  });
});

describe('POST /sms/status', () => {
  it('a report for a single-recipient message is recorded on the report table and the message', async () => {
    const { providers, tm, smsId } = await teaser(1);
    const messageId = String(tm.messageIds[0]);
    const receiver = tmDigits(providers[0]!.phone);
    const res = await report({ id: messageId, receiver, status: 'd', messageTime: '2030-01-01 10:00:00' });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ matched: true });

    const rows = await reportRows(messageId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      message_id: messageId,
      receiver: providers[0]!.phone,
      status: 'd',
      sms_message_id: smsId,
    });
    expect(rows[0]!.payload).toMatchObject({ id: messageId, receiver, status: 'd' });
    expect((await smsRow(smsId)).delivery_status).toEqual({ [providers[0]!.phone]: 'd' });
  });

  it('a later report for the same id updates the status', async () => {
    const { providers, tm, smsId } = await teaser(1);
    const messageId = String(tm.messageIds[0]);
    const receiver = tmDigits(providers[0]!.phone);
    for (const status of ['q', 's', 'd']) {
      expect((await report({ id: messageId, receiver, status })).status).toBe(200);
      const rows = await reportRows(messageId);
      expect(rows).toHaveLength(1);
      expect(rows[0]!.status).toBe(status);
      expect((await smsRow(smsId)).delivery_status).toEqual({ [providers[0]!.phone]: status });
    }
  });

  it('reports for a multi-recipient message are matched by sessionId, one status per receiver', async () => {
    const { providers, tm, smsId } = await teaser(3);
    const [a, b, c] = providers.map((p) => p.phone) as [string, string, string];
    // TextMagic reports per recipient: its own message id, with the session's id.
    const idFor = (phone: string) => String(tm.messageIds[tm.phones.indexOf(tmDigits(phone))]);
    expect(
      (await report({ id: idFor(a), sessionId: tm.sessionId, receiver: tmDigits(a), status: 'd' })).json
        .matched,
    ).toBe(true);
    expect(
      (
        await report(
          { id: idFor(b), sessionId: tm.sessionId, receiver: tmDigits(b), status: 'f' },
          { as: 'json' },
        )
      ).json.matched,
    ).toBe(true);
    expect(
      (await report({ id: idFor(c), sessionId: tm.sessionId, receiver: tmDigits(c), status: 's' })).json
        .matched,
    ).toBe(true);
    expect((await smsRow(smsId)).delivery_status).toEqual({ [a]: 'd', [b]: 'f', [c]: 's' });

    // C's later report replaces C's status only.
    await report({ id: idFor(c), sessionId: tm.sessionId, receiver: tmDigits(c), status: 'd' });
    expect((await smsRow(smsId)).delivery_status).toEqual({ [a]: 'd', [b]: 'f', [c]: 'd' });

    for (const phone of [a, b, c]) {
      const rows = await reportRows(idFor(phone));
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ receiver: phone, sms_message_id: smsId });
    }
  });

  it('a JSON report with numeric fields is understood', async () => {
    const { providers, tm, smsId } = await teaser(1);
    const res = await report(
      {
        id: tm.messageIds[0]!,
        receiver: Number(tmDigits(providers[0]!.phone)),
        status: 'd',
        sessionId: tm.sessionId,
      },
      { as: 'json' },
    );
    expect(res.status).toBe(200);
    expect(res.json.matched).toBe(true);
    expect((await smsRow(smsId)).delivery_status).toEqual({ [providers[0]!.phone]: 'd' });
  });

  it('a form body base64-encoded in a v2 event is understood', async () => {
    const { providers, tm, smsId } = await teaser(1);
    const res = await report(
      { id: tm.messageIds[0]!, receiver: tmDigits(providers[0]!.phone), status: 'e' },
      { version: 'v2' },
    );
    expect(res.status).toBe(200);
    expect((await smsRow(smsId)).delivery_status).toEqual({ [providers[0]!.phone]: 'e' });
  });

  it('a report for an id we never sent is recorded, matching nothing', async () => {
    const { smsId } = await teaser(1);
    const res = await report({ id: '987654321', receiver: '15125550199', status: 'd' });
    expect(res.status).toBe(200);
    expect(res.json.matched).toBe(false);
    expect(await reportRows('987654321')).toEqual([
      expect.objectContaining({
        message_id: '987654321',
        receiver: '+15125550199',
        status: 'd',
        sms_message_id: null,
      }),
    ]);
    expect((await smsRow(smsId)).delivery_status).toBeNull();
  });

  it('a report that arrives before our send stored its id is linked when a later one matches', async () => {
    const { providers, tm, smsId } = await teaser(1);
    const messageId = String(tm.messageIds[0]);
    const receiver = tmDigits(providers[0]!.phone);
    // As if TextMagic's first report beat the update that stores the id after the send.
    await app.db.query('update sms_messages set provider_message_id = null where id = $1', [smsId]);
    expect((await report({ id: messageId, receiver, status: 's' })).json.matched).toBe(false);
    await app.db.query('update sms_messages set provider_message_id = $2 where id = $1', [smsId, messageId]);

    expect((await report({ id: messageId, receiver, status: 'd' })).json.matched).toBe(true);
    const rows = await reportRows(messageId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'd', sms_message_id: smsId, receiver: providers[0]!.phone });
    expect((await smsRow(smsId)).delivery_status).toEqual({ [providers[0]!.phone]: 'd' });
  });

  it('a bad token is refused (403), a missing one too (401), and nothing is recorded', async () => {
    const { providers, tm, smsId } = await teaser(1);
    const fields = { id: tm.messageIds[0]!, receiver: tmDigits(providers[0]!.phone), status: 'd' };
    const before = await reportCount();
    const wrong = await report(fields, { token: 'not-the-token' });
    expect(wrong.status).toBe(403);
    expect(wrong.json.error.code).toEqual(expect.any(String));
    const missing = await report(fields, { token: null });
    expect(missing.status).toBe(401);
    // An empty token is a missing one.
    const empty = await report(fields, { token: '' });
    expect(empty.status).toBe(401);
    expect(await reportCount()).toBe(before);
    expect((await smsRow(smsId)).delivery_status).toBeNull();
  });

  it.each(['status', 'id'])('a missing %s: 400 naming it, nothing recorded', async (field) => {
    const { providers, tm, smsId } = await teaser(1);
    const fields: Fields = { id: tm.messageIds[0]!, receiver: tmDigits(providers[0]!.phone), status: 'd' };
    delete fields[field];
    const before = await reportCount();
    for (const as of ['form', 'json'] as const) {
      const res = await report(fields, { as });
      expect(res.status).toBe(400);
      expect(res.json.error.message).toContain(field);
      expect(res.json.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    }
    expect(await reportCount()).toBe(before);
    expect((await smsRow(smsId)).delivery_status).toBeNull();
  });

  it('bad JSON: 400, nothing recorded', async () => {
    const before = await reportCount();
    const res = await invoke(smsStatus, {
      method: 'POST',
      path: '/sms/status',
      query: { token: KEYS.sms },
      headers: { 'content-type': 'application/json' },
      body: '{"id": 1, "status": ',
    });
    expect(res.status).toBe(400);
    expect(await reportCount()).toBe(before);
  });

  it('NUL characters: stripped from the stored payload, refused in the id and status, never a 500', async () => {
    const ok = await report(
      { id: 'nul-1', status: 'd', receiver: '15125550199', note: 'a\u0000b' },
      { as: 'json' },
    );
    expect(ok.status).toBe(200);
    expect((await reportRows('nul-1'))[0]!.payload).toMatchObject({ note: 'ab' });
    const before = await reportCount();
    for (const bad of [
      { id: 'x\u0000y', status: 'd' },
      { id: 'nul-2', status: 'd\u0000' },
    ]) {
      const res = await report(bad, { as: 'json' });
      expect(res.status).toBe(400);
    }
    expect(await reportCount()).toBe(before);
  });
});

describe('a details SMS reported undelivered', () => {
  /** A provider who paid: the details SMS went out; returns its TextMagic message. */
  async function paidDetails() {
    const zip = uniqueZip();
    const p = await api.addProvider({ zipCodes: [zip] });
    const created = await api.postLead(lead({ zipCode: zip }));
    const before = app.textmagic.sent.length;
    await api.reply(p.phone, `YES ${created.json.code}`);
    const pay = await api.openPayLink(linkToken(app.textmagic.sent.slice(before).at(-1)!.text));
    const session = [...app.stripe.sessions.values()].find((s) => s.url === pay.headers.location)!;
    const { payload, header } = app.stripe.sign(app.stripe.completeSession(session.id));
    expect((await api.webhook(payload, header)).json.outcome).toBe('unlocked');
    return { phone: p.phone, leadId: created.json.id as string, latest: () => detailsTo(p.phone).at(-1)! };
  }
  const detailsTo = (phone: string) =>
    app.textmagic.sent.filter((m) => m.phones.includes(tmDigits(phone)) && m.text.includes('Jane Client'));
  const fail = (tm: { id: number }, phone: string, status: string) =>
    report({ id: tm.id, receiver: tmDigits(phone), status });
  type SmsView = {
    kind: string;
    status: string;
    delivery: Record<string, string>;
    resendOf: number | null;
    needsAttention: boolean;
  };
  const detailsInView = async (leadId: string): Promise<SmsView[]> =>
    (await api.getLead(leadId)).json.sms.filter((m: SmsView) => m.kind === 'details');

  it.each(['f', 'e', 'j'])(
    'status %s: sent again at once, up to two resends, then flagged for the operator',
    async (code) => {
      const { phone, leadId, latest } = await paidDetails();
      expect(detailsTo(phone)).toHaveLength(1);

      expect((await fail(latest(), phone, code)).json.matched).toBe(true);
      expect(detailsTo(phone)).toHaveLength(2);
      // TextMagic repeating the same report changes nothing.
      await fail(detailsTo(phone)[0]!, phone, code);
      expect(detailsTo(phone)).toHaveLength(2);

      await fail(latest(), phone, code);
      expect(detailsTo(phone)).toHaveLength(3);
      let view = await detailsInView(leadId);
      expect(view.map((m) => m.needsAttention)).toEqual([false, false, false]);
      expect(view.slice(1).map((m) => m.resendOf)).toEqual([expect.any(Number), view[1]!.resendOf]);

      // The third failure: no fourth send, the operator sees it.
      await fail(latest(), phone, code);
      expect(detailsTo(phone)).toHaveLength(3);
      view = await detailsInView(leadId);
      expect(view.map((m) => [m.delivery[phone], m.needsAttention])).toEqual([
        [code, false],
        [code, false],
        [code, true],
      ]);
      expect((await api.getLead(leadId)).json.smsNeedingAttention).toBe(1);
    },
  );

  it('a resend that is delivered ends it: nothing flagged', async () => {
    const { phone, leadId, latest } = await paidDetails();
    await fail(latest(), phone, 'f');
    await fail(latest(), phone, 'd');
    expect(detailsTo(phone)).toHaveLength(2);
    const view = await api.getLead(leadId);
    expect(view.json.smsNeedingAttention).toBe(0);
  });

  it('a resend that TextMagic cannot take now is queued for the dispatcher, not dropped', async () => {
    const { phone, latest } = await paidDetails();
    app.textmagic.fail(1, 503);
    await fail(latest(), phone, 'f');
    expect(detailsTo(phone)).toHaveLength(1);
    const queued = await app.db.query<{ id: number }>(
      `select id::int from sms_messages where kind = 'details' and status = 'queued' and resend_of is not null and $1 = any(recipients)`,
      [phone],
    );
    expect(queued).toHaveLength(1);
    await app.db.query(`update sms_messages set next_attempt_at = now() where id = $1`, [queued[0]!.id]);
    await dispatcher();
    expect(detailsTo(phone)).toHaveLength(2);
  });

  it('status u (unknown) is recorded, not resent; an undelivered teaser is flagged, not resent', async () => {
    const { phone, leadId, latest } = await paidDetails();
    await fail(latest(), phone, 'u');
    expect(detailsTo(phone)).toHaveLength(1);

    const teaserMsg = app.textmagic.sent.find(
      (m) => m.phones.includes(tmDigits(phone)) && /Reply YES/.test(m.text),
    )!;
    const before = app.textmagic.sent.length;
    await fail(teaserMsg, phone, 'f');
    expect(app.textmagic.sent).toHaveLength(before);
    const view = await api.getLead(leadId);
    expect(view.json.sms.find((m: SmsView) => m.kind === 'teaser')).toMatchObject({
      delivery: { [phone]: 'f' },
      needsAttention: true,
    });
    expect(view.json.smsNeedingAttention).toBe(1);
  });
});
