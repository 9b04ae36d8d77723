/**
 * The audit trail (issue #25 §2, docs/audit.md): each admin change route records who made the
 * change, what (its action, route and object) and when, with the amount of a money action, and
 * never a client's or provider's data; a refused request leaves nothing, one that changed nothing
 * is marked so; `GET /audit` lists the entries newest first, filtered and paged. Through the
 * functions' handlers on a real Postgres. Every audited route's example, and every change the
 * fuzzer gets accepted, is checked too (tests/integration/hostile-input.test.ts); the database cut
 * mid-change: tests/integration/audit-faults.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { handler as auditFn } from '../../functions/stats';
import { handler as privacyFn } from '../../functions/privacy';
import { handler as returnsFn } from '../../functions/returns';
import { handler as smsAdminFn } from '../../functions/sms-admin';
import { invoke } from '../../emulators/events';
import { KEYS, useApp } from '../support/app';
import { api, lead } from '../support/flow';
import { intakeApi } from '../support/intake';
import { failedSms, purchase, uniqueZip } from '../support/market';
import { writesNothing } from '../support/writes';

const app = useApp();
const admin = { authorization: `Bearer ${KEYS.admin}`, 'content-type': 'application/json' };

type Handler = typeof returnsFn;
const post = (handler: Handler, path: string, params: Record<string, string> = {}, body: unknown = {}) =>
  invoke(handler, { method: 'POST', path, pathParams: params, headers: admin, body: JSON.stringify(body) });
const approve = (id: string) => post(returnsFn, `/returns/${id}/approve`, { id });
const openReturn = (unlockId: string) =>
  post(returnsFn, `/unlocks/${unlockId}/return`, { id: unlockId }, { reason: 'wrong_area' });
const erase = (body: unknown) => post(privacyFn, '/privacy/erasures', {}, body);
const audit = (query: Record<string, string> = {}, authorization = `Bearer ${KEYS.admin}`) =>
  invoke(auditFn, { method: 'GET', path: '/audit', query, headers: { authorization } });

type Row = {
  actor_type: string;
  actor_id: string;
  action: string;
  route: string;
  object_id: string | null;
  amount_cents: number | null;
  outcome: string;
};
/** The entries naming `objectId`, oldest first, as stored. */
const entriesOf = (objectId: string) =>
  app.db.query<Row>(
    `select actor_type, actor_id, action, route, object_id, amount_cents, outcome
       from audit_entries where object_id = $1 order by at, id`,
    [objectId],
  );
const entryCount = async () =>
  Number((await app.db.query<{ n: string }>('select count(*) as n from audit_entries'))[0]!.n);
const byKey = { actor_type: 'api_key', actor_id: 'admin' };

describe('a change through the admin API', () => {
  it('an approved return: who, the route, the return and the refunded amount, once; a second approval (409) adds nothing', async () => {
    const bought = await purchase(app);
    const opened = await openReturn(bought.unlockId);
    expect(opened.status, opened.text).toBe(201);
    const returnId = opened.json.return.id as string;

    const res = await approve(returnId);
    expect(res.status, res.text).toBe(200);
    expect(await entriesOf(returnId)).toEqual([
      {
        ...byKey,
        action: 'return.open',
        route: 'POST /unlocks/{id}/return',
        object_id: returnId,
        amount_cents: null,
        outcome: 'done',
      },
      {
        ...byKey,
        action: 'return.approve',
        route: 'POST /returns/{id}/approve',
        object_id: returnId,
        amount_cents: bought.amountCents,
        outcome: 'done',
      },
    ]);
    expect(bought.amountCents).toBe(1500);
    expect(app.stripe.refunds.filter((r) => r.amount === 1500).length).toBeGreaterThan(0);

    const again = await writesNothing(app, () => approve(returnId));
    expect(again.status).toBe(409);
    expect(await entriesOf(returnId)).toHaveLength(2);
  });

  it('an erasure by phone names no one: no phone, no e-mail in the entry; a repeat that finds nothing is marked unchanged', async () => {
    const zip = uniqueZip();
    await api.addProvider({ zipCodes: [zip] });
    const phone = `+1512555${String(Date.now()).slice(-4)}`;
    const created = await api.postLead(lead({ zipCode: zip, phone, email: 'audit.client@example.com' }));
    expect(created.status, created.text).toBe(201);
    const before = await entryCount();

    const first = await erase({ phone });
    expect(first.json).toEqual({ erasedLeads: 1 });
    const second = await erase({ phone });
    expect(second.json).toEqual({ erasedLeads: 0 });

    const rows = await app.db.query<Row & Record<string, unknown>>(
      `select * from audit_entries where action = 'client.erase' order by at desc, id desc limit 2`,
    );
    expect(await entryCount()).toBe(before + 2);
    expect(rows.map((r) => [r.outcome, r.object_id, r.route])).toEqual([
      ['unchanged', null, 'POST /privacy/erasures'],
      ['done', null, 'POST /privacy/erasures'],
    ]);
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(phone.slice(2));
    expect(stored).not.toContain('audit.client');

    // By lead: the entry names the lead (an id, not personal data).
    const other = await api.postLead(lead({ zipCode: zip }));
    expect((await erase({ leadId: other.json.id })).json).toEqual({ erasedLeads: 1 });
    expect(await entriesOf(other.json.id)).toEqual([
      {
        ...byKey,
        action: 'client.erase',
        route: 'POST /privacy/erasures',
        object_id: other.json.id,
        amount_cents: null,
        outcome: 'done',
      },
    ]);
  });

  it("a new provider and a change to it name the provider's id, never its name or phone", async () => {
    const p = await api.addProvider({ name: 'Audrey Auditable', zipCodes: [uniqueZip()] });
    expect((await api.patchProvider(p.id, { name: 'Audrey Renamed' })).status).toBe(200);
    const rows = await entriesOf(p.id);
    expect(rows.map((r) => [r.action, r.route, r.outcome])).toEqual([
      ['provider.create', 'POST /providers', 'done'],
      ['provider.update', 'PATCH /providers/{id}', 'done'],
    ]);
    const all = JSON.stringify(
      await app.db.query('select * from audit_entries where object_id = $1', [p.id]),
    );
    expect(all).not.toMatch(/Audrey|Renamed/);
    expect(all).not.toContain(p.phone.slice(2));
  });

  it('categories, an intake source (never its token) and a retried SMS (a second retry changes nothing)', async () => {
    const slug = `audit-${randomUUID().slice(0, 8)}`;
    expect((await api.categories('POST', { slug, name: `Audit ${slug}` })).status).toBe(201);
    expect((await api.categories('PATCH', { priceCents: 1900 }, slug)).status).toBe(200);
    expect((await entriesOf(slug)).map((r) => [r.action, r.outcome])).toEqual([
      ['category.create', 'done'],
      ['category.update', 'done'],
    ]);

    const put = await intakeApi.putSource('audit-site', {
      fields: { name: 'n', phone: 'p', zipCode: 'z' },
      defaults: { category: 'plumbing' },
    });
    expect(put.status, put.text).toBe(200);
    const [source] = await entriesOf('audit-site');
    expect(source).toMatchObject({ action: 'intake_source.set', route: 'PUT /intake/sources/{source}' });
    expect(JSON.stringify(await app.db.query('select * from audit_entries'))).not.toContain(put.json.token);

    const sms = { id: await failedSms(app) };
    const retry = () => post(smsAdminFn, `/sms/${sms.id}/retry`, { id: sms.id });
    expect((await retry()).status).toBe(202);
    expect((await retry()).status).toBe(200);
    expect((await entriesOf(sms.id)).map((r) => [r.action, r.outcome])).toEqual([
      ['sms.retry', 'done'],
      ['sms.retry', 'unchanged'],
    ]);
  });

  it('a refused change leaves no entry: bad input, an unknown id, no key, a wrong key', async () => {
    const unknown = randomUUID();
    for (const res of [
      await writesNothing(app, () => erase({ phone: 'not a phone' })),
      await writesNothing(app, () => approve(unknown)),
      await writesNothing(app, () => approve('not-a-uuid')),
      await writesNothing(app, () =>
        invoke(returnsFn, {
          method: 'POST',
          path: `/returns/${unknown}/approve`,
          pathParams: { id: unknown },
        }),
      ),
      await writesNothing(app, () =>
        invoke(returnsFn, {
          method: 'POST',
          path: `/returns/${unknown}/approve`,
          pathParams: { id: unknown },
          headers: { authorization: `Bearer ${KEYS.lead}` },
        }),
      ),
    ]) {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
  });
});

describe('GET /audit', () => {
  /** Entries of an operator (none can sign in yet: issue #25 §1), as the wrapper would write them. */
  async function operatorEntries(operatorId: string, n: number) {
    for (let i = 0; i < n; i++) {
      await app.db.query(
        `insert into audit_entries (at, actor_type, actor_id, action, route, object_id, outcome)
         values (now() - make_interval(secs => $2), 'operator', $1, 'provider.update', 'PATCH /providers/{id}', $3, 'done')`,
        [operatorId, 10 * (n - i), randomUUID()],
      );
    }
  }

  it('lists newest first, with the amount only on money actions; filters by actor, action and time; pages by cursor', async () => {
    const bought = await purchase(app);
    const returnId = (await openReturn(bought.unlockId)).json.return.id as string;
    const since = new Date(Date.now() - 5).toISOString();
    expect((await approve(returnId)).status).toBe(200);

    const all = await audit();
    expect(all.status, all.text).toBe(200);
    const ats = all.json.entries.map((e: { at: string }) => e.at);
    expect([...ats].sort().reverse()).toEqual(ats);
    const approval = all.json.entries.find(
      (e: { objectId: string; action: string }) => e.objectId === returnId && e.action === 'return.approve',
    );
    expect(approval).toEqual({
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
      actor: { type: 'api_key', id: 'admin' },
      action: 'return.approve',
      route: 'POST /returns/{id}/approve',
      objectId: returnId,
      amountCents: 1500,
      outcome: 'done',
    });
    const opening = all.json.entries.find(
      (e: { objectId: string; action: string }) => e.objectId === returnId && e.action === 'return.open',
    );
    expect(opening).not.toHaveProperty('amountCents');

    const approvals = await audit({ action: 'return.approve', from: since });
    expect(approvals.json.entries.map((e: { objectId: string }) => e.objectId)).toEqual([returnId]);
    const tooEarly = await audit({ action: 'return.approve', to: '2020-01-01' });
    expect(tooEarly.json).toEqual({ entries: [], nextCursor: null });

    // One operator's, a page of 2 at a time: each once, newest first, and nothing of others.
    const operator = randomUUID();
    await operatorEntries(operator, 5);
    await operatorEntries(randomUUID(), 2);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await audit({ actor: operator, limit: '2', ...(cursor ? { cursor } : {}) });
      expect(page.status, page.text).toBe(200);
      for (const e of page.json.entries) {
        expect(e.actor).toEqual({ type: 'operator', id: operator });
        seen.push(e.at);
      }
      cursor = page.json.nextCursor;
      pages++;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(pages).toBe(3);
    expect([...seen].sort().reverse()).toEqual(seen);

    const byKeyOnly = await audit({ actor: 'api_key', limit: '100' });
    expect(byKeyOnly.json.entries.every((e: { actor: { type: string } }) => e.actor.type === 'api_key')).toBe(
      true,
    );
  });

  it('a bad filter is a 400 naming it; no key 401, a wrong one 403', async () => {
    for (const [field, value] of [
      ['actor', 'someone@example.com'],
      ['action', 'DROP TABLE'],
      ['from', 'yesterday'],
      ['to', '2026-13-01'],
      ['cursor', 'nope'],
      ['limit', '1000'],
    ] as const) {
      const res = await audit({ [field]: value });
      expect(res.status, `${field}=${value}`).toBe(400);
      expect(res.json.error.code).toBe('validation_failed');
      expect(res.json.error.details.map((d: { field: string }) => d.field)).toEqual([field]);
    }
    const backwards = await audit({ from: '2026-02-02', to: '2026-02-01' });
    expect(backwards.status).toBe(400);
    expect(backwards.json.error.details.map((d: { field: string }) => d.field)).toEqual(['to']);
    expect((await audit({}, '')).status).toBe(401);
    expect((await audit({}, `Bearer ${KEYS.lead}`)).status).toBe(403);
  });
});
