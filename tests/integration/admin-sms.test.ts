/**
 * The operator's Attention routes: `GET /sms?status=failed|attention` (SMS needing the operator,
 * across all leads), `POST /sms/{id}/retry` (a failed one queued again, once) and
 * `GET /stripe/tasks?status=pending` (Stripe follow-ups not done yet).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { handler as smsAdmin } from '../../functions/sms-admin';
import { handler as stripeFollowUps } from '../../functions/stripe-follow-ups';
import { getDb } from '../../lib/db/client';
import { dispatchDue } from '../../lib/messaging/dispatch';
import { KEYS, tmDigits, useApp } from '../support/app';
import { invoke, type Reply } from '../../emulators/events';
import { api, lead } from '../support/flow';
import { deliverEvent, openSessions, smsSentTo, uniqueZip } from '../support/market';
import { changesNothing, writesNothing } from '../support/writes';

const app = useApp();
const admin = { authorization: `Bearer ${KEYS.admin}` };

const listSms = (query: Record<string, string> = {}, headers: Record<string, string> = admin) =>
  invoke(smsAdmin, { method: 'GET', path: '/sms', query, headers });
const retry = (id: string | number, headers: Record<string, string> = admin) =>
  invoke(smsAdmin, {
    method: 'POST',
    path: `/sms/${id}/retry`,
    pathParams: { id: String(id) },
    headers,
  });
const stripeTasks = (query: Record<string, string> = {}, headers: Record<string, string> = admin) =>
  invoke(stripeFollowUps, { method: 'GET', path: '/stripe/tasks', query, headers });

const ROW_KEYS = [
  'id',
  'kind',
  'leadId',
  'leadCode',
  'providerId',
  'providerName',
  'recipients',
  'status',
  'attempts',
  'lastError',
  'delivery',
  'needsAttention',
  'retriedAt',
  'createdAt',
  'sentAt',
].sort();

/** A lead teased to one provider of its own whose teaser TextMagic refused (400): failed at once. */
async function failedTeaser() {
  const zip = uniqueZip();
  const provider = await api.addProvider({ name: 'Fay Failed', zipCodes: [zip] });
  app.textmagic.fail(1, 400);
  const created = await api.postLead(lead({ zipCode: zip }));
  expect(created.status).toBe(201);
  const [row] = await app.db.query<{ id: number; body: string; status: string }>(
    `select id::int, body, status from sms_messages where lead_id = $1 and kind = 'teaser'`,
    [created.json.id],
  );
  expect(row!.status).toBe('failed');
  return { smsId: row!.id, body: row!.body, provider, lead: created.json as { id: string; code: string } };
}

/** A teaser that went out, then reported undelivered (`f`) by TextMagic: not resent (not details). */
async function undeliveredTeaser() {
  const zip = uniqueZip();
  const provider = await api.addProvider({ zipCodes: [zip] });
  const before = app.textmagic.sent.length;
  const created = await api.postLead(lead({ zipCode: zip }));
  const tm = app.textmagic.sent.slice(before)[0]!;
  const report = await api.deliveryReport({ id: tm.id, status: 'f', receiver: tmDigits(provider.phone) });
  expect(report.json.matched).toBe(true);
  const [row] = await app.db.query<{ id: number }>(
    `select id::int from sms_messages where lead_id = $1 and kind = 'teaser'`,
    [created.json.id],
  );
  return { smsId: row!.id, provider };
}

const smsIds = (res: Reply) => res.json.sms.map((m: { id: number }) => m.id);

function expectError(res: Reply, status: number, code?: string) {
  expect(res.status, res.text).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(res.json.error).toMatchObject({ code: code ?? expect.any(String), message: expect.any(String) });
}

beforeEach(() => app.textmagic.heal());

describe('GET /sms', () => {
  it('failed: a failed teaser with its lead, its phones, why it failed, and never its body', async () => {
    const f = await failedTeaser();
    const res = await listSms({ status: 'failed' });
    expect(res.status, res.text).toBe(200);
    expect(Object.keys(res.json).sort()).toEqual(['nextCursor', 'sms']);
    const row = res.json.sms.find((m: { id: number }) => m.id === f.smsId);
    expect(Object.keys(row).sort()).toEqual(ROW_KEYS);
    expect(row).toMatchObject({
      kind: 'teaser',
      leadId: f.lead.id,
      leadCode: f.lead.code,
      providerId: null,
      providerName: null,
      recipients: [f.provider.phone],
      status: 'failed',
      attempts: 1,
      lastError: expect.stringContaining('400'),
      delivery: {},
      needsAttention: true,
      retriedAt: null,
      sentAt: null,
    });
    expect(new Date(row.createdAt).toISOString()).toBe(row.createdAt);
    expect(res.text).not.toContain(f.body);
    expect(res.text).not.toContain('Leaking');
  });

  it('attention: failed ones and undelivered ones not resent; failed: only the failed ones', async () => {
    const f = await failedTeaser();
    const u = await undeliveredTeaser();
    const attention = await listSms({ status: 'attention' });
    expect(smsIds(attention)).toEqual(expect.arrayContaining([f.smsId, u.smsId]));
    const undelivered = attention.json.sms.find((m: { id: number }) => m.id === u.smsId);
    expect(undelivered).toMatchObject({
      status: 'sent',
      needsAttention: true,
      delivery: { [u.provider.phone]: 'f' },
    });
    expect(attention.json.sms.every((m: { needsAttention: boolean }) => m.needsAttention)).toBe(true);
    // Without a status, the attention list.
    expect(smsIds(await listSms())).toEqual(smsIds(attention));

    const failed = await listSms({ status: 'failed' });
    expect(smsIds(failed)).toContain(f.smsId);
    expect(smsIds(failed)).not.toContain(u.smsId);
    expect(failed.json.sms.every((m: { status: string }) => m.status === 'failed')).toBe(true);

    // The lead view agrees with the list on each (one definition of needing attention).
    const view = await api.getLead(
      (
        await app.db.query<{ lead_id: string }>('select lead_id from sms_messages where id = $1', [u.smsId])
      )[0]!.lead_id,
    );
    expect(view.json.sms.find((m: { id: number }) => m.id === u.smsId).needsAttention).toBe(true);
    expect(view.json.smsNeedingAttention).toBe(1);
  });

  it('a sent SMS delivered is not listed', async () => {
    const zip = uniqueZip();
    await api.addProvider({ zipCodes: [zip] });
    const created = await api.postLead(lead({ zipCode: zip }));
    const [row] = await app.db.query<{ id: number }>(`select id::int from sms_messages where lead_id = $1`, [
      created.json.id,
    ]);
    expect(smsIds(await listSms({ status: 'attention', limit: '100' }))).not.toContain(row!.id);
  });

  it('pages newest first with an opaque cursor, each row once, then nextCursor null', async () => {
    for (let i = 0; i < 3; i++) await failedTeaser();
    const all = await listSms({ status: 'failed', limit: '100' });
    const ids: number[] = smsIds(all);
    expect(ids.length).toBeGreaterThanOrEqual(3);
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);

    const seen: number[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 100; page++) {
      const res: Reply = await listSms({ status: 'failed', limit: '2', ...(cursor ? { cursor } : {}) });
      expect(res.status, res.text).toBe(200);
      expect(res.json.sms.length).toBeLessThanOrEqual(2);
      seen.push(...smsIds(res));
      cursor = res.json.nextCursor;
      if (cursor === null) break;
      expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    }
    expect(seen).toEqual(ids);
  });

  it('400 naming every bad field: status, cursor, limit', async () => {
    const res = await listSms({ status: 'sent', cursor: 'not a cursor!', limit: '0' });
    expectError(res, 400, 'validation_failed');
    expect(res.json.error.details.map((d: { field: string }) => d.field).sort()).toEqual([
      'cursor',
      'limit',
      'status',
    ]);
    for (const limit of ['101', '-1', '1.5', 'ten', '']) {
      expectError(await listSms({ limit }), 400, 'validation_failed');
    }
    for (const cursor of ['', 'MA', Buffer.from('12x').toString('base64url'), 'A'.repeat(41)]) {
      expectError(await listSms({ cursor }), 400, 'validation_failed');
    }
  });

  it('401 without the admin key, 403 with a wrong one', async () => {
    expectError(await listSms({}, {}), 401, 'unauthorized');
    expectError(await listSms({}, { authorization: `Bearer ${KEYS.lead}` }), 403, 'forbidden');
  });
});

describe('POST /sms/{id}/retry', () => {
  type SmsRow = { status: string; attempts: number; retried_at: Date | null; due: boolean };
  const smsRow = async (id: number) =>
    (
      await app.db.query<SmsRow>(
        'select status, attempts, retried_at, next_attempt_at <= now() as due from sms_messages where id = $1',
        [id],
      )
    )[0]!;

  it('202 the first time: every try back and sent at once; 200 retried:false after; sent exactly once', async () => {
    const f = await failedTeaser();
    const before = app.textmagic.sent.length;
    const first = await retry(f.smsId);
    expect(first.status, first.text).toBe(202);
    expect(Object.keys(first.json).sort()).toEqual(['retried', 'sms']);
    expect(first.json.retried).toBe(true);
    expect(Object.keys(first.json.sms).sort()).toEqual(ROW_KEYS);
    expect(first.json.sms).toMatchObject({
      id: f.smsId,
      status: 'sent',
      attempts: 1,
      needsAttention: false,
      retriedAt: expect.any(String),
    });
    expect(first.text).not.toContain(f.body);
    const sent = smsSentTo(app, f.provider.phone, before);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.text).toBe(f.body);
    expect(await smsRow(f.smsId)).toMatchObject({ status: 'sent', attempts: 1 });

    const again = await changesNothing(app, () => retry(f.smsId));
    expect(again.status, again.text).toBe(200);
    expect(again.json).toMatchObject({ retried: false, sms: { id: f.smsId, status: 'sent' } });
    expect(again.json.sms.retriedAt).toBe(first.json.sms.retriedAt);
    await dispatchDue(await getDb());
    expect(smsSentTo(app, f.provider.phone, before)).toHaveLength(1);
    expect(smsIds(await listSms({ status: 'failed', limit: '100' }))).not.toContain(f.smsId);
  });

  it('TextMagic down at the retry: queued for the dispatcher, which sends it once', async () => {
    const f = await failedTeaser();
    const before = app.textmagic.sent.length;
    app.textmagic.fail(1, 503);
    const first = await retry(f.smsId);
    expect(first.status, first.text).toBe(202);
    expect(first.json.sms).toMatchObject({ status: 'queued', attempts: 1, needsAttention: false });
    expect(smsSentTo(app, f.provider.phone, before)).toHaveLength(0);
    await app.db.query('update sms_messages set next_attempt_at = now() where id = $1', [f.smsId]);
    await dispatchDue(await getDb());
    expect(smsSentTo(app, f.provider.phone, before)).toHaveLength(1);
    expect(await smsRow(f.smsId)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('10 retries racing each other and the dispatcher: queued once, sent exactly once', async () => {
    const f = await failedTeaser();
    const before = app.textmagic.sent.length;
    const db = await getDb();
    const results = await Promise.all([
      ...Array.from({ length: 10 }, () => retry(f.smsId)),
      dispatchDue(db),
      dispatchDue(db),
    ]);
    const replies = results.slice(0, 10) as Reply[];
    expect(replies.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 202]);
    expect(replies.filter((r) => r.json.retried === true)).toHaveLength(1);
    await dispatchDue(db);
    await dispatchDue(db);
    expect(smsSentTo(app, f.provider.phone, before)).toHaveLength(1);
    expect((await smsRow(f.smsId)).status).toBe('sent');
  });

  it('retried once only: one that fails again stays failed, and a second retry changes nothing', async () => {
    const f = await failedTeaser();
    app.textmagic.fail(1, 400);
    expect((await retry(f.smsId)).status).toBe(202);
    expect(await smsRow(f.smsId)).toMatchObject({ status: 'failed', attempts: 1 });
    const res = await changesNothing(app, () => retry(f.smsId));
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ retried: false, sms: { status: 'failed', needsAttention: true } });
    expect(await smsRow(f.smsId)).toMatchObject({ status: 'failed' });
    expect(smsIds(await listSms({ status: 'failed', limit: '100' }))).toContain(f.smsId);
  });

  it('409 not_failed for an SMS that was sent, or is still queued; nothing changed', async () => {
    const zip = uniqueZip();
    await api.addProvider({ zipCodes: [zip] });
    const created = await api.postLead(lead({ zipCode: zip }));
    const [sent] = await app.db.query<{ id: number }>(`select id::int from sms_messages where lead_id = $1`, [
      created.json.id,
    ]);
    const res = await writesNothing(app, () => retry(sent!.id));
    expectError(res, 409, 'not_failed');
    expect((await smsRow(sent!.id)).status).toBe('sent');

    const zip2 = uniqueZip();
    await api.addProvider({ zipCodes: [zip2] });
    app.textmagic.fail(1, 503); // the teaser's send, after the opt-in confirmation's
    const queued = await api.postLead(lead({ zipCode: zip2 }));
    const [row] = await app.db.query<{ id: number }>(`select id::int from sms_messages where lead_id = $1`, [
      queued.json.id,
    ]);
    expect((await smsRow(row!.id)).status).toBe('queued');
    expectError(await retry(row!.id), 409, 'not_failed');
    expect(await smsRow(row!.id)).toMatchObject({ status: 'queued', attempts: 1, due: false });
  });

  it('404 for an unknown or malformed id', async () => {
    for (const id of ['999999999', '0', '-1', 'abc', '1e3', '12345678901234567890', ' 1']) {
      expectError(await writesNothing(app, () => retry(id)), 404, 'not_found');
    }
  });

  it('401 without the admin key, 403 with a wrong one; nothing changed', async () => {
    const f = await failedTeaser();
    expectError(await retry(f.smsId, {}), 401, 'unauthorized');
    expectError(await retry(f.smsId, { authorization: `Bearer ${KEYS.lead}` }), 403, 'forbidden');
    expect(await smsRow(f.smsId)).toMatchObject({ status: 'failed', retried_at: null });
  });
});

describe('GET /stripe/tasks', () => {
  it('pending: a follow-up Stripe keeps failing is listed, queued, with its error; once done it is not', async () => {
    // A lead sold once; the other buyer's open session must be expired at Stripe, which is down.
    const { lead: l, buyers } = await openSessions(app, 2, { maxUnlocks: 1 });
    app.stripe.fail(10, 503);
    const paid = await deliverEvent(app, app.stripe.completeSession(buyers[0]!.sessionId));
    expect(paid.status, paid.text).toBe(200);

    const res = await stripeTasks({ status: 'pending' });
    expect(res.status, res.text).toBe(200);
    expect(Object.keys(res.json)).toEqual(['tasks']);
    // (The buyer's first Checkout also queued reading the card it saved: a `save_card` follow-up.)
    const task = res.json.tasks.find(
      (t: { leadId: string; kind: string }) => t.leadId === l.id && t.kind === 'expire_session',
    );
    expect(Object.keys(task).sort()).toEqual(
      [
        'id',
        'kind',
        'leadId',
        'providerId',
        'status',
        'attempts',
        'lastError',
        'nextAttemptAt',
        'createdAt',
      ].sort(),
    );
    expect(task).toMatchObject({
      kind: 'expire_session',
      status: 'queued',
      attempts: 1,
      lastError: expect.stringContaining('Stripe'),
    });
    // Without a status, the pending ones too.
    expect((await stripeTasks()).json).toEqual(res.json);

    app.stripe.heal();
    await app.db.query(`update stripe_tasks set next_attempt_at = now() where id = $1`, [task.id]);
    await dispatchDue(await getDb());
    const after = await stripeTasks({ status: 'pending' });
    expect(after.json.tasks.map((t: { id: number }) => t.id)).not.toContain(task.id);
    expect(app.stripe.sessions.get(buyers[1]!.sessionId)!.status).toBe('expired');
  });

  it('400 for another status; 401 and 403 without the right key', async () => {
    const res = await stripeTasks({ status: 'done' });
    expectError(res, 400, 'validation_failed');
    expect(res.json.error.details).toEqual([{ field: 'status', message: 'must be pending' }]);
    expectError(await stripeTasks({}, {}), 401, 'unauthorized');
    expectError(await stripeTasks({}, { authorization: 'Bearer wrong' }), 403, 'forbidden');
  });
});
