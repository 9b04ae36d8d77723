/**
 * A third language costs its module and one line of the registry, nothing else: this file makes
 * that one-line change (the registry lists English, Spanish and a French module written for the
 * test, tests/support/french-language.ts) and drives a French provider through the public routes
 * and the fakes. Every other module, the SQL and the migrations run as they are.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { smsLength } from '../../lib/sms/segments';
import { tmDigits, useApp } from '../support/app';
import { api, lead, linkToken } from '../support/flow';
import { deliverEvent, smsSentTo, uniqueZip } from '../support/market';

// The registry's line for a third language, as a real one would add it.
vi.mock('../../lib/sms/languages', async (importOriginal) => {
  const registry = await importOriginal<typeof import('../../lib/sms/languages')>();
  const { french } = await import('../support/french-language');
  return { LANGUAGES: [...registry.LANGUAGES, french] };
});

const app = useApp();

beforeEach(() => app.textmagic.reset());

/** A provider texts us; returns the SMS they got back. */
async function text(provider: { phone: string }, body: string): Promise<string[]> {
  const before = app.textmagic.sent.length;
  const res = await api.reply(provider.phone, body);
  expect(res.status).toBe(200);
  return smsSentTo(app, provider.phone, before).map((m) => m.text);
}

const languageOf = async (id: string) =>
  (await app.db.query<{ language: string }>('select language from providers where id = $1', [id]))[0]!
    .language;

/** Teaser hours that exclude now: an hour starting two hours from now, in UTC. */
function hoursNotNow(): string {
  const h = (new Date().getUTCHours() + 2) % 24;
  const hh = (n: number) => String(n % 24).padStart(2, '0');
  return `${hh(h)}:00-${hh(h + 1)}:00`;
}

describe('a language added by its module alone', () => {
  it('the admin API takes it (the database lists no languages) and names it among the choices', async () => {
    const fr = await api.addProvider({ zipCodes: [uniqueZip()], language: 'fr' });
    expect((await api.getProvider(fr.id)).json.provider.language).toBe('fr');
    const refused = await api.patchProvider(fr.id, { language: 'de' });
    expect(refused.status).toBe(400);
    expect(refused.json.error.details).toEqual([{ field: 'language', message: 'must be one of en, es, fr' }]);
  });

  it('teasers: one request per language, keyed by it, held ones too', async () => {
    const zip = uniqueZip();
    const en = await api.addProvider({ zipCodes: [zip] });
    const es = await api.addProvider({ zipCodes: [zip], language: 'es' });
    const fr = await api.addProvider({ zipCodes: [zip], language: 'fr' });
    await api.addProvider({ zipCodes: [zip], language: 'fr', timeZone: 'UTC', teaserHours: hoursNotNow() });
    app.textmagic.reset(); // their opt-in confirmations went out when they were added
    const created = await api.postLead(
      lead({ zipCode: zip, description: 'Fuite sous l’évier', priceCents: 2500 }),
    );
    expect(created.status).toBe(201);
    expect(created.json.offeredTo).toBe(4);
    const { id, code } = created.json as { id: string; code: string };

    expect(app.textmagic.sent).toHaveLength(3);
    const to = (p: { phone: string }) =>
      app.textmagic.sent.find((m) => m.phones.includes(tmDigits(p.phone)))!;
    // The client's curly apostrophe goes out as GSM-7's own, as in every language.
    expect(to(fr).text).toBe(
      `Nouveau lead plumbing, ${zip} Austin: Fuite sous l'évier. Budget: $500. Prix $25.00. Repondez OUI ${code}`,
    );
    expect(to(es).text).toMatch(/^Nuevo lead /);
    expect(to(en).text).toMatch(/^New /);
    expect(smsLength(to(fr).text)).toMatchObject({ encoding: 'GSM-7', segments: 1 });

    const keys = await app.db.query<{ dedupe_key: string }>(
      `select dedupe_key from sms_messages where lead_id = $1 and kind = 'teaser' order by dedupe_key`,
      [id],
    );
    expect(keys.map((k) => k.dedupe_key)).toEqual([
      `teaser:${id}`,
      `teaser:${id}:es`,
      `teaser:${id}:fr`,
      expect.stringMatching(new RegExp(`^teaser:${id}:fr:\\d+$`)),
    ]);
  });

  it('its words buy, help and opt out; its pay link, Checkout, details and pages are in it', async () => {
    const zip = uniqueZip();
    const fr = await api.addProvider({ zipCodes: [zip], language: 'fr' });
    const { code } = (await api.postLead(lead({ zipCode: zip, priceCents: 1500 }))).json as { code: string };

    expect(await text(fr, 'aide')).toEqual([
      expect.stringMatching(/^Lead Unlock alertes de leads\. Achat: OUI 4821\. Compte: COMPTE\./),
    ]);
    const [link] = await text(fr, `Oui ${code}`);
    expect(link).toMatch(
      new RegExp(`^Lead ${code}: payez \\$15\\.00 pour recevoir le contact du client: https://`),
    );

    const pay = await api.openPayLink(linkToken(link!));
    expect(pay.status).toBe(303);
    const create = app.stripe.requests.filter((r) => r.path === '/v1/checkout/sessions').at(-1)!;
    expect(create.params.locale).toBe('fr');
    expect(create.params.custom_text).toEqual({
      submit: {
        message: 'Votre carte sera enregistrée : les prochains leads acceptés par OUI y seront débités.',
      },
    });
    const session = [...app.stripe.sessions.values()].find((s) => s.url === pay.headers.location)!;
    const before = app.textmagic.sent.length;
    expect((await deliverEvent(app, app.stripe.completeSession(session.id))).json.outcome).toBe('unlocked');
    expect(smsSentTo(app, fr.phone, before).map((m) => m.text)).toEqual([
      expect.stringMatching(new RegExp(`^Le lead ${code} est à vous\\.\\nClient: `)),
    ]);

    const owned = await api.openPayLink(linkToken(link!));
    expect(owned.status).toBe(200);
    expect(owned.text).toContain('<html lang="fr">');
    expect(owned.text).toContain('Ce lead est à vous');
    const missing = await api.openPayLink('A'.repeat(24));
    expect(missing.status).toBe(404);
    expect(missing.text).toContain('Link not found / Enlace no encontrado / Lien introuvable');

    // Its words of a return's reason say why ("injoignable", unreachable: bad contact details).
    expect(await text(fr, `Mauvais ${code} client injoignable`)).toEqual([
      `Lead Unlock: retour du lead ${code} recu.`,
    ]);
    const returns = await app.db.query<{ reason: string; reason_text: string }>(
      'select reason, reason_text from lead_returns where provider_id = $1',
      [fr.id],
    );
    expect(returns).toEqual([{ reason: 'bad_contact', reason_text: 'client injoignable' }]);

    expect(await text(fr, 'Arrêt')).toEqual([expect.stringMatching(/^Lead Unlock: vous etes désinscrit/)]);
  });

  it('FRANÇAIS switches to it, confirmed once in it; ENGLISH back', async () => {
    const p = await api.addProvider({ zipCodes: [uniqueZip()] });
    expect(await text(p, 'Français')).toEqual([
      'Lead Unlock: nous vous écrirons en francais. Reply ENGLISH for English.',
    ]);
    expect(await languageOf(p.id)).toBe('fr');
    expect(await text(p, 'help')).toEqual([expect.stringMatching(/^Lead Unlock alertes de leads\. Achat/)]);
    expect(await text(p, 'english')).toEqual([
      expect.stringMatching(/^Lead Unlock: your texts will come in English\./),
    ]);
    expect(await languageOf(p.id)).toBe('en');
    const outcomes = await app.db.query<{ outcome: string }>(
      'select outcome from inbound_sms where provider_id = $1 order by created_at, id',
      [p.id],
    );
    expect(outcomes.map((o) => o.outcome)).toEqual(['french', 'help', 'english']);
  });
});

describe('a code no module has (written by hand, or left by a module removed since)', () => {
  it('reads in the default language: teaser, answers and pages', async () => {
    const zip = uniqueZip();
    const p = await api.addProvider({ zipCodes: [zip] });
    await app.db.query(`update providers set language = 'de' where id = $1`, [p.id]);
    app.textmagic.reset(); // the opt-in confirmation went out when they were added
    const created = await api.postLead(lead({ zipCode: zip }));
    const { id, code } = created.json as { id: string; code: string };
    expect(app.textmagic.sent.map((m) => m.text)).toEqual([expect.stringMatching(/^New plumbing lead/)]);
    const keys = await app.db.query<{ dedupe_key: string }>(
      `select dedupe_key from sms_messages where lead_id = $1`,
      [id],
    );
    expect(keys).toEqual([{ dedupe_key: `teaser:${id}` }]);
    expect(await text(p, 'HELP')).toEqual([
      expect.stringMatching(/^Lead Unlock lead alerts\. Buy: YES 4821\. Account: ACCOUNT\./),
    ]);
    const [link] = await text(p, `YES ${code}`);
    await app.db.query('update leads set unlock_count = max_unlocks where id = $1', [id]);
    const gone = await api.openPayLink(linkToken(link!));
    expect(gone.status).toBe(410);
    expect(gone.text).toContain('<html lang="en">');
    expect(gone.text).toContain('Lead no longer available');
    expect(await languageOf(p.id)).toBe('de');
  });
});
