/**
 * CSV exports (issue 25 §3): a range's leads, purchases and refunds as files an operator opens in a
 * spreadsheet, through the stats function's handler, a real Postgres and the Stripe and TextMagic fakes.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler as statsFn } from '../../functions/stats';
import { handler as returnsFn } from '../../functions/returns';
import { handler as leadActions } from '../../functions/lead-actions';
import { invoke } from '../../emulators/events';
import { distinctClient } from '../../emulators/lead-body';
import { resetConfig } from '../../lib/config';
import { KEYS, useApp } from '../support/app';
import { api, lead } from '../support/flow';
import { buyByLink, uniqueZip } from '../support/market';
import { writesNothing } from '../support/writes';

const app = useApp();
const admin = { authorization: `Bearer ${KEYS.admin}` };
const DAY = '2026-02-10';

const exportOf = (kind: string, query: Record<string, string> = { from: DAY, to: DAY }, headers = admin) =>
  invoke(statsFn, { method: 'GET', path: `/exports/${kind}`, pathParams: { kind }, query, headers });

/** RFC 4180 read back: records of fields (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (quoted && c === '"') quoted = false;
    else if (quoted) field += c;
    else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else field += c;
  }
  expect(field, 'the file ends with CRLF').toBe('');
  return records;
}
/** Each record as an object by the header line. */
const objects = (text: string) => {
  const [header, ...rest] = parseCsv(text);
  return rest.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i]])));
};

let sold: { leadId: string; code: string; providerId: string; sessionId: string; unlockId: string };
let hostile: { id: string; code: string };

beforeAll(async () => {
  const zip = uniqueZip();
  const p = await api.addProvider({ name: 'Acme, Plumbing', zipCodes: [zip], autoPay: false });
  // A client whose words a spreadsheet would run as formulas.
  const h = await api.postLead(
    lead({
      zipCode: zip,
      ...distinctClient(),
      name: '=HYPERLINK("http://evil.example","Jane")',
      description: '+1 call me, "now"\nsecond line',
      city: '@Austin',
    }),
  );
  hostile = { id: h.json.id, code: h.json.code };
  const s = await api.postLead(lead({ zipCode: zip, ...distinctClient() }));
  const sessionId = await buyByLink(app, p.phone, s.json.code);
  const [u] = await app.db.query<{ id: string }>('select id from unlocks where checkout_session_id = $1', [
    sessionId,
  ]);
  sold = { leadId: s.json.id, code: s.json.code, providerId: p.id, sessionId, unlockId: u!.id };
  // The sold lead returned and the return approved: the purchase refunded.
  const opened = await invoke(returnsFn, {
    method: 'POST',
    path: `/unlocks/${sold.unlockId}/return`,
    pathParams: { id: sold.unlockId },
    headers: { ...admin, 'content-type': 'application/json' },
    body: JSON.stringify({ reason: 'wrong_area' }),
  });
  expect(opened.status, opened.text).toBe(201);
  const approved = await invoke(returnsFn, {
    method: 'POST',
    path: `/returns/${opened.json.return.id}/approve`,
    pathParams: { id: opened.json.return.id },
    headers: { ...admin, 'content-type': 'application/json' },
    body: '{}',
  });
  expect(approved.status, approved.text).toBe(200);
  await invoke(leadActions, {
    method: 'POST',
    path: `/leads/${hostile.id}/close`,
    pathParams: { id: hostile.id },
    headers: admin,
  });
  // All of it on one day of its own.
  for (const id of [hostile.id, sold.leadId])
    await app.db.query(`update leads set created_at = $2::date + interval '9 hours' where id = $1`, [
      id,
      DAY,
    ]);
  await app.db.query(
    `update unlocks set created_at = $2::date + interval '10 hours', refunded_at = $2::date + interval '11 hours'
     where id = $1`,
    [sold.unlockId, DAY],
  );
}, 60_000);

afterEach(() => {
  vi.restoreAllMocks();
  resetConfig();
});

describe('GET /exports/{kind}', () => {
  it('leads: a CSV file of the range, its client data as written, formulas defused, status as the console shows it', async () => {
    const res = await exportOf('leads');
    expect(res.status, res.text).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="leads-${DAY}-to-${DAY}.csv"`);
    expect(res.headers['cache-control']).toBe('no-store');
    const rows = objects(res.text);
    expect(rows.map((r) => r.code).sort()).toEqual([hostile.code, sold.code].sort());
    const h = rows.find((r) => r.code === hostile.code)!;
    expect(h).toMatchObject({
      id: hostile.id,
      status: 'closed',
      name: `'=HYPERLINK("http://evil.example","Jane")`,
      description: `'+1 call me, "now"\nsecond line`,
      city: "'@Austin",
      offered_to: '1',
      created_at: `${DAY}T09:00:00.000Z`,
    });
    expect(h.closed_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    // Its only purchase refunded for a return: no revenue left, and sold no more.
    const returned = rows.find((r) => r.code === sold.code)!;
    expect(returned).toMatchObject({ revenue_cents: '0', unlock_count: '1' });
    expect(returned.status).not.toBe('open');
  });

  it('purchases and refunds: the sale and its refund for the return, with the provider named', async () => {
    const purchases = objects((await exportOf('purchases')).text);
    expect(purchases).toEqual([
      expect.objectContaining({
        id: sold.unlockId,
        lead_code: sold.code,
        provider_id: sold.providerId,
        provider_name: 'Acme, Plumbing',
        amount_cents: '1500',
        currency: 'usd',
        paid_with: 'checkout',
        checkout_session_id: sold.sessionId,
        paid_at: `${DAY}T10:00:00.000Z`,
        refunded_at: `${DAY}T11:00:00.000Z`,
      }),
    ]);
    const refunds = objects((await exportOf('refunds')).text);
    expect(refunds).toEqual([
      expect.objectContaining({ purchase_id: sold.unlockId, reason: 'return', amount_cents: '1500' }),
    ]);
    // Another range: the header line alone.
    const other = await exportOf('refunds', { from: '2026-02-11', to: '2026-02-12' });
    expect(parseCsv(other.text)).toHaveLength(1);
  });

  it('never logs the client data it sends', async () => {
    process.env.LOG_LEVEL = 'info';
    resetConfig();
    const lines: string[] = [];
    for (const m of ['log', 'error', 'warn', 'info'] as const)
      vi.spyOn(console, m).mockImplementation((t: unknown) => void lines.push(String(t)));
    expect((await exportOf('leads')).status).toBe(200);
    expect(lines.join('\n')).toContain('"rows":2');
    expect(lines.join('\n')).not.toMatch(/HYPERLINK|call me|Jane/);
  });

  it('past 10,000 rows: a 400 asking for a shorter range (nothing streams through API Gateway)', async () => {
    await app.db.query(
      `insert into leads (code, code_active, category, zip_code, price_cents, currency, max_unlocks, expires_at, created_at)
       select 'x' || n, false, 'plumbing', '00000', 1500, 'usd', 3, now(), '2025-06-01'::date + n * interval '1 second'
       from generate_series(1, 10001) n`,
    );
    const res = await exportOf('leads', { from: '2025-06-01', to: '2025-06-01' });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('export_too_large');
    expect(res.json.error.message).toMatch(/shorter range/);
  });

  it('refuses an unknown kind (404), a bad range (400), a missing or wrong key (401, 403), writing nothing', async () => {
    expect((await writesNothing(app, () => exportOf('providers'))).status).toBe(404);
    const bad = await writesNothing(app, () => exportOf('leads', { from: '2026-02-10', to: '2026-01-01' }));
    expect(bad.status).toBe(400);
    expect(bad.json.error.details).toEqual([expect.objectContaining({ field: 'to' })]);
    expect((await exportOf('leads', { from: DAY, to: DAY }, {} as typeof admin)).status).toBe(401);
    expect((await exportOf('leads', { from: DAY, to: DAY }, { authorization: 'Bearer nope' })).status).toBe(
      403,
    );
  });
});
