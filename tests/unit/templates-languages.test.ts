import fc from 'fast-check';
import { describe, it, expect, vi } from 'vitest';
import { LANGUAGES, type LanguageModule } from '../../lib/sms/language';
import { parseReply, type Reply } from '../../lib/sms/parse-reply';
import { fitsOneSegment, smsLength } from '../../lib/sms/segments';
import { MAX_DECLINE_NOTE } from '../../lib/sms/return-reason';
import { formatPrice, templates, type DetailsLead, type TeaserLead } from '../../lib/sms/templates';
import { smsParts } from '../../emulators/fake-textmagic';

const url = 'https://leads.example.com/p/Zx9_aB-12cD34eF56gH78';
/**
 * A portal sign-in link at the longest PUBLIC_BASE_URL its SMS is measured for (45 characters,
 * with SENDER's brand: docs/portal.md), and its token's 43 characters.
 */
const portalUrl = `https://${'a'.repeat(37)}/portal/s/${'T'.repeat(43)}`;
const contact = { name: 'Jane Doe', phone: '+15125550123', email: 'jane.doe@example.com' };

// Any lead code (4-6 digits) and any price up to $9,999.99 in our currencies.
const code = fc.stringMatching(/^\d{4,6}$/);
const priced = fc.record({
  code,
  priceCents: fc.integer({ min: 0, max: 999_999 }),
  currency: fc.constantFrom('usd', 'eur', 'gbp', 'cad', 'chf', 'jpy', 'mxn'),
});
// Free text with what makes teasers hard: accents outside GSM-7, extension characters, emoji.
// prettier-ignore
const unit = fc.constantFrom('a', 'e', ' ', ' ', '.', ',', 'á', 'ñ', 'é', 'ü', '’', '€', '[', 'Ж', '😀', '5', '@');
const text = (min: number, max: number) => fc.string({ unit, minLength: min, maxLength: max });
const teaserLead: fc.Arbitrary<TeaserLead> = fc.record({
  code,
  priceCents: fc.integer({ min: 0, max: 999_999 }),
  currency: fc.constantFrom('usd', 'eur', 'jpy', 'chf'),
  category: text(1, 120),
  zipCode: fc.constantFrom('78701', 'SW1A 1AA', '28001'),
  city: fc.option(text(1, 80)),
  description: text(1, 2000),
  budget: fc.option(text(1, 120)),
  name: fc.constant(contact.name),
  phone: fc.constant(contact.phone),
  email: fc.constant(contact.email),
});

/**
 * The exact words of the languages we ship, where the SMS say how to answer. The checks below
 * hold for any module (a new one adds nothing here): they read what to answer from its SMS and
 * ask parseReply whether it does what the SMS says.
 */
type Wording = { price: string; reply: string; bad: string; yes: string; stop: string; other: string };
// prettier-ignore
const WORDING: Record<string, Wording> = {
  en: { price: 'Price', reply: 'Reply YES', bad: 'BAD 4821', yes: 'YES 4821', stop: 'STOP', other: 'ESPANOL' },
  es: { price: 'Precio', reply: 'Responda SI', bad: 'MALO 4821', yes: 'SI 4821', stop: 'STOP', other: 'ENGLISH' },
};

/** What parseReply makes of each "<word> 4821" and each single word of an SMS. */
const repliesIn = (sms: string): Reply[] => [
  ...[...sms.matchAll(/\p{L}+ 4821/gu)].map(([m]) => parseReply(m)),
  ...(sms.match(/\p{L}+/gu) ?? []).map(parseReply),
];

// Every registered language, and a third one as a new module would be: the French test module,
// registered by the registry's one line as tests/integration/third-language.test.ts does.
vi.mock('../../lib/sms/languages', async (importOriginal) => {
  const registry = await importOriginal<typeof import('../../lib/sms/languages')>();
  const { french } = await import('../support/french-language');
  return { LANGUAGES: [...registry.LANGUAGES, french] };
});
/**
 * A brand and support contact as long as the segment budgets are measured for (the README's
 * Compliance section): longer ones may take HELP and the opt-in confirmation to two segments.
 */
const SENDER = { brand: 'Austin Pro Leads', support: 'help@austinpro.com' };

describe.each<LanguageModule>(LANGUAGES)('templates($code)', (module) => {
  const language = module.code;
  const t = module.sms(SENDER);
  const wording = WORDING[language];

  it('a teaser is one segment for any lead, price and code intact, the reply word last', () => {
    fc.assert(
      fc.property(teaserLead, (lead) => {
        const text = t.teaserSms(lead);
        expect(fitsOneSegment(text)).toBe(true);
        expect(smsParts(text)).toBe(1);
        const price = formatPrice(lead.priceCents, lead.currency);
        expect(text).toContain(`${price}.`);
        // What it says to reply buys this lead.
        const [last] = text.slice(text.lastIndexOf(price)).match(/\p{L}+ \d+$/u) ?? [''];
        expect(parseReply(last)).toEqual({ kind: 'yes', code: lead.code });
        if (wording)
          expect(text.endsWith(`${wording.price} ${price}. ${wording.reply} ${lead.code}`)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('a teaser of plain text stays GSM-7 (160 characters)', () => {
    const text = t.teaserSms({
      code: '100000',
      category: 'plumbing',
      zipCode: '78701',
      city: 'Austin',
      description: 'Leaking kitchen sink, need it fixed this week. '.repeat(10),
      budget: '$500',
      priceCents: 999_999,
      currency: 'usd',
      ...contact,
    });
    expect(smsLength(text).encoding).toBe('GSM-7');
    expect(smsLength(text).units).toBeGreaterThan(140);
  });

  it('every short text is one GSM-7 segment, for any code and price', () => {
    fc.assert(
      fc.property(priced, fc.array(code, { minLength: 2, maxLength: 4 }), (lead, codes) => {
        // A refund gives back what was paid: here the lead's price.
        const refund = { code: lead.code, amountCents: lead.priceCents, currency: lead.currency };
        const texts = [
          t.payLinkSms(lead, url),
          t.unavailableSms(lead.code),
          t.noOpenOffersSms(),
          t.chooseOfferSms(codes),
          t.optedOutSms(),
          t.optedInSms(),
          t.helpSms(),
          t.refundedSms(refund),
          t.budgetRefusedSms(lead.code, 'weekly_cap'),
          t.budgetRefusedSms(lead.code, 'daily_cap'),
          t.erasedRefundSms(refund),
          t.detailsErasedSms(lead.code),
          t.optOutCheckSms(),
          t.chargingSms(lead),
          t.cardFailedSms(lead, url),
          t.autoPayOffSms(),
          t.autoPayOnSms(),
          t.languageSms(),
          t.returnUsageSms(),
          t.returnOpenedSms(lead.code),
          t.returnApprovedSms(refund),
          t.returnWindowClosedSms(lead.code, 14),
          t.returnWindowClosedSms(lead.code, 999),
          t.returnAlreadySms(lead.code),
          t.returnNotBoughtSms(lead.code),
          t.portalLinkSms(portalUrl, 15),
          t.portalWaitSms(15),
          t.portalWaitSms(1),
        ];
        for (const text of texts) {
          // The extension characters of a price (€) cost two; still one segment.
          expect(smsLength(text), text).toMatchObject({ encoding: 'GSM-7', segments: 1 });
        }
        expect(t.payLinkSms(lead, url).endsWith(url)).toBe(true);
        expect(t.cardFailedSms(lead, url).endsWith(url)).toBe(true);
        expect(t.portalLinkSms(portalUrl, 15).endsWith(portalUrl)).toBe(true);
        for (const c of codes) expect(t.chooseOfferSms(codes)).toContain(c);
        for (const text of [t.payLinkSms(lead, url), t.refundedSms(refund), t.chargingSms(lead)]) {
          expect(text).toContain(formatPrice(lead.priceCents, lead.currency));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('the details hold the contact first and the whole description, each message within 6 parts', () => {
    const lead: DetailsLead = {
      code: '4821',
      ...contact,
      category: 'plumbing',
      zipCode: '78701',
      city: 'Austin',
      description: 'The pipe under the kitchen sink has been dripping for days. '.repeat(40),
      budget: '$500',
    };
    const messages = t.detailsSms(lead);
    expect(messages.length).toBeGreaterThan(1);
    for (const m of messages) expect(smsParts(m)).toBeLessThanOrEqual(6);
    for (const part of [contact.name, contact.phone, contact.email]) expect(messages[0]).toContain(part);
    expect(t.detailsSms({ ...lead, description: 'Leaking sink' })).toEqual([
      t.detailsText({ ...lead, description: 'Leaking sink' }),
    ]);
  });

  it('a decline carries the whole note: 2 segments of plain GSM-7, 3 with € or [, 4 in UCS-2, within 6 parts', () => {
    const note = text(0, MAX_DECLINE_NOTE).filter((n) => n.length <= MAX_DECLINE_NOTE);
    fc.assert(
      fc.property(code, note, (c, note) => {
        const sms = t.returnDeclinedSms(c, note);
        const { encoding, segments } = smsLength(sms);
        expect(segments).toBeLessThanOrEqual(encoding === 'GSM-7' ? 3 : 4);
        expect(smsParts(sms)).toBeLessThanOrEqual(6);
        expect(sms).toContain(c);
      }),
      { numRuns: 300 },
    );
    const plain = 'The client confirmed they spoke to you on the phone. '
      .repeat(5)
      .slice(0, MAX_DECLINE_NOTE);
    expect(smsLength(t.returnDeclinedSms('123456', plain))).toMatchObject({ encoding: 'GSM-7', segments: 2 });
    expect(t.returnDeclinedSms('4821', plain)).toContain(plain.trim());
  });

  it('says how to answer in this language', () => {
    expect(repliesIn(t.returnUsageSms())).toContainEqual(
      expect.objectContaining({ kind: 'bad', code: '4821' }),
    );
    expect(repliesIn(t.helpSms())).toContainEqual({ kind: 'yes', code: '4821' });
    expect(t.optedOutSms()).toContain('START');
    expect(repliesIn(t.optedInSms())).toContainEqual({ kind: 'stop' });
    // How to sign in to the portal: the ACCOUNT word of this language, in HELP and the opt-in.
    const account = (module.keywords.account ?? []).map((w) => w.toUpperCase());
    expect(account).not.toEqual([]);
    for (const sms of [t.helpSms(), t.optedInSms()]) {
      expect(repliesIn(sms)).toContainEqual({ kind: 'account' });
      expect(account.some((w) => sms.includes(w))).toBe(true);
    }
    // How to switch back: a word of another language.
    expect(repliesIn(t.languageSms()).some((r) => r.kind === 'language' && r.language !== language)).toBe(
      true,
    );
    expect(t.chargingSms({ code: '4821', priceCents: 1500, currency: 'usd' })).toContain('AUTO OFF');
    if (wording) {
      expect(t.returnUsageSms()).toContain(wording.bad);
      expect(t.helpSms()).toContain(wording.yes);
      expect(t.optedInSms()).toContain(wording.stop);
      expect(t.languageSms()).toContain(wording.other);
    }
  });
});

describe('Spanish wording', () => {
  const es = templates('es');

  it('the teaser, GSM-7 even for a category written with í', () => {
    expect(
      es.teaserSms({
        code: '4821',
        category: 'plomería',
        zipCode: '28001',
        city: 'Madrid',
        description: 'Fuga en el fregadero',
        budget: '500 €',
        priceCents: 1500,
        currency: 'usd',
        ...contact,
      }),
    ).toBe(
      'Nuevo lead de plomeria, 28001 Madrid: Fuga en el fregadero. Presupuesto: 500 €. Precio $15.00. Responda SI 4821',
    );
  });

  it('the details', () => {
    expect(
      es.detailsText({
        code: '4821',
        ...contact,
        category: 'plumbing',
        zipCode: '78701',
        city: null,
        description: 'Fuga',
        budget: null,
      }),
    ).toBe(
      'El lead 4821 es suyo.\nCliente: Jane Doe\nTel: +15125550123\nEmail: jane.doe@example.com\nTrabajo: plumbing, 78701\nFuga',
    );
  });

  it('uses no letter outside GSM-7 (á, í, ó, ú) in its own words', () => {
    const lead = { code: '4821', priceCents: 1500, currency: 'usd' };
    const refund = { code: '4821', amountCents: 1500, currency: 'usd' };
    for (const text of [
      es.helpSms(),
      es.payLinkSms(lead, url),
      es.refundedSms(refund),
      es.autoPayOnSms(),
      es.languageSms(),
      es.returnUsageSms(),
      es.returnOpenedSms('4821'),
      es.returnApprovedSms(refund),
      es.returnDeclinedSms('4821', 'ok'),
      es.returnWindowClosedSms('4821', 14),
      es.returnAlreadySms('4821'),
      es.returnNotBoughtSms('4821'),
      es.portalLinkSms(portalUrl, 15),
      es.portalWaitSms(15),
    ]) {
      expect(text).not.toMatch(/[áíóúÁÍÓÚ]/);
    }
  });
});

/**
 * HELP and the opt-in confirmation, as CTIA's Messaging Principles and the 10DLC campaign review
 * ask for them: each element, in each language, at the brand and contact length of SENDER.
 */
const CARRIER_ELEMENTS: Record<string, Array<[string, RegExp]>> = {
  en: [
    ['the brand', /^Austin Pro Leads /],
    ['the program', /lead alerts/],
    ['the frequency', /Msg frequency varies\./],
    ['the rates', /Msg&data rates may apply\./],
    ['the support contact', /Help: help@austinpro\.com\./],
    ['how to opt out', /Reply STOP to cancel\.$/],
  ],
  es: [
    ['the brand', /^Austin Pro Leads /],
    ['the program', /alertas de leads/],
    ['the frequency', /Frecuencia variable\./],
    ['the rates', /Msj y datos pueden tener costo\./],
    ['the support contact', /Ayuda: help@austinpro\.com\./],
    ['how to opt out', /STOP (cancela|para cancelar)\.$/],
  ],
};

describe.each(['en', 'es'] as const)('carriers ask HELP and the opt-in confirmation (%s) for', (code) => {
  const t = LANGUAGES.find((l) => l.code === code)!.sms(SENDER);
  it.each(CARRIER_ELEMENTS[code]!)('%s', (_element, pattern) => {
    expect(t.helpSms()).toMatch(pattern);
    expect(t.optedInSms()).toMatch(pattern);
  });
  it('each in one GSM-7 segment', () => {
    for (const text of [t.helpSms(), t.optedInSms()])
      expect(smsLength(text)).toMatchObject({ encoding: 'GSM-7', segments: 1 });
  });
});

describe('the brand', () => {
  it('is the one SMS_BRAND_NAME sets, in every SMS that names a sender, in every language', () => {
    const sender = { brand: 'Acme Home Pros', support: 'acme.example/help' };
    for (const module of LANGUAGES) {
      const t = module.sms(sender);
      const named = [
        t.optedOutSms(),
        t.optedInSms(),
        t.helpSms(),
        t.autoPayOffSms(),
        t.autoPayOnSms(),
        t.languageSms(),
        t.returnUsageSms(),
        t.returnOpenedSms('4821'),
        t.returnApprovedSms({ code: '4821', amountCents: 1500, currency: 'usd' }),
        t.returnDeclinedSms('4821', 'no'),
        t.returnWindowClosedSms('4821', 14),
        t.returnAlreadySms('4821'),
        t.returnNotBoughtSms('4821'),
        t.budgetRefusedSms('4821', 'weekly_cap'),
        t.budgetRefusedSms('4821', 'daily_cap'),
        t.erasedRefundSms({ code: '4821', amountCents: 1500, currency: 'usd' }),
        t.detailsErasedSms('4821'),
        t.optOutCheckSms(),
        t.portalLinkSms(portalUrl, 15),
        t.portalWaitSms(15),
      ];
      for (const text of named) {
        expect(text, module.code).toMatch(/^Acme Home Pros\b/);
        expect(text, module.code).not.toContain('Lead Unlock');
      }
    }
  });
});
