/**
 * Input that is checked, and kept (issue 23 §3), through the HTTP handlers and the real database:
 * POST /leads refuses fields it does not know (`unknown_fields`) rather than dropping them; zip
 * codes are checked for DEFAULT_COUNTRY (US in the tests) on leads and providers' lists; a lead's
 * `source` is stored, shown on GET /leads/{id}, part of the Idempotency-Key's request, kept
 * through erasure less its landing page's query, and counted by GET /stats?groupBy=source.
 */
import { describe, expect, it } from 'vitest';
import { handler as privacyFn } from '../../functions/privacy';
import { handler as providersFn } from '../../functions/providers';
import { handler as statsRoute } from '../../functions/stats';
import { invoke, type Reply } from '../../emulators/events';
import { KEYS, phoneNumber, useApp } from '../support/app';
import { api, lead } from '../support/flow';
import { buyByLink, uniqueZip } from '../support/market';
import { writesNothing as writesNothingIn } from '../support/writes';

const app = useApp();
const admin = { authorization: `Bearer ${KEYS.admin}` };
const writesNothing = <T>(fn: () => Promise<T>) => writesNothingIn(app, fn);

type Detail = { field: string; message: string };
const details = (res: Reply): Detail[] => res.json?.error?.details ?? [];
const fieldsOf = (res: Reply): string[] => [...new Set(details(res).map((d) => d.field))].sort();

const addProviderRaw = (body: Record<string, unknown>) =>
  invoke(providersFn, {
    method: 'POST',
    path: '/providers',
    headers: { ...admin, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Pat', phone: phoneNumber(), categories: ['plumbing'], ...body }),
  });
const getStats = (query: Record<string, string>) =>
  invoke(statsRoute, { method: 'GET', path: '/stats', query, headers: admin });
const erase = (body: unknown) =>
  invoke(privacyFn, {
    method: 'POST',
    path: '/privacy/erasures',
    headers: { ...admin, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

const SOURCE = {
  utmSource: 'google',
  utmMedium: 'cpc',
  utmCampaign: 'spring-leaks',
  gclid: 'EAIaIQobChMI0',
  fbclid: 'IwAR2xyz',
  affiliate: 'acme-partners',
  landingPage: 'https://plumbers.example.com/leaks?email=jane.client%40example.com#form',
};

describe('POST /leads: unknown fields', () => {
  it('are a 400 unknown_fields naming each one, with the known fields, and write nothing', async () => {
    const res = await writesNothing(() =>
      api.postLead({ ...lead(), clientName: 'Jane', clientEmail: 'jane@example.com', utm_source: 'google' }),
    );
    expect(res.status, res.text).toBe(400);
    expect(res.json.error.code).toBe('unknown_fields');
    expect(fieldsOf(res)).toEqual(['clientEmail', 'clientName', 'utm_source']);
    for (const f of ['clientName', 'clientEmail', 'utm_source']) expect(res.json.error.message).toContain(f);
    // Each says what the request does know, so a guessed name can be put right.
    for (const d of details(res)) {
      expect(d.message).toMatch(/^is not a known field \(known: name, phone, email, category, zipCode/);
      expect(d.message).toContain('consent');
      expect(d.message).toContain('source');
    }
  });

  it('inside source too; alongside a bad field, both are named', async () => {
    const res = await writesNothing(() =>
      api.postLead(lead({ zipCode: 'ABC', source: { utmSource: 'google', utm_campaign: 'spring' } })),
    );
    expect(res.status, res.text).toBe(400);
    expect(res.json.error.code).toBe('unknown_fields');
    expect(fieldsOf(res)).toEqual(['source.utm_campaign', 'zipCode']);
    const unknown = details(res).find((d) => d.field === 'source.utm_campaign')!;
    expect(unknown.message).toContain('utmCampaign');
  });

  it('inside consent too: a misspelled key is named, not dropped with what it held', async () => {
    const res = await writesNothing(() =>
      api.postLead(
        lead({ consent: { text: 'I agree to be contacted.', pageURL: 'https://x.example/form' } }),
      ),
    );
    expect(res.status, res.text).toBe(400);
    expect(res.json.error.code).toBe('unknown_fields');
    expect(fieldsOf(res)).toEqual(['consent.pageURL']);
    expect(details(res)[0]!.message).toContain('pageUrl');
  });

  it('consent and source are known fields: a lead with both is created', async () => {
    const res = await api.postLead(
      lead({ zipCode: uniqueZip(), consent: { text: 'I agree to be contacted.' }, source: SOURCE }),
    );
    expect(res.status, res.text).toBe(201);
  });
});

describe('zip codes for DEFAULT_COUNTRY=US', () => {
  it('a lead: five digits, ZIP+4 cut to its five; anything else is a 400 naming the value', async () => {
    for (const bad of ['ABC', '787O1', '7870', '787011', '78701-12', '78701 1234', 'SW1A 1AA']) {
      const res = await writesNothing(() => api.postLead(lead({ zipCode: bad })));
      expect(res.status, bad).toBe(400);
      expect(res.json.error.code).toBe('validation_failed');
      expect(fieldsOf(res)).toEqual(['zipCode']);
      expect(details(res)[0]!.message).toContain(JSON.stringify(bad));
      expect(details(res)[0]!.message).toContain('five digits');
    }
    const zip = uniqueZip();
    const p = await api.addProvider({ zipCodes: [zip] });
    for (const written of [`${zip}-1234`, ` ${zip}9876 `]) {
      const res = await api.postLead(lead({ zipCode: written, phone: phoneNumber() }));
      expect(res.status, res.text).toBe(201);
      expect(res.json.offeredTo).toBe(1);
      const [row] = await app.db.query<{ zip_code: string; provider_id: string }>(
        'select l.zip_code, o.provider_id from leads l join offers o on o.lead_id = l.id where l.id = $1',
        [res.json.id],
      );
      expect(row).toEqual({ zip_code: zip, provider_id: p.id });
    }
  });

  it("a provider's list: each bad zip named by its place and value, on POST and PATCH; nothing written", async () => {
    const zip = uniqueZip();
    const created = await writesNothing(() =>
      addProviderRaw({ zipCodes: [zip, 'ABC', '787O1', '78701-1234'] }),
    );
    expect(created.status, created.text).toBe(400);
    expect(fieldsOf(created)).toEqual(['zipCodes.1', 'zipCodes.2']);
    expect(details(created).map((d) => d.message)).toEqual([
      expect.stringContaining('"ABC" is not a US ZIP code'),
      expect.stringContaining('"787O1" is not a US ZIP code'),
    ]);

    const p = await api.addProvider({ zipCodes: [zip, `${zip}-0001`, '78701-1234'] });
    expect((await api.getProvider(p.id)).json.provider.zipCodes).toEqual([zip, '78701']);
    const patched = await writesNothing(() => api.patchProvider(p.id, { zipCodes: ['12345', 'nowhere'] }));
    expect(patched.status).toBe(400);
    expect(fieldsOf(patched)).toEqual(['zipCodes.1']);
  });

  it('a provider stored with bad zips before the check is still shown and patched; its list stays', async () => {
    const p = await api.addProvider({ zipCodes: [uniqueZip()] });
    await app.db.query(`update providers set zip_codes = array['787O1', 'ABC'] where id = $1`, [p.id]);
    const shown = await api.getProvider(p.id);
    expect(shown.status, shown.text).toBe(200);
    expect(shown.json.provider.zipCodes).toEqual(['787O1', 'ABC']);
    const renamed = await api.patchProvider(p.id, { name: 'Pat Renamed' });
    expect(renamed.status, renamed.text).toBe(200);
    expect(renamed.json).toMatchObject({ name: 'Pat Renamed', zipCodes: ['787O1', 'ABC'] });
    const fixed = await api.patchProvider(p.id, { zipCodes: ['78701'] });
    expect(fixed.json.zipCodes).toEqual(['78701']);
  });
});

describe('POST /leads source', () => {
  it('is stored and shown on GET /leads/{id}; empty fields left out, a lead without one shows null', async () => {
    const res = await api.postLead(
      lead({ zipCode: uniqueZip(), source: { ...SOURCE, utmMedium: '  ', affiliate: null } }),
    );
    expect(res.status, res.text).toBe(201);
    const shown = await api.getLead(res.json.id);
    expect(shown.json.source).toEqual({ ...SOURCE, utmMedium: null, affiliate: null });
    const [row] = await app.db.query<{ source: unknown }>('select source from leads where id = $1', [
      res.json.id,
    ]);
    const { utmMedium: _m, affiliate: _a, ...kept } = SOURCE;
    expect(row!.source).toEqual(kept);

    const none = await api.postLead(lead({ zipCode: uniqueZip(), phone: phoneNumber(), source: {} }));
    expect((await api.getLead(none.json.id)).json.source).toBeNull();
  });

  it('refuses a bad source with 400 naming its fields, writing nothing', async () => {
    for (const [source, fields] of [
      ['google', ['source']],
      [{ utmSource: 42, landingPage: 'x'.repeat(2049) }, ['source.landingPage', 'source.utmSource']],
      [{ gclid: 'a\u0000b' }, ['source.gclid']],
    ] as const) {
      const res = await writesNothing(() => api.postLead(lead({ source })));
      expect(res.status, JSON.stringify(source)).toBe(400);
      expect(res.json.error.code).toBe('validation_failed');
      expect(fieldsOf(res)).toEqual(fields);
    }
  });

  it('is part of the Idempotency-Key request: the same key with another source is a 409', async () => {
    const key = `source-${Date.now()}`;
    const body = lead({ zipCode: uniqueZip(), phone: phoneNumber(), source: { utmSource: 'google' } });
    const first = await api.postLead(body, { 'idempotency-key': key });
    expect(first.status, first.text).toBe(201);
    const again = await api.postLead(body, { 'idempotency-key': key });
    expect(again.status).toBe(200);
    expect(again.json.id).toBe(first.json.id);
    const other = await writesNothing(() =>
      api.postLead({ ...body, source: { utmSource: 'facebook' } }, { 'idempotency-key': key }),
    );
    expect(other.status, other.text).toBe(409);
    expect(other.json.error.code).toBe('idempotency_key_reused');
  });

  it("stays through the client's erasure, its landing page without query or fragment", async () => {
    const res = await api.postLead(lead({ zipCode: uniqueZip(), phone: phoneNumber(), source: SOURCE }));
    const erased = await erase({ leadId: res.json.id });
    expect(erased.json).toEqual({ erasedLeads: 1 });
    const shown = await api.getLead(res.json.id);
    expect(shown.json.name).toBeNull();
    expect(shown.json.source).toEqual({ ...SOURCE, landingPage: 'https://plumbers.example.com/leaks' });
    expect(JSON.stringify(shown.json)).not.toContain('jane.client');
  });
});

describe('GET /stats?groupBy=source', () => {
  it('counts the funnel per utmSource as groupBy=category does, the leads without one under null', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const before = await getStats({ from: today, to: today, groupBy: 'source' });
    expect(before.status, before.text).toBe(200);
    const nullBefore = before.json.groups.find((g: { key: unknown }) => g.key === null)?.funnel.leads ?? 0;

    // Two sources of this run only, so other tests' leads do not count in them.
    const [sells, idle] = [`ads-${Date.now()}`, `news-${Date.now()}`];
    const zip = uniqueZip();
    const p = await api.addProvider({ zipCodes: [zip], autoPay: false });
    const sold = await api.postLead(
      lead({ zipCode: zip, phone: phoneNumber(), priceCents: 1500, source: { utmSource: sells } }),
    );
    expect(sold.json.offeredTo).toBe(1);
    await buyByLink(app, p.phone, sold.json.code);
    for (let i = 0; i < 2; i++) {
      const r = await api.postLead(
        lead({ zipCode: uniqueZip(), phone: phoneNumber(), source: { utmSource: idle } }),
      );
      expect(r.status).toBe(201);
    }
    const plain = await api.postLead(lead({ zipCode: uniqueZip(), phone: phoneNumber() }));
    expect(plain.status).toBe(201);

    const res = await getStats({ from: today, to: today, groupBy: 'source' });
    expect(res.status, res.text).toBe(200);
    expect(res.json.groupBy).toBe('source');
    const group = (key: string | null) => res.json.groups.find((g: { key: unknown }) => g.key === key);
    expect(group(sells).funnel).toMatchObject({
      leads: 1,
      teasersSent: 1,
      yesReplies: 1,
      paidUnlocks: 1,
      revenue: { usd: { grossCents: 1500, refundedCents: 0, netCents: 1500 } },
      conversion: { teaserToPaid: 1 },
    });
    expect(group(sells).funnel.medianTeaserToPaymentSeconds).toEqual(expect.any(Number));
    expect(group(idle).funnel).toMatchObject({
      leads: 2,
      paidUnlocks: 0,
      medianTeaserToPaymentSeconds: null,
    });
    expect(group(null).funnel.leads).toBe(nullBefore + 1);
    // The leads without a source come last; the groups add up to the total.
    expect(res.json.groups.at(-1).key).toBeNull();
    const sum = res.json.groups.reduce(
      (n: number, g: { funnel: { leads: number } }) => n + g.funnel.leads,
      0,
    );
    expect(sum).toBe(res.json.total.leads);
    // The same shape as groupBy=category's answer.
    const byCategory = await getStats({ from: today, to: today, groupBy: 'category' });
    expect(Object.keys(res.json).sort()).toEqual(Object.keys(byCategory.json).sort());
    expect(Object.keys(group(sells).funnel).sort()).toEqual(
      Object.keys(byCategory.json.groups[0].funnel).sort(),
    );
    expect(res.json.total).toEqual(byCategory.json.total);
  });
});
