/**
 * The audit trail's guarantee under a database that goes away mid-request (docs/audit.md): no
 * change that took effect lacks its entry. A return's approval (a refund) is cut at each step:
 * the entry's own write, the change's statements, its COMMIT applied but unanswered, and the
 * entry's completion; after each, every approved return has an entry naming it, and an entry is
 * `done` only for a change that took effect. Through a cuttable proxy (tests/support/tcp-proxy.ts)
 * between the app and Postgres; the assertions read Postgres directly.
 */
import { describe, expect, it } from 'vitest';
import { handler as returnsFn } from '../../functions/returns';
import { invoke } from '../../emulators/events';
import { KEYS, useApp } from '../support/app';
import { useDatabaseProxy } from '../support/database-proxy';
import { purchase } from '../support/market';

const app = useApp();
const link = useDatabaseProxy(app);
const admin = { authorization: `Bearer ${KEYS.admin}`, 'content-type': 'application/json' };

const post = (path: string, id: string, body: unknown = {}) =>
  invoke(returnsFn, { method: 'POST', path, pathParams: { id }, headers: admin, body: JSON.stringify(body) });

/** An open return of a fresh purchase, opened from the console. */
async function openReturn(): Promise<string> {
  const { unlockId } = await purchase(app);
  const res = await post(`/unlocks/${unlockId}/return`, unlockId, { reason: 'wrong_area' });
  expect(res.status, res.text).toBe(201);
  return res.json.return.id as string;
}

const approve = (id: string) => post(`/returns/${id}/approve`, id);
const statusOf = async (id: string) =>
  (await app.db.query<{ status: string }>('select status from lead_returns where id = $1', [id]))[0]!.status;
const approvals = (id: string) =>
  app.db.query<{ outcome: string; amount_cents: number | null }>(
    `select outcome, amount_cents from audit_entries where action = 'return.approve' and object_id = $1`,
    [id],
  );

/** The guarantee over the whole file's database: every approved return has its entry; done only if approved. */
async function expectEveryRefundTraced() {
  const untraced = await app.db.query(
    `select r.id from lead_returns r where r.status = 'approved' and not r.auto and not exists (
       select from audit_entries a where a.action in ('return.approve', 'return.open') and a.object_id = r.id::text)`,
  );
  expect(untraced).toEqual([]);
  const doneButNot = await app.db.query(
    `select a.object_id from audit_entries a join lead_returns r on r.id::text = a.object_id
      where a.action = 'return.approve' and a.outcome = 'done' and r.status <> 'approved'`,
  );
  expect(doneButNot).toEqual([]);
}

describe('the database cut during an approval (a refund)', () => {
  it("cut as the entry is written: 503, no refund, no entry; the operator's retry is recorded once", async () => {
    const id = await openReturn();
    const cut = link.proxy.dropOn(/insert into "audit_entries"/);
    const res = await approve(id);
    await cut;
    expect(res.status, res.text).toBe(503);
    expect(await statusOf(id)).toBe('open');
    expect(await approvals(id)).toEqual([]);

    expect((await approve(id)).status).toBe(200);
    expect(await approvals(id)).toEqual([{ outcome: 'done', amount_cents: 1500 }]);
    await expectEveryRefundTraced();
  });

  it('cut inside the change, before it wrote: 503, no refund; the entry stays pending (it may have happened: it did not)', async () => {
    const id = await openReturn();
    const cut = link.proxy.dropOn(/update "lead_returns"/);
    const res = await approve(id);
    await cut;
    expect(res.status, res.text).toBe(503);
    expect(await statusOf(id)).toBe('open');
    expect(await approvals(id)).toEqual([{ outcome: 'pending', amount_cents: null }]);
    await expectEveryRefundTraced();
  });

  it('COMMIT applied but its answer lost: 503 to the caller, the refund took effect, and its entry is there (pending)', async () => {
    const id = await openReturn();
    const cut = link.proxy.dropOn(/\bcommit\b/i, { after: true });
    const res = await approve(id);
    await cut;
    expect(res.status, res.text).toBe(503);
    expect(await statusOf(id)).toBe('approved');
    expect(await approvals(id)).toEqual([{ outcome: 'pending', amount_cents: null }]);
    await expectEveryRefundTraced();
  });

  it('cut as the entry is completed: the refund stands and answers 200; the entry stays pending, naming the return', async () => {
    const id = await openReturn();
    const cut = link.proxy.dropOn(/update "audit_entries"/);
    const res = await approve(id);
    await cut;
    expect(res.status, res.text).toBe(200);
    expect(res.json.return).toMatchObject({ id, status: 'approved' });
    expect(await approvals(id)).toEqual([{ outcome: 'pending', amount_cents: null }]);
    await expectEveryRefundTraced();
  });
});
