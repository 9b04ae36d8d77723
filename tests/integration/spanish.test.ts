/**
 * Providers who get their SMS in Spanish (`providers.language`): the teaser, the replies, the
 * purchase and the language switch, driven through the public routes and the fakes.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { handler as providers } from '../../functions/providers';
import { smsLength } from '../../lib/sms/segments';
import { KEYS, phoneNumber, tmDigits, useApp } from '../support/app';
import { invoke, type Reply } from '../../emulators/events';
import { api, lead, linkToken } from '../support/flow';
import { deliverEvent, smsSentTo, uniqueZip } from '../support/market';
import { writesNothing } from '../support/writes';

const app = useApp();
const admin = { authorization: `Bearer ${KEYS.admin}`, 'content-type': 'application/json' };

const postProvider = (body: unknown) =>
  invoke(providers, { method: 'POST', path: '/providers', headers: admin, body: JSON.stringify(body) });
const patchProvider = api.patchProvider;
const getProvider = api.getProvider;

type Provider = { id: string; phone: string };

/** A provider texts us; returns the SMS they got back. */
async function text(provider: Provider, body: string): Promise<string[]> {
  const before = app.textmagic.sent.length;
  const res = await api.reply(provider.phone, body);
  expect(res.status).toBe(200);
  return smsSentTo(app, provider.phone, before).map((m) => m.text);
}

async function language(provider: Provider): Promise<string> {
  const [row] = await app.db.query<{ language: string }>('select language from providers where id = $1', [
    provider.id,
  ]);
  return row!.language;
}

/** A Spanish provider in a zip of their own, with one lead offered to them. */
async function spanishWithLead(overrides: Record<string, unknown> = {}) {
  const zip = uniqueZip();
  const provider = await api.addProvider({ zipCodes: [zip], language: 'es' });
  const created = await api.postLead(lead({ zipCode: zip, ...overrides }));
  expect(created.json.offeredTo).toBe(1);
  return { provider, lead: created.json as { id: string; code: string } };
}

beforeEach(() => {
  app.textmagic.reset();
});

describe('the teaser', () => {
  it('one lead: the Spanish providers get it in Spanish, the English ones in English, one request and row each', async () => {
    const zip = uniqueZip();
    const es = [
      await api.addProvider({ zipCodes: [zip], language: 'es' }),
      await api.addProvider({ zipCodes: [zip], language: 'es' }),
    ];
    const en = await api.addProvider({ zipCodes: [zip] });
    app.textmagic.reset(); // their opt-in confirmations went out when they were added
    const created = await api.postLead(
      lead({ zipCode: zip, description: 'Fuga en el baño, urgente, la tubería gotea', priceCents: 2500 }),
    );
    expect(created.status).toBe(201);
    expect(created.json.offeredTo).toBe(3);
    const { id, code } = created.json as { id: string; code: string };

    // Two TextMagic requests: the Spanish one to both Spanish providers.
    expect(app.textmagic.sent).toHaveLength(2);
    const spanish = app.textmagic.sent.find((m) => m.text.startsWith('Nuevo lead'))!;
    const english = app.textmagic.sent.find((m) => m.text.startsWith('New '))!;
    expect(spanish.phones.sort()).toEqual(es.map((p) => tmDigits(p.phone)).sort());
    expect(english.phones).toEqual([tmDigits(en.phone)]);
    expect(spanish.text).toMatch(new RegExp(`Precio \\$25\\.00\\. Responda SI ${code}$`));
    expect(spanish.text).toContain('tuberia'); // í is not GSM-7: the teaser writes i
    expect(english.text).toMatch(new RegExp(`Price \\$25\\.00\\. Reply YES ${code}$`));
    for (const m of [spanish, english])
      expect(smsLength(m.text)).toMatchObject({ encoding: 'GSM-7', segments: 1 });

    const rows = await app.db.query<{ dedupe_key: string; status: string }>(
      `select dedupe_key, status from sms_messages where lead_id = $1 and kind = 'teaser' order by dedupe_key`,
      [id],
    );
    expect(rows).toEqual([
      { dedupe_key: `teaser:${id}`, status: 'sent' },
      { dedupe_key: `teaser:${id}:es`, status: 'sent' },
    ]);

    // Counted as received by both kinds of provider, and in the funnel once per offer.
    for (const p of [...es, en]) expect((await getProvider(p.id)).json.stats.teasersReceived).toBe(1);
    const [funnel] = await app.db.query<{ teaser_sent_at: Date | null }>(
      'select teaser_sent_at from lead_funnels where lead_id = $1',
      [id],
    );
    expect(funnel!.teaser_sent_at).not.toBeNull();
  });

  it('only English providers: one teaser as before, with its usual key', async () => {
    const zip = uniqueZip();
    await api.addProvider({ zipCodes: [zip] });
    app.textmagic.reset(); // the opt-in confirmation went out when they were added
    const created = await api.postLead(lead({ zipCode: zip }));
    expect(app.textmagic.sent).toHaveLength(1);
    const keys = await app.db.query<{ dedupe_key: string }>(
      `select dedupe_key from sms_messages where lead_id = $1`,
      [created.json.id],
    );
    expect(keys).toEqual([{ dedupe_key: `teaser:${created.json.id}` }]);
  });

  it('an Idempotency-Key retry sends neither teaser again', async () => {
    const zip = uniqueZip();
    await api.addProvider({ zipCodes: [zip], language: 'es' });
    await api.addProvider({ zipCodes: [zip] });
    app.textmagic.reset(); // their opt-in confirmations went out when they were added
    const body = lead({ zipCode: zip });
    const key = `spanish-${Date.now()}`;
    expect((await api.postLead(body, { 'idempotency-key': key })).status).toBe(201);
    expect(app.textmagic.sent).toHaveLength(2);
    expect((await api.postLead(body, { 'idempotency-key': key })).status).toBe(200);
    expect(app.textmagic.sent).toHaveLength(2);
  });
});

describe('replies in Spanish', () => {
  it('SÍ <code>: the pay link in Spanish; paying sends the details in Spanish', async () => {
    const { provider, lead: created } = await spanishWithLead({ priceCents: 1500 });
    const [link] = await text(provider, `Sí ${created.code}`);
    expect(link).toMatch(
      new RegExp(`^Lead ${created.code}: pague \\$15\\.00 para recibir los datos del cliente: https://`),
    );
    // Asking again, without the accent, gives the same link.
    expect(await text(provider, `si ${created.code}`)).toEqual([link]);

    const pay = await api.openPayLink(linkToken(link!));
    expect(pay.status).toBe(303);
    const session = [...app.stripe.sessions.values()].find((s) => s.url === pay.headers.location)!;
    const before = app.textmagic.sent.length;
    const paid = await deliverEvent(app, app.stripe.completeSession(session.id));
    expect(paid.json.outcome, paid.text).toBe('unlocked');
    const details = smsSentTo(app, provider.phone, before).map((m) => m.text);
    expect(details).toHaveLength(1);
    expect(details[0]).toMatch(new RegExp(`^El lead ${created.code} es suyo\\.\\nCliente: `));
    expect(details[0]).toContain('\nTel: ');

    // The link opened again: the page says, in Spanish, that the lead is theirs.
    const owned = await api.openPayLink(linkToken(link!));
    expect(owned.status).toBe(200);
    expect(owned.text).toContain('<html lang="es">');
    expect(owned.text).toContain('Este lead ya es suyo');
  });

  it('a link to a lead that sold out: the page in Spanish; a link that does not exist: in both languages', async () => {
    const { provider, lead: created } = await spanishWithLead();
    const [link] = await text(provider, `SI ${created.code}`);
    await app.db.query('update leads set unlock_count = max_unlocks where id = $1', [created.id]);
    const gone = await api.openPayLink(linkToken(link!));
    expect(gone.status).toBe(410);
    expect(gone.text).toContain('Lead no disponible');
    expect(gone.text).not.toContain('no longer available');
    const missing = await api.openPayLink('A'.repeat(24));
    expect(missing.status).toBe(404);
    expect(missing.text).toContain('Link not found / Enlace no encontrado');
  });

  it('SI alone with one open lead, AYUDA, and unknown codes answer in Spanish', async () => {
    const { provider, lead: created } = await spanishWithLead();
    expect((await text(provider, 'SI'))[0]).toContain(`Lead ${created.code}: pague`);
    expect(await text(provider, 'AYUDA')).toEqual([
      expect.stringMatching(/^Lead Unlock alertas de leads\. SI 4821 compra\. Cuenta: CUENTA\./),
    ]);
    expect(await text(provider, 'SI 99999')).toEqual(['Lo sentimos, el lead 99999 ya no se ofrece.']);
  });

  it('PARAR opts out with a Spanish confirmation, and no teasers follow; START brings them back', async () => {
    const { provider } = await spanishWithLead();
    expect(await text(provider, 'PARAR')).toEqual([expect.stringMatching(/^Lead Unlock: baja confirmada/)]);
    expect(await text(provider, 'alto')).toEqual([]); // already out: nothing more
    const [row] = await app.db.query<{ opted_out: boolean; language: string }>(
      'select opted_out, language from providers where id = $1',
      [provider.id],
    );
    expect(row).toEqual({ opted_out: true, language: 'es' });
    expect(await text(provider, 'START')).toEqual([
      expect.stringMatching(/^Lead Unlock alertas de leads activadas\./),
    ]);
  });

  it('CANCELAR opts out an English provider too, confirmed in English', async () => {
    const provider = await api.addProvider({ zipCodes: [uniqueZip()] });
    expect(await text(provider, 'Cancelar')).toEqual([
      expect.stringMatching(/^Lead Unlock: you're unsubscribed/),
    ]);
  });
});

describe('switching language by SMS', () => {
  it('ESPAÑOL switches to Spanish, confirmed once in Spanish; ENGLISH back, confirmed in English', async () => {
    const provider = await api.addProvider({ zipCodes: [uniqueZip()] });
    expect(await language(provider)).toBe('en');
    expect(await text(provider, 'ESPAÑOL')).toEqual([
      'Lead Unlock: le escribiremos en español. Reply ENGLISH for English.',
    ]);
    expect(await language(provider)).toBe('es');
    expect(await text(provider, 'help')).toEqual([
      expect.stringMatching(/^Lead Unlock alertas de leads\. SI 4821 compra/),
    ]);
    expect(await text(provider, 'english')).toEqual([
      expect.stringMatching(/^Lead Unlock: your texts will come in English\./),
    ]);
    expect(await language(provider)).toBe('en');
    expect(await text(provider, 'AYUDA')).toEqual([
      expect.stringMatching(/^Lead Unlock lead alerts\. Buy: YES 4821\. Account: ACCOUNT\./),
    ]);
    const outcomes = await app.db.query<{ outcome: string }>(
      'select outcome from inbound_sms where provider_id = $1 order by created_at, id',
      [provider.id],
    );
    expect(outcomes.map((o) => o.outcome)).toEqual(['spanish', 'help', 'english', 'help']);
  });

  it('the next teaser comes in the new language', async () => {
    const zip = uniqueZip();
    const provider = await api.addProvider({ zipCodes: [zip] });
    await text(provider, 'espanol');
    app.textmagic.reset();
    await api.postLead(lead({ zipCode: zip }));
    expect(app.textmagic.sent.map((m) => m.text)).toEqual([expect.stringMatching(/^Nuevo lead /)]);
  });

  it('a repeated TextMagic id switches nothing and sends nothing', async () => {
    const provider = await api.addProvider({ zipCodes: [uniqueZip()], language: 'es' });
    const id = `tm-lang-${Date.now()}`;
    await api.reply(provider.phone, 'ENGLISH', { id });
    await app.db.query(`update providers set language = 'es' where id = $1`, [provider.id]);
    const before = app.textmagic.sent.length;
    await api.reply(provider.phone, 'ENGLISH', { id });
    expect(app.textmagic.sent.length).toBe(before);
    expect(await language(provider)).toBe('es');
  });
});

describe('admin API: language', () => {
  const body = (overrides: Record<string, unknown> = {}) => ({
    name: 'Paz Fontanera',
    phone: phoneNumber(),
    categories: ['plumbing'],
    zipCodes: [uniqueZip()],
    ...overrides,
  });

  it('POST takes en (the default) or es, PATCH changes it, GET shows it', async () => {
    const en = await postProvider(body());
    expect(en.status).toBe(201);
    expect(en.json.language).toBe('en');
    const es = await postProvider(body({ language: 'es' }));
    expect(es.status).toBe(201);
    expect(es.json.language).toBe('es');
    const patched = await patchProvider(en.json.id, { language: 'es' });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.json.language).toBe('es');
    expect((await getProvider(en.json.id)).json.provider.language).toBe('es');
  });

  // 'xx': a code no module has. The choices are the registry's, English and Spanish first.
  const choices = [
    { field: 'language', message: expect.stringMatching(/^must be one of en, es(, [a-z]+)*$/) },
  ];
  it.each([['xx'], ['ES'], [''], [null], [1]])(
    'refuses language %j, naming the field, writing nothing',
    async (value) => {
      const res: Reply = await writesNothing(app, () => postProvider(body({ language: value })));
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe('validation_failed');
      expect(res.json.error.details).toEqual(choices);
      const created = await postProvider(body());
      const patch = await patchProvider(created.json.id, { language: value });
      expect(patch.status).toBe(400);
      expect(patch.json.error.details).toEqual(choices);
    },
  );
});
