/**
 * Posts from form tools (issue 23 §6), over the intake function's handler with a real Postgres:
 * a source's mapping set by PUT /intake/sources/{source} (admin), its token (hashed, constant-time
 * compared, a new one per PUT), and each tool's documented payload shape, JSON and form-encoded,
 * as API Gateway HTTP APIs pass them (base64) and as REST APIs do, into POST /leads' path.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KEYS, phoneNumber, useApp } from '../support/app';
import { api } from '../support/flow';
import { intakeApi } from '../support/intake';
import { rowCounts } from '../support/writes';

const app = useApp();
let zipSeq = 0;
const zip = () => String(70_000 + ++zipSeq);
const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

/** Sets a source's mapping; its token. */
async function mapSource(source: string, body: unknown): Promise<string> {
  const res = await intakeApi.putSource(source, body);
  expect(res.status, res.text).toBe(200);
  expect(res.json.url).toBe(`https://leads.example.test/intake/${source}?token=${res.json.token}`);
  return res.json.token as string;
}

/** The lead a post made, as stored. */
async function leadIn(zipCode: string) {
  const rows = await app.db.query<Record<string, string | null>>(
    'select id, name, phone, email, category, zip_code, description from leads where zip_code = $1',
    [zipCode],
  );
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

async function writesNothing<T>(run: () => Promise<T>): Promise<T> {
  const before = await rowCounts(app);
  const sent = app.textmagic.sent.length;
  const result = await run();
  expect(await rowCounts(app)).toEqual(before);
  expect(app.textmagic.sent.length).toBe(sent);
  return result;
}

describe('PUT /intake/sources/{source}', () => {
  it('is for the admin only, checks the mapping, stores only a hash of the token, and issues a new one each time', async () => {
    const mapping = {
      fields: { name: 'name', phone: 'phone', zipCode: 'zip' },
      defaults: { category: 'plumbing' },
    };
    expect((await intakeApi.putSource('site', mapping, '')).status).toBe(401);
    expect((await intakeApi.putSource('site', mapping, `Bearer ${KEYS.lead}`)).status).toBe(403);
    // Every field the lead needs, and nothing else.
    const bad = await intakeApi.putSource('site', { fields: { name: 'name', zip: 'zip' } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.details.map((d: { field: string }) => d.field).sort()).toEqual(
      ['fields.phone', 'fields.zip', 'fields.zipCode'].sort(),
    );
    const noCategory = await intakeApi.putSource('site', { fields: mapping.fields });
    expect(noCategory.json.error.details).toEqual([
      { field: 'fields.category', message: 'map a field to category, or give defaults.category' },
    ]);
    expect((await intakeApi.putSource('Not A Source', mapping)).json.error.code).toBe('invalid_source');

    const first = await mapSource('site', mapping);
    const [row] = await app.db.query<{ token_hash: string }>(
      "select token_hash from intake_sources where source = 'site'",
    );
    expect(row!.token_hash).toBe(createHash('sha256').update(first).digest('hex'));
    expect(JSON.stringify(await app.db.query('select * from intake_sources'))).not.toContain(first);

    const second = await mapSource('site', mapping);
    expect(second).not.toBe(first);
    const body = new URLSearchParams({ name: 'Al', phone: phoneNumber(), zip: zip() }).toString();
    expect((await intakeApi.post('site', first, body, FORM)).status).toBe(401);
    expect((await intakeApi.post('site', second, body, FORM)).status).toBe(201);

    // The list shows the mapping, never a token.
    const list = await intakeApi.listSources();
    expect(list.json.sources).toContainEqual(
      expect.objectContaining({ source: 'site', fields: mapping.fields, defaults: mapping.defaults }),
    );
    expect(list.text).not.toContain(second);
  });
});

describe('POST /intake/{source}', () => {
  it('an unknown source, a wrong token and no token are answered alike, and write nothing', async () => {
    const token = await mapSource('alike', {
      fields: { name: 'name', phone: 'phone', zipCode: 'zip' },
      defaults: { category: 'plumbing' },
    });
    const body = new URLSearchParams({ name: 'Al', phone: phoneNumber(), zip: zip() }).toString();
    const answers = await writesNothing(() =>
      Promise.all([
        intakeApi.post('nobody', token, body, FORM),
        intakeApi.post('alike', `${token.slice(0, -1)}x`, body, FORM),
        intakeApi.post('alike', undefined, body, FORM),
        intakeApi.post('alike', '', body, FORM),
      ]),
    );
    for (const res of answers) {
      expect(res.status).toBe(401);
      expect(res.json.error).toEqual({
        code: 'invalid_intake_token',
        message: 'Unknown intake source, or a missing or wrong token',
      });
    }
  });

  it('a post without a mapped field, or with an invalid value, is 400 naming each, and writes nothing', async () => {
    const token = await mapSource('strict', {
      fields: { name: ['first', 'last'], phone: 'tel', email: 'mail', category: 'service', zipCode: 'zip' },
    });
    const res = await writesNothing(() =>
      intakeApi.post(
        'strict',
        token,
        JSON.stringify({ first: 'Al', mail: 'not-mail', service: 'plumbing', zip: zip() }),
        JSON_TYPE,
      ),
    );
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('validation_failed');
    expect(res.json.error.message).toBe('Unmapped or invalid fields: tel, mail');
    expect(res.json.error.details).toEqual([
      { field: 'phone', posted: 'tel', message: 'is mapped to "tel", which this post does not have' },
      { field: 'email', posted: 'mail', message: 'is not a valid e-mail address' },
    ]);
  });

  it('the same post again (a form tool retrying) is the same lead, sent once', async () => {
    const z = zip();
    await api.addProvider({ zipCodes: [z] });
    const token = await mapSource('retry', {
      fields: { name: 'name', phone: 'phone', zipCode: 'zip' },
      defaults: { category: 'plumbing' },
    });
    const body = new URLSearchParams({ name: 'Al Retry', phone: phoneNumber(), zip: z }).toString();
    const first = await intakeApi.post('retry', token, body, FORM);
    expect(first.status).toBe(201);
    const sent = app.textmagic.sent.length;
    const again = await intakeApi.post('retry', token, body, FORM, 'v1');
    expect(again.status).toBe(200);
    expect(again.json).toEqual({ status: 'duplicate_post', id: first.json.id });
    expect(app.textmagic.sent.length).toBe(sent);
  });
});

describe("each tool's documented payload", () => {
  it('FluentForms, JSON and form-encoded: the Name field as names[first_name] and names[last_name]', async () => {
    // FluentForms' webhook (Pro): Request Format JSON or FORM, Request Body "All Data", the
    // submission by its inputs' name attributes; its Name field's inputs are names[first_name] and
    // names[last_name] (https://fluentforms.com/docs/how-to-integrate-webhook-with-fluent-forms/).
    const token = await mapSource('fluent', {
      fields: {
        name: ['names[first_name]', 'names[last_name]'],
        phone: 'phone',
        email: 'email',
        category: 'service',
        zipCode: 'zip_code',
        description: 'message',
      },
    });
    const [z1, z2] = [zip(), zip()];
    const p = await api.addProvider({ zipCodes: [z1, z2] });
    const sent = app.textmagic.sent.length;
    const json = {
      names: { first_name: 'Fiona', last_name: 'Fluent' },
      email: 'fiona@example.com',
      phone: '(512) 555-0177',
      service: 'Plumbing',
      zip_code: z1,
      message: 'Shower drain is blocked.',
      _wp_http_referer: '/contact/',
    };
    expect((await intakeApi.post('fluent', token, JSON.stringify(json), JSON_TYPE)).status).toBe(201);
    expect(await leadIn(z1)).toMatchObject({
      name: 'Fiona Fluent',
      phone: '+15125550177',
      email: 'fiona@example.com',
      category: 'plumbing',
      description: 'Shower drain is blocked.',
    });
    // The same lead path: the provider got the teaser.
    expect(app.textmagic.sent.slice(sent).some((m) => m.phones.includes(p.phone.slice(1)))).toBe(true);
    const form = new URLSearchParams({
      'names[first_name]': 'Fred',
      'names[last_name]': 'Form',
      email: 'fred@example.com',
      phone: '512-555-0178',
      service: 'plumbing',
      zip_code: z2,
      message: 'Water heater pilot keeps going out.',
    }).toString();
    expect((await intakeApi.post('fluent', token, form, FORM)).status).toBe(201);
    expect(await leadIn(z2)).toMatchObject({ name: 'Fred Form', phone: '+15125550178' });
  });

  it('Gravity Forms, "All Fields" (the entry by field and input id), JSON and form-encoded', async () => {
    // Gravity Forms Webhooks Add-On: Request Format JSON or FORM, Request Body "All Fields"
    // (https://docs.gravityforms.com/triggering-webhooks-form-submissions/): the Entry object,
    // "an associative array with field Ids being the key to that field's data", a Name field's
    // first and last name under its input ids 1.3 and 1.6 (https://docs.gravityforms.com/entry-object/).
    const token = await mapSource('gravity', {
      fields: {
        name: ['1.3', '1.6'],
        phone: '3',
        email: '2',
        category: '5',
        zipCode: '4.5',
        description: '6',
      },
    });
    const z = zip();
    const entry = {
      id: '42',
      form_id: '1',
      date_created: '2026-12-06 15:04:05',
      is_starred: 0,
      is_read: 0,
      ip: '203.0.113.5',
      source_url: 'https://example.com/quote/',
      user_agent: 'Mozilla/5.0',
      status: 'active',
      '1.3': 'Grace',
      '1.6': 'Gravity',
      '2': 'grace@example.com',
      '3': '(512) 555-0179',
      '4.1': '1 Main St',
      '4.3': 'Austin',
      '4.5': z,
      '5': 'plumbing',
      '6': 'Toilet runs all night.',
    };
    expect((await intakeApi.post('gravity', token, JSON.stringify(entry), JSON_TYPE, 'v1')).status).toBe(201);
    expect(await leadIn(z)).toMatchObject({
      name: 'Grace Gravity',
      email: 'grace@example.com',
      description: 'Toilet runs all night.',
    });
    const z2 = zip();
    const form = new URLSearchParams(
      Object.entries({ ...entry, '4.5': z2, '3': '512 555 0180' }).map(([k, v]) => [k, String(v)]),
    ).toString();
    expect((await intakeApi.post('gravity', token, form, FORM)).status).toBe(201);
    expect(await leadIn(z2)).toMatchObject({ phone: '+15125550180' });
  });

  it("Typeform's webhook: answers by their field's ref, a choice by its label, hidden fields by name", async () => {
    // Typeform's webhook payload (https://www.typeform.com/developers/webhooks/example-payload/):
    // form_response.answers, each { type, <type>: value, field: { id, type, ref } }; a choice
    // answer's value is { label }; hidden fields in form_response.hidden.
    const token = await mapSource('typeform', {
      fields: {
        name: 'readable_ref_short_text',
        phone: 'readable_ref_phone',
        email: 'readable_ref_email',
        category: 'readable_ref_service',
        zipCode: 'zip',
        description: 'DlXFaesGBpoF',
      },
    });
    const z = zip();
    const payload = {
      event_id: 'LtWXD3crgy',
      event_type: 'form_response',
      form_response: {
        form_id: 'lT4Z3j',
        token: 'a3a12ec67a1365927098a606107fac15',
        submitted_at: '2026-12-06T15:17:02Z',
        landed_at: '2026-12-06T15:07:02Z',
        hidden: { zip: z },
        definition: { id: 'lT4Z3j', title: 'Get a quote', fields: [] },
        answers: [
          {
            type: 'text',
            text: 'Tyra Typeform',
            field: { id: 'JwWggjAKtOkA', type: 'short_text', ref: 'readable_ref_short_text' },
          },
          {
            type: 'email',
            email: 'tyra@example.com',
            field: { id: 'SMEUb7VJz92Q', type: 'email', ref: 'readable_ref_email' },
          },
          {
            type: 'phone_number',
            phone_number: '+15125550181',
            field: { id: 'PhNe8ZKBK8C2', type: 'phone_number', ref: 'readable_ref_phone' },
          },
          {
            type: 'choice',
            choice: { label: 'Plumbing' },
            field: { id: 'k6TP9oLGgHjl', type: 'multiple_choice', ref: 'readable_ref_service' },
          },
          {
            type: 'text',
            text: 'Garbage disposal hums but does not turn.',
            field: { id: 'DlXFaesGBpoF', type: 'long_text', ref: 'readable_ref_long_text' },
          },
        ],
      },
    };
    expect((await intakeApi.post('typeform', token, JSON.stringify(payload), JSON_TYPE)).status).toBe(201);
    expect(await leadIn(z)).toMatchObject({
      name: 'Tyra Typeform',
      phone: '+15125550181',
      email: 'tyra@example.com',
      category: 'plumbing',
      description: 'Garbage disposal hums but does not turn.',
    });
  });

  it("Zapier's POST action, form and JSON, with a default category", async () => {
    // Webhooks by Zapier's POST action "Fire off a single POST request as a form or JSON"
    // (https://zapier.com/help/webhooks/), its Data as key-value pairs: form-encoded
    // first_name=Alex&last_name=Riley&age=27, or the same as a JSON object
    // (https://help.zapier.com/hc/en-us/articles/8496083355661-How-to-get-started-with-Webhooks-by-Zapier).
    const token = await mapSource('zapier', {
      fields: { name: ['first_name', 'last_name'], phone: 'phone', zipCode: 'zip', description: 'notes' },
      defaults: { category: 'plumbing' },
    });
    const [z1, z2] = [zip(), zip()];
    const form = `first_name=Alex&last_name=Riley&age=27&phone=%2B1%20512%20555%200182&zip=${z1}&notes=Sump+pump+alarm`;
    expect((await intakeApi.post('zapier', token, form, FORM)).status).toBe(201);
    expect(await leadIn(z1)).toMatchObject({
      name: 'Alex Riley',
      phone: '+15125550182',
      category: 'plumbing',
      description: 'Sump pump alarm',
    });
    const json = { first_name: 'Alex', last_name: 'Riley', age: 27, phone: '5125550183', zip: z2 };
    expect((await intakeApi.post('zapier', token, JSON.stringify(json), JSON_TYPE, 'v1')).status).toBe(201);
    // No description mapped in the post: the lead is described by its category.
    expect(await leadIn(z2)).toMatchObject({ phone: '+15125550183', description: 'plumbing' });
  });
});
