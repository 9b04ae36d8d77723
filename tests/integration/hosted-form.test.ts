/**
 * The hosted inquiry form (issue 23 §5), over the intake function's handler with a real Postgres
 * and the TextMagic stand-in: the page (services from the catalogue, prefill, Spanish, consent,
 * CSP), a submission through POST /leads' path (matching, teaser, consent stored), each field's
 * error beside it, and the abuse checks (honeypot, fill time, stamp, rate limits, body limit):
 * each refused submission writes nothing but its count, which GET /intake/sources shows.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { resetConfig } from '../../lib/config';
import { MAX_PER_IP_PER_HOUR, MAX_PER_PHONE_PER_HOUR } from '../../lib/intake/form-guard';
import { FORM_MAX_BODY_BYTES } from '../../lib/intake/hosted-form';
import { phoneNumber, PUBLIC_BASE_URL, useApp } from '../support/app';
import { api } from '../support/flow';
import { addServices, intakeApi, stamp } from '../support/intake';
import { rowCounts } from '../support/writes';

const app = useApp();
// Services of this file's own (beside the tests' catalogue, where one is added).
beforeAll(() =>
  addServices(app, [
    ['plumbing', 'Plumbing', ['plumber']],
    ['gutters', 'Gutters & downspouts', ['eavestrough cleaning']],
    ['chimneys', 'Chimney sweeping', [], false],
  ]),
);
let zipSeq = 0;
const zip = () => String(60_000 + ++zipSeq);

const client = (overrides: Record<string, string> = {}) => ({
  name: 'Ruth Formfiller',
  phone: phoneNumber(),
  email: 'ruth.formfiller@example.com',
  category: 'plumbing',
  zipCode: zip(),
  description: 'The water heater is leaking in the garage.',
  stamp: stamp(),
  website: '',
  ...overrides,
});

/** The form-blocked counts, as the operator reads them. */
const blocked = async () => (await intakeApi.listSources()).json.formBlocked;

/** What a refused submission may change: only form_blocks and form_rate_limits. */
async function refusedWritesNothing(run: () => Promise<unknown>) {
  const before = await rowCounts(app);
  const sent = app.textmagic.sent.length;
  await run();
  expect(await rowCounts(app)).toEqual(before);
  expect(app.textmagic.sent.length).toBe(sent);
}

const setEnv = (env: Record<string, string | undefined>) => {
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  resetConfig();
};

describe('GET /request', () => {
  it("offers the catalogue's active services, prefilled from the query, with the consent wording and a strict CSP", async () => {
    const res = await intakeApi.getForm({ category: 'Eavestrough Cleaning', zip: '78701' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    const html = res.text;
    for (const name of ['name', 'phone', 'email', 'category', 'zipCode', 'description'])
      expect(html).toContain(`name="${name}"`);
    expect(html).toContain('<option value="gutters" selected>Gutters &#38; downspouts</option>');
    expect(html).toContain('<option value="plumbing">Plumbing</option>');
    expect(html).not.toContain('chimneys');
    expect(html.match(/ selected>/g)).toHaveLength(1);
    expect(html).toMatch(/id="f-zipCode"[^>]*value="78701"/);
    // The consent wording beside the button, naming the brand, and the button described by it.
    expect(html).toMatch(
      /<p class="consent" id="consent">By pressing Send request, I agree that Lead Unlock /,
    );
    expect(html).toContain('<button type="submit" aria-describedby="consent">');
    // No script at all; styles by hash only; framed nowhere by default.
    expect(html).not.toMatch(/<script|\sstyle=|\son[a-z]+=/i);
    const csp = res.headers['content-security-policy']!;
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers['x-frame-options']).toBe('DENY');
  });

  it('speaks Spanish with ?lang=es, and keeps the query in its action', async () => {
    const res = await intakeApi.getForm({ lang: 'es', category: 'plumber', utm_source: 'flyer' });
    expect(res.text).toContain('<html lang="es">');
    expect(res.text).toContain('Solicite un servicio');
    expect(res.text).toContain('Al pulsar Enviar solicitud, acepto que Lead Unlock');
    expect(res.text).toContain('action="request?category=plumber&#38;utm_source=flyer&#38;lang=es"');
    expect(res.text).toContain('<option value="plumbing" selected>');
    expect(res.text).toMatch(
      /<a href="request\?category=plumber&#38;utm_source=flyer" hreflang="en" lang="en">English<\/a>/,
    );
  });

  it('CONSENT_TEXT and FORM_FRAME_ANCESTORS come from the configuration', async () => {
    setEnv({
      CONSENT_TEXT: 'I agree that Acme Leads and its partners may call or text me.',
      FORM_FRAME_ANCESTORS: 'https://www.example.com https://*.example.org',
    });
    try {
      const res = await intakeApi.getForm();
      expect(res.text).toContain(
        '<p class="consent" id="consent">I agree that Acme Leads and its partners may call or text me.</p>',
      );
      expect(res.headers['content-security-policy']).toContain(
        'frame-ancestors https://www.example.com https://*.example.org',
      );
      expect(res.headers['x-frame-options']).toBeUndefined();
    } finally {
      setEnv({ CONSENT_TEXT: undefined, FORM_FRAME_ANCESTORS: undefined });
    }
  });

  it('answers 503 when FORM_SECRET is not configured', async () => {
    setEnv({ FORM_SECRET: undefined });
    try {
      const res = await intakeApi.getForm();
      expect(res.status).toBe(503);
      expect(res.text).toContain('We could not take your request just now');
    } finally {
      setEnv({ FORM_SECRET: 'test-form-secret' });
    }
  });
});

describe('POST /request', () => {
  it("creates the lead through POST /leads' path: matched, teased, consent stored; the thank-you page shows nothing of it", async () => {
    const z = zip();
    const p = await api.addProvider({ zipCodes: [z] });
    const sent = app.textmagic.sent.length;
    const fields = client({ zipCode: z });
    const res = await intakeApi.postForm(fields, {
      query: { category: 'plumbing', utm_source: 'flyer' },
      ip: '203.0.113.77',
      userAgent: 'Mozilla/5.0 (iPhone) FormTest/2.0',
    });
    expect(res.status, res.text).toBe(200);
    expect(res.text).toContain('Thank you!');
    const [lead] = await app.db.query<{
      id: string;
      code: string;
      name: string;
      phone: string;
      category: string;
    }>('select id, code, name, phone, category from leads where zip_code = $1', [z]);
    expect(lead).toMatchObject({ name: 'Ruth Formfiller', phone: fields.phone, category: 'plumbing' });
    expect(res.text).not.toContain(lead!.id);
    expect(res.text).not.toContain(lead!.code);
    expect(res.text).not.toMatch(/offeredTo|Ruth|Formfiller/);
    // The same matching and teaser as POST /leads.
    const teaser = app.textmagic.sent.slice(sent).find((m) => m.phones.includes(p.phone.slice(1)));
    expect(teaser?.text).toContain(`YES ${lead!.code}`);
    // The consent: the wording shown, the client's address, browser and the page.
    const view = await api.getLead(lead!.id);
    expect(view.json.consent).toMatchObject({
      text: expect.stringMatching(/^By pressing Send request, I agree that Lead Unlock /),
      ip: '203.0.113.77',
      userAgent: 'Mozilla/5.0 (iPhone) FormTest/2.0',
      pageUrl: `${PUBLIC_BASE_URL}/request?category=plumbing&utm_source=flyer`,
    });
    // Where the client came from, as the page's URL said (GET /stats?groupBy=source counts it).
    expect(view.json.source).toMatchObject({ utmSource: 'flyer', utmMedium: null, gclid: null });
  });

  it("keeps the page's campaign parameters as the lead's source, and leaves out one it cannot store", async () => {
    const z = zip();
    const res = await intakeApi.postForm(client({ zipCode: z }), {
      query: { utm_source: 'newsletter', utm_campaign: 'spring', gclid: 'x'.repeat(501), ref: 'ignored' },
    });
    expect(res.status, res.text).toBe(200);
    const [lead] = await app.db.query<{ id: string }>('select id from leads where zip_code = $1', [z]);
    const view = await api.getLead(lead!.id);
    expect(view.json.source).toMatchObject({ utmSource: 'newsletter', utmCampaign: 'spring' });
    expect(view.json.source.gclid).toBeNull();
  });

  it('the same page sent twice (a double press, a reload) is one lead; the same page with other details is refused', async () => {
    const fields = client();
    expect((await intakeApi.postForm(fields)).status).toBe(200);
    expect((await intakeApi.postForm(fields)).status).toBe(200);
    const [row] = await app.db.query<{ n: number }>(
      'select count(*)::int as n from leads where zip_code = $1',
      [fields.zipCode],
    );
    expect(row!.n).toBe(1);
    let again;
    await refusedWritesNothing(async () => {
      again = await intakeApi.postForm({ ...fields, description: 'Something else entirely.' });
    });
    expect(again!.status).toBe(409);
    expect(again!.text).toContain('This form was already sent');
    // With a fresh stamp, the form it answers with.
    const fresh = /name="stamp" value="([^"]+)"/.exec(again!.text)![1]!;
    expect(fresh).not.toBe(fields.stamp);
  });

  it("puts each field's error beside it, focuses the first, keeps what was typed, and writes nothing", async () => {
    let res;
    await refusedWritesNothing(async () => {
      res = await intakeApi.postForm(
        client({ name: '', phone: '555', email: 'not-an-email', description: 'Fix <b>it</b>' }),
      );
    });
    expect(res!.status).toBe(400);
    const html = res!.text;
    expect(html).toContain('Some fields need your attention');
    expect(html).toMatch(
      /<input id="f-name" name="name" required aria-required="true" aria-invalid="true" aria-describedby="f-name-error" autofocus/,
    );
    expect(html).toContain('<p class="error" id="f-name-error">Please fill this in.</p>');
    expect(html).toMatch(
      /id="f-phone"[^>]*aria-invalid="true" aria-describedby="f-phone-error"[^>]*value="555"/,
    );
    expect(html).toContain('<p class="error" id="f-phone-error">Please enter a valid phone number');
    expect(html).toContain('<p class="error" id="f-email-error">Please enter a valid e-mail address');
    // Only the first error takes the focus; what was typed comes back escaped.
    expect(html.match(/autofocus/g)).toHaveLength(1);
    expect(html).toContain('Fix &#60;b&#62;it&#60;/b&#62;</textarea>');
    expect(html).not.toContain('f-zipCode-error');
  });

  it('in Spanish, the errors are Spanish', async () => {
    const res = await intakeApi.postForm(client({ zipCode: '' }), { query: { lang: 'es' } });
    expect(res.status).toBe(400);
    expect(res.text).toContain('<p class="error" id="f-zipCode-error">Complete este campo, por favor.</p>');
  });
});

describe('POST /request: abuse refused, counted, nothing else written', () => {
  it('a filled honeypot gets the thank-you page and makes no lead', async () => {
    const before = (await blocked()).byReason.honeypot ?? 0;
    let res;
    await refusedWritesNothing(async () => {
      res = await intakeApi.postForm(client({ website: 'http://spam.example' }));
    });
    expect(res!.status).toBe(200);
    expect(res!.text).toContain('Thank you!');
    expect((await blocked()).byReason.honeypot).toBe(before + 1);
  });

  it('a form sent within the minimum fill time is sent back with its stamp; pressed again later, it goes', async () => {
    const young = stamp(0);
    const fields = client({ stamp: young });
    let res;
    await refusedWritesNothing(async () => {
      res = await intakeApi.postForm(fields);
    });
    expect(res!.status).toBe(400);
    expect(res!.text).toContain('That was quick!');
    expect(res!.text).toContain(`name="stamp" value="${young}"`);
    expect((await blocked()).byReason.too_fast).toBeGreaterThanOrEqual(1);
    await new Promise((r) => setTimeout(r, 2_100));
    expect((await intakeApi.postForm(fields)).status).toBe(200);
  });

  it('a forged, missing or day-old stamp is refused with a fresh one', async () => {
    const counts = await blocked();
    const forged = stamp().replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    for (const s of [forged, '', stamp(25 * 60 * 60_000)]) {
      let res;
      await refusedWritesNothing(async () => {
        res = await intakeApi.postForm(client({ stamp: s }));
      });
      expect(res!.status).toBe(400);
      expect(res!.text).toContain('This form was open too long');
    }
    const after = await blocked();
    expect(after.byReason.bad_stamp).toBe((counts.byReason.bad_stamp ?? 0) + 2);
    expect(after.byReason.stale_stamp).toBe((counts.byReason.stale_stamp ?? 0) + 1);
  });

  it(`over ${MAX_PER_IP_PER_HOUR} submissions an hour from one address are refused`, async () => {
    const ip = '192.0.2.44';
    for (let i = 0; i < MAX_PER_IP_PER_HOUR; i++) {
      expect((await intakeApi.postForm(client(), { ip })).status).toBe(200);
    }
    let res;
    await refusedWritesNothing(async () => {
      res = await intakeApi.postForm(client(), { ip });
    });
    expect(res!.status).toBe(429);
    expect(res!.text).toContain('Please try again in an hour');
    expect((await blocked()).byReason.ip_rate).toBeGreaterThanOrEqual(1);
    // Another address is not held back.
    expect((await intakeApi.postForm(client(), { ip: '192.0.2.45' })).status).toBe(200);
    // An hour later, the address may send again.
    await app.db.query(
      `update form_rate_limits set window_started_at = window_started_at - interval '61 minutes'`,
    );
    expect((await intakeApi.postForm(client(), { ip })).status).toBe(200);
    // And the windows that ran out are gone: only this submission's address and phone are kept.
    const [left] = await app.db.query<{ n: number }>('select count(*)::int as n from form_rate_limits');
    expect(left!.n).toBe(2);
  });

  it(`over ${MAX_PER_PHONE_PER_HOUR} submissions an hour for one phone are refused, from any address`, async () => {
    const phone = phoneNumber();
    for (let i = 0; i < MAX_PER_PHONE_PER_HOUR; i++) {
      expect((await intakeApi.postForm(client({ phone }), { ip: `198.18.0.${i + 1}` })).status).toBe(200);
    }
    let res;
    await refusedWritesNothing(async () => {
      res = await intakeApi.postForm(client({ phone }), { ip: '198.18.0.99' });
    });
    expect(res!.status).toBe(429);
    expect((await blocked()).byReason.phone_rate).toBeGreaterThanOrEqual(1);
  });

  it(`a body over ${FORM_MAX_BODY_BYTES / 1024} KiB is refused`, async () => {
    let res;
    await refusedWritesNothing(async () => {
      res = await intakeApi.postForm(client({ description: 'x'.repeat(FORM_MAX_BODY_BYTES) }));
    });
    expect(res!.status).toBe(413);
    expect((await blocked()).byReason.too_large).toBeGreaterThanOrEqual(1);
    expect((await blocked()).total).toBeGreaterThanOrEqual(5);
  });
});
