import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { phoneNumber, type TestApp } from './app';
import { api, lead } from './flow';

/**
 * Ten POSTs of one client at once (half with Idempotency-Keys of their own, half with none), six
 * providers and LEAD_MAX_OFFERS 2: one original, nine duplicates of it, each provider offered the
 * client's request once. Run directly (duplicate-leads) and behind PgBouncer in transaction mode
 * (duplicate-leads.pgbouncer), where the advisory lock must hold within one transaction.
 */
export function duplicateBurst(app: TestApp, uniqueZip: () => string): void {
  it('10 concurrent POSTs of one client: one original, nine duplicates of it, no provider offered twice', async () => {
    const zip = uniqueZip();
    const who = {
      name: 'Dana Duplicate',
      phone: phoneNumber(),
      email: `dana.${randomUUID().slice(0, 8)}@example.org`,
    };
    const providers = await Promise.all(
      Array.from({ length: 6 }, () => api.addProvider({ zipCodes: [zip] })),
    );
    const before = app.textmagic.sent.length;
    const replies = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        api.postLead(
          lead({ ...who, zipCode: zip, description: `Burst ${i}: the sink leaks.` }),
          i % 2 ? { 'Idempotency-Key': `burst-${zip}-${i}` } : {},
        ),
      ),
    );
    for (const r of replies) expect(r.status, r.text).toBe(201);
    const originals = replies.filter((r) => r.json.duplicateOf === null);
    expect(originals).toHaveLength(1);
    const original = originals[0]!.json.id as string;
    for (const r of replies) if (r.json.id !== original) expect(r.json.duplicateOf).toBe(original);

    const rows = await app.db.query<{ id: string; duplicate_of: string | null }>(
      'select id, duplicate_of from leads where zip_code = $1',
      [zip],
    );
    expect(rows).toHaveLength(10);
    expect(rows.filter((r) => r.duplicate_of === null).map((r) => r.id)).toEqual([original]);

    // Every provider offered the client's request once, in all: 2 + 2 + 2, then no one is left.
    const offers = await app.db.query<{ provider_id: string }>(
      'select o.provider_id from offers o join leads l on l.id = o.lead_id where l.zip_code = $1',
      [zip],
    );
    expect(offers.map((o) => o.provider_id).sort()).toEqual(providers.map((p) => p.id).sort());
    expect(replies.reduce((n, r) => n + (r.json.offeredTo as number), 0)).toBe(6);
    const phones = app.textmagic.sent.slice(before).flatMap((m) => m.phones);
    expect(phones.sort()).toEqual(providers.map((p) => p.phone.slice(1)).sort());
  });
}
