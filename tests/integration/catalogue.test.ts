/**
 * The operator's catalogue (lib/catalogue/): the admin routes, and what it does to POST /leads
 * (the category resolved by slug or synonym, its price, cap and life; unknown and inactive ones
 * refused), to providers' categories, and to queued teasers. This file starts, as a fresh
 * install does, with an empty catalogue.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { getDb } from '../../lib/db/client';
import { dispatchDue } from '../../lib/messaging/dispatch';
import { invoke, type Reply } from '../../emulators/events';
import { handler as leadRoute } from '../../functions/lead';
import { KEYS, useApp } from '../support/app';
import { api, lead } from '../support/flow';
import { smsSentTo } from '../support/market';
import { zoneAt } from '../support/time-zones';
import { writesNothing as writesNothingIn } from '../support/writes';

const app = useApp({
  catalogue: false,
  env: { LEAD_PRICE_CENTS: '2200', LEAD_MAX_UNLOCKS: '4', TEASER_HOURS: '08:00-21:00' },
});
const writesNothing = <T>(fn: () => Promise<T>) => writesNothingIn(app, fn);

let zipSeq = 0;
const uniqueZip = () => `7${String(++zipSeq).padStart(4, '0')}`;
let phoneSeq = 0;
/** A client of their own, so that no lead is another's duplicate. */
const client = () => ({ phone: `+1512555${String(1000 + ++phoneSeq).slice(-4)}`, email: null });

const HVAC = {
  slug: 'hvac',
  name: 'HVAC',
  synonyms: ['heating & cooling', 'A/C repair'],
  priceCents: 2500,
  maxUnlocks: 2,
  ttlHours: 48,
};

function created(res: Reply) {
  expect(res.status, res.text).toBe(201);
  return res.json;
}
const errorOf = (res: Reply) => res.json?.error as { code: string; message: string; details?: unknown };
const leadRow = async (id: string) =>
  (
    await app.db.query<{ category: string; price_cents: number; max_unlocks: number; hours: number }>(
      `select category, price_cents, max_unlocks,
         round(extract(epoch from expires_at - created_at) / 3600)::int as hours
       from leads where id = $1`,
      [id],
    )
  )[0]!;

beforeEach(() => app.textmagic.reset());

describe('a fresh install', () => {
  it('starts with an empty catalogue, and takes no lead until it has one', async () => {
    const list = await api.categories('GET');
    expect(list.status).toBe(200);
    expect(list.json).toEqual({ categories: [] });
    const res = await writesNothing(() => api.postLead(lead({ category: 'plumbing', ...client() })));
    expect(res.status).toBe(400);
    expect(errorOf(res).code).toBe('unknown_category');
    expect(errorOf(res).message).toMatch(/no active category/);
  });
});

describe('the admin routes', () => {
  it('adds a category, with the configured defaults for what it leaves out, and lists it', async () => {
    expect(await created(await api.categories('POST', HVAC))).toMatchObject({ ...HVAC, active: true });
    const roofing = await created(await api.categories('POST', { slug: 'roofing', name: 'Roofing' }));
    expect(roofing).toMatchObject({
      synonyms: [],
      priceCents: 2200,
      maxUnlocks: 4,
      ttlHours: 72,
      active: true,
    });
    const list = await api.categories('GET');
    expect(list.json.categories.map((c: { slug: string }) => c.slug)).toEqual(['hvac', 'roofing']);
  });

  it('refuses a taken slug (409), a name that reads as another category’s (409, naming it), bad fields (400, each named)', async () => {
    const dup = await writesNothing(() => api.categories('POST', { slug: 'hvac', name: 'Again' }));
    expect(dup.status).toBe(409);
    expect(errorOf(dup).code).toBe('category_exists');

    const clash = await writesNothing(() =>
      api.categories('POST', {
        slug: 'climate',
        name: 'Climate',
        synonyms: ['Heating and cooling', 'HEATING & COOLING!'],
      }),
    );
    expect(clash.status).toBe(409);
    expect(errorOf(clash).code).toBe('category_name_taken');
    expect(errorOf(clash).message).toContain('hvac');
    // The slug of another folds alike too: "h-vac" reads as hvac.
    const slugClash = await writesNothing(() => api.categories('POST', { slug: 'h-vac', name: 'H-VAC' }));
    expect(slugClash.status).toBe(409);

    const bad = await writesNothing(() =>
      api.categories('POST', {
        slug: 'Pest Control',
        name: '',
        synonyms: ['&&'],
        priceCents: 10,
        ttlHours: 0,
      }),
    );
    expect(bad.status).toBe(400);
    expect(errorOf(bad).code).toBe('validation_failed');
    const fields = (errorOf(bad).details as { field: string }[]).map((d) => d.field.split('.')[0]);
    expect([...new Set(fields)].sort()).toEqual(['name', 'priceCents', 'slug', 'synonyms', 'ttlHours']);

    const missing = await writesNothing(() => api.categories('PATCH', { priceCents: 1800 }, 'no-such'));
    expect(missing.status).toBe(404);
    const notSlug = await writesNothing(() => api.categories('PATCH', { priceCents: 1800 }, 'Not A Slug'));
    expect(notSlug.status).toBe(404);
    const empty = await writesNothing(() => api.categories('PATCH', {}, 'hvac'));
    expect(empty.status).toBe(400);
    const taken = await writesNothing(() => api.categories('PATCH', { synonyms: ['Roofing'] }, 'hvac'));
    expect(taken.status).toBe(409);
    expect(errorOf(taken).message).toContain('roofing');
  });
});

describe('POST /leads and the catalogue', () => {
  it('resolves the category by slug or synonym whatever the case, spaces and punctuation, at its price, cap and life', async () => {
    const zip = uniqueZip();
    // Teased at any hour: the file's TEASER_HOURS would hold them at night, and this test runs at any time.
    const pro = await api.addProvider({ categories: ['hvac'], zipCodes: [zip], teaserHours: '00:00-24:00' });
    for (const typed of ['HVAC', 'heating & cooling', ' A/C   repair ', 'a-c-REPAIR!', 'Heating/Cooling']) {
      const res = await api.postLead(lead({ category: typed, zipCode: zip, ...client() }));
      const body = await created(res);
      expect(body).toMatchObject({ priceCents: 2500, maxUnlocks: 2, offeredTo: 1 });
      expect(await leadRow(body.id)).toEqual({
        category: 'hvac',
        price_cents: 2500,
        max_unlocks: 2,
        hours: 48,
      });
    }
    const teasers = smsSentTo(app, pro.phone).filter((m) => /Reply YES/.test(m.text));
    expect(teasers).toHaveLength(5);
    for (const t of teasers) expect(t.text).toMatch(/^New hvac lead, .* Price \$25\.00\. Reply YES \d+$/);

    // The request's own price and cap win; the life is the category's.
    const own = await created(
      await api.postLead(
        lead({ category: 'hvac', zipCode: zip, priceCents: 900, maxUnlocks: 1, ...client() }),
      ),
    );
    expect(await leadRow(own.id)).toEqual({ category: 'hvac', price_cents: 900, max_unlocks: 1, hours: 48 });
  });

  it('GET /leads?category= takes a synonym or another spelling too', async () => {
    const zip = uniqueZip();
    const made = await created(
      await api.postLead(lead({ category: 'A/C repair', zipCode: zip, ...client() })),
    );
    for (const category of ['hvac', 'Heating & Cooling', 'a/c REPAIR']) {
      const res = await invoke(leadRoute, {
        method: 'GET',
        path: '/leads',
        query: { category, zipCode: zip },
        headers: { authorization: `Bearer ${KEYS.admin}` },
      });
      expect(res.status, res.text).toBe(200);
      expect(res.json.leads.map((l: { id: string }) => l.id)).toEqual([made.id]);
    }
  });

  it('an unknown category is 400 unknown_category naming the active ones, and writes nothing', async () => {
    const res = await writesNothing(() => api.postLead(lead({ category: 'pest control', ...client() })));
    expect(res.status).toBe(400);
    expect(errorOf(res).code).toBe('unknown_category');
    expect(errorOf(res).message).toContain('hvac, roofing');
    expect(errorOf(res).details).toEqual([
      { field: 'category', message: expect.any(String), known: ['hvac', 'roofing'] },
    ]);
  });

  it('a change of price, or of synonyms, reaches the next lead at once', async () => {
    const zip = uniqueZip();
    await created(await api.postLead(lead({ category: 'roofing', zipCode: zip, ...client() })));
    expect(
      (await api.categories('PATCH', { priceCents: 3100, maxUnlocks: 3, ttlHours: 10 }, 'roofing')).status,
    ).toBe(200);
    const next = await created(await api.postLead(lead({ category: 'Roofing', zipCode: zip, ...client() })));
    expect(await leadRow(next.id)).toEqual({
      category: 'roofing',
      price_cents: 3100,
      max_unlocks: 3,
      hours: 10,
    });

    // A synonym taken away no longer resolves; given to another category, it resolves there.
    expect((await api.categories('PATCH', { synonyms: ['heating & cooling'] }, 'hvac')).status).toBe(200);
    const gone = await writesNothing(() =>
      api.postLead(lead({ category: 'A/C repair', zipCode: zip, ...client() })),
    );
    expect(errorOf(gone).code).toBe('unknown_category');
    expect((await api.categories('PATCH', { synonyms: ['a/c repair'] }, 'roofing')).status).toBe(200);
    const moved = await created(
      await api.postLead(lead({ category: 'A/C Repair', zipCode: zip, ...client() })),
    );
    expect((await leadRow(moved.id)).category).toBe('roofing');
  });

  it('an inactive category: 400 inactive_category, nothing written, until it is active again; a retry of an earlier lead still answers', async () => {
    const zip = uniqueZip();
    const key = `cat-${Date.now()}`;
    const body = lead({ category: 'hvac', zipCode: zip, ...client() });
    const first = await created(await api.postLead(body, { 'idempotency-key': key }));
    const off = await api.categories('PATCH', { active: false }, 'hvac');
    expect(off.json).toMatchObject({ slug: 'hvac', active: false });
    const res = await writesNothing(() =>
      api.postLead(lead({ category: 'HVAC', zipCode: zip, ...client() })),
    );
    expect(res.status).toBe(400);
    expect(errorOf(res).code).toBe('inactive_category');
    // Known slugs named to a client are the active ones.
    const unknown = await api.postLead(lead({ category: 'gardening', ...client() }));
    expect((errorOf(unknown).details as [{ known: string[] }])[0].known).toEqual(['roofing']);
    // The same request again with its key: the lead it made, not a refusal.
    const retry = await api.postLead(body, { 'idempotency-key': key });
    expect(retry.status).toBe(200);
    expect(retry.json.id).toBe(first.id);

    expect((await api.categories('PATCH', { active: true }, 'hvac')).status).toBe(200);
    await created(await api.postLead(lead({ category: 'HVAC', zipCode: zip, ...client() })));
  });

  it('deactivating a category drops its teasers queued for quiet hours', async () => {
    const zip = uniqueZip();
    const sleeper = await api.addProvider({
      categories: ['hvac'],
      zipCodes: [zip],
      timeZone: zoneAt(2).zone,
    });
    const res = await created(await api.postLead(lead({ category: 'hvac', zipCode: zip, ...client() })));
    expect(res.offeredTo).toBe(1);
    const [queued] = await app.db.query<{ id: string }>(
      `select id from sms_messages where lead_id = $1 and kind = 'teaser' and status = 'queued'`,
      [res.id],
    );
    expect(queued).toBeDefined();
    expect((await api.categories('PATCH', { active: false }, 'hvac')).status).toBe(200);
    // Morning comes for it.
    await app.db.query(`update sms_messages set next_attempt_at = now() where id = $1`, [queued!.id]);
    await dispatchDue(await getDb());
    expect(smsSentTo(app, sleeper.phone).filter((m) => /Reply YES/.test(m.text))).toHaveLength(0);
    const [row] = await app.db.query<{ status: string }>(`select status from sms_messages where id = $1`, [
      queued!.id,
    ]);
    expect(row!.status).toBe('cancelled');
    expect((await api.categories('PATCH', { active: true }, 'hvac')).status).toBe(200);
  });
});

describe("a provider's categories", () => {
  it('must be known ones: 400 naming the unknown, nothing written; synonyms stored as slugs', async () => {
    const res = await writesNothing(() =>
      api
        .categories('GET')
        .then(() =>
          api
            .addProvider({ categories: ['Heating & Cooling', 'plumbng', 'roofs'] })
            .catch((e: Error) => e.message),
        ),
    );
    expect(res).toMatch(/^addProvider: 400 /);
    expect(res).toContain('unknown_category');
    expect(res).toContain('plumbng, roofs');

    const pro = await api.addProvider({ categories: ['Heating & Cooling', 'HVAC', 'roofing'] });
    const got = await api.getProvider(pro.id);
    expect(got.json.provider.categories).toEqual(['hvac', 'roofing']);

    const patch = await writesNothing(() => api.patchProvider(pro.id, { categories: ['hvac', 'gutters'] }));
    expect(patch.status).toBe(400);
    expect(errorOf(patch).code).toBe('unknown_category');
    expect(errorOf(patch).details).toEqual([
      expect.objectContaining({ field: 'categories', unknown: ['gutters'] }),
    ]);
    const ok = await api.patchProvider(pro.id, { categories: ['heating & cooling'] });
    expect(ok.status).toBe(200);
    expect(ok.json.categories).toEqual(['hvac']);
  });
});
