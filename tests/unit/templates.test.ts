import fc from 'fast-check';
import { describe, it, expect } from 'vitest';
import { redactContact } from '../../lib/sms/redact-contact';
import { fitsOneSegment, smsEncoding, smsLength } from '../../lib/sms/segments';
import {
  formatPrice,
  teaserText,
  templates,
  type DetailsLead,
  type TeaserLead,
} from '../../lib/sms/templates';
import { smsParts } from '../../emulators/fake-textmagic';

// The English wording; tests/unit/templates-languages.test.ts holds every language to its budgets.
const {
  budgetRefusedSms,
  autoPayOffSms,
  autoPayOnSms,
  cardFailedSms,
  chargingSms,
  chooseOfferSms,
  detailsSms,
  detailsText,
  helpSms,
  noOpenOffersSms,
  optedInSms,
  optedOutSms,
  payLinkSms,
  refundedSms,
  teaserSms,
  unavailableSms,
} = templates('en');

// One fixture yields both views of the same lead, so the teaser can be checked against the
// contact details that it must never reveal.
type Fixture = DetailsLead & { priceCents: number; currency: string };

function fixture(overrides: Partial<Fixture> = {}): Fixture {
  return {
    code: '4821',
    name: 'Jane Doe',
    phone: '+15125550123',
    email: 'jane.doe@example.com',
    category: 'plumbing',
    zipCode: '78701',
    city: 'Austin',
    description: 'Leaking kitchen sink, need it fixed this week',
    budget: '$500',
    priceCents: 1500,
    currency: 'usd',
    ...overrides,
  };
}

function teaserOf(f: Fixture): TeaserLead {
  const { code, category, zipCode, city, description, budget, priceCents, currency } = f;
  return { code, category, zipCode, city, description, budget, priceCents, currency };
}

function detailsOf(f: Fixture): DetailsLead {
  const { code, name, phone, email, category, zipCode, city, description, budget } = f;
  return { code, name, phone, email, category, zipCode, city, description, budget };
}

const LONG =
  'The pipe under the kitchen sink has been dripping for days and the cabinet floor is soaked. '.repeat(25);

const descriptions = [
  'Leaking kitchen sink',
  'x',
  LONG,
  LONG.slice(0, 2000),
  'Need a mover for a 2-bedroom flat in Zürich, 3rd floor, no lift. Piano included!',
  'Przeprowadzka z Łodzi do Gdańska, trzy pokoje, duża szafa i pianino, potrzebna ekipa',
  'Переезд из Москвы в Санкт-Петербург, нужна машина и грузчики на выходные',
  '水漏れの修理をお願いします。台所のシンクの下から水が漏れています。'.repeat(5),
  '🚿 Shower is broken 😭😭 water everywhere 🌊 please come ASAP 🙏🏽 ' + '👨‍👩‍👧‍👦'.repeat(20),
  '😀'.repeat(200),
  '  Lots   of\n\n\twhitespace \r\n everywhere   \u00a0 and\u2003more  ',
  'It’s “urgent” – the sink… leaks',
  'Budget is €€€ [flexible] {negotiable} ~ ^ | \\ '.repeat(10),
  'Zu\u0308rich decomposed u-umlaut, otherwise plain text that goes on and on and on for a while longer',
  'supercalifragilisticexpialidocious'.repeat(10),
  'Tutor needed for GCSE maths; evenings only. ' + 'ü'.repeat(200),
  // The client's own contact typed into the request: the teaser must still not carry it.
  'Call me on +1 (512) 555-0123 or jane.doe@example.com, mornings',
  'Short: 512.555.0123',
];
const categories = [
  'plumbing',
  'moving',
  'Private tutoring',
  'Heating, ventilation and air conditioning repair and maintenance services'.repeat(3),
  'Klempnerarbeiten für Küche',
  'Ремонт',
];
const cities: (string | null)[] = [
  null,
  'Austin',
  'Zürich',
  'Łódź',
  'Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch',
  'San Francisco 🌉',
  'x'.repeat(500),
];
const budgets: (string | null)[] = [
  null,
  '$500',
  '€1,000–€2,000',
  'around five hundred dollars, maybe more if the work is good and done on time',
  '💰💰💰',
  'text me 512 555 0123',
];
const prices: [number, string][] = [
  [1500, 'usd'],
  [999999, 'eur'],
  [1500, 'jpy'],
  [2500, 'chf'],
  [100, 'pln'],
  [5, 'gbp'],
];
const codes = ['4821', '93012', '100000'];

function* generated(): Generator<Fixture> {
  let i = 0;
  for (const description of descriptions)
    for (const category of categories)
      for (const city of cities)
        for (const budget of budgets) {
          const [priceCents, currency] = prices[i % prices.length]!;
          const code = codes[i % codes.length]!;
          i += 1;
          yield fixture({ description, category, city, budget, priceCents, currency, code });
        }
}

describe('formatPrice', () => {
  it('formats integer minor units as en-US currency', () => {
    expect(formatPrice(1500, 'usd')).toBe('$15.00');
    expect(formatPrice(1500, 'USD')).toBe('$15.00');
    expect(formatPrice(5, 'usd')).toBe('$0.05');
    expect(formatPrice(0, 'usd')).toBe('$0.00');
    expect(formatPrice(123456789, 'usd')).toBe('$1,234,567.89');
    expect(formatPrice(1999, 'eur')).toBe('€19.99');
    expect(formatPrice(1500, 'gbp')).toBe('£15.00');
  });

  it('knows zero-decimal currencies', () => {
    expect(formatPrice(1500, 'jpy')).toBe('¥1,500');
  });

  it('uses plain spaces, which GSM-7 has', () => {
    const chf = formatPrice(2500, 'chf');
    expect(chf).toBe('CHF 25.00');
    expect(smsEncoding(chf)).toBe('GSM-7');
  });
});

describe('teaserSms', () => {
  it('matches the documented shape', () => {
    expect(teaserSms(teaserOf(fixture()))).toBe(
      'New plumbing lead, 78701 Austin: Leaking kitchen sink, need it fixed this week. Budget: $500. Price $15.00. Reply YES 4821',
    );
  });

  it('cuts a long description with a GSM-7 ellipsis', () => {
    const text = teaserSms(teaserOf(fixture({ description: LONG })));
    expect(text).toMatch(
      /^New plumbing lead, 78701 Austin: The pipe under the kitchen sink .*\.\.\. Budget: \$500\. Price \$15\.00\. Reply YES 4821$/,
    );
    expect(text).not.toContain('…');
    expect(smsLength(text).encoding).toBe('GSM-7');
    expect(smsLength(text).units).toBeGreaterThan(140);
  });

  it('uses … when the teaser is UCS-2 anyway', () => {
    const text = teaserSms(
      teaserOf(
        fixture({
          description: 'Переезд из Москвы в Санкт-Петербург, нужна машина',
          budget: null,
          city: null,
        }),
      ),
    );
    expect(smsEncoding(text)).toBe('UCS-2');
    expect(text).toContain('…');
    expect(fitsOneSegment(text)).toBe(true);
  });

  it('keeps GSM letters such as ü in GSM-7', () => {
    const text = teaserSms(teaserOf(fixture({ city: 'Zürich', description: LONG })));
    expect(text).toContain('78701 Zürich');
    expect(smsEncoding(text)).toBe('GSM-7');
  });

  it('swaps typographic punctuation for GSM-7 and collapses whitespace', () => {
    const text = teaserSms(teaserOf(fixture({ description: ' It’s “urgent”\n\n –  the   sink…  leaks ' })));
    expect(text).toContain(`: It's "urgent" - the sink... leaks. Budget`);
    expect(smsEncoding(text)).toBe('GSM-7');
  });

  it('leaves emoji out rather than halve the room', () => {
    const text = teaserSms(teaserOf(fixture({ description: '🚿 Shower broken 😭 water everywhere' })));
    expect(text).toContain(': Shower broken water everywhere. Budget');
    expect(smsEncoding(text)).toBe('GSM-7');
  });

  it('fits one segment, keeps price and code intact and reveals no contact, for any input', () => {
    const failures: { problem: string; text: string; lead: Fixture }[] = [];
    let count = 0;
    for (const f of generated()) {
      count += 1;
      const text = teaserSms(teaserOf(f));
      const fail = (problem: string) => failures.push({ problem, text, lead: f });
      if (!fitsOneSegment(text)) fail('more than one segment');
      if (!text.endsWith(`Price ${formatPrice(f.priceCents, f.currency)}. Reply YES ${f.code}`))
        fail('price or code');
      if (!text.startsWith('New ')) fail('opening');
      for (const secret of [f.name, f.phone, f.email!, '5125550123', '555-0123', '555 0123', '@', 'jane']) {
        if (text.toLowerCase().includes(secret.toLowerCase())) fail(`reveals ${secret}`);
      }
      // Whenever some description shows, it is the start of it.
      const shown = /^New .*? lead(?:, [^:.]*)?: (.*?)(?:\.\.\.|…|\.)?(?: Budget: .*)? Price /.exec(
        text,
      )?.[1];
      // (Contact details in it are replaced first.)
      if (shown && !redactContact(teaserText(f.description)).startsWith(shown))
        fail('description is not its start');
    }
    expect(failures.slice(0, 5)).toEqual([]);
    expect(count).toBeGreaterThan(3000);
  });

  it('shows the start of the description whenever the other fields leave room', () => {
    for (const description of descriptions) {
      const start = teaserText(description).slice(0, 5);
      if (!start) continue;
      // GSM-7 leaves room next to a typical category, area and budget; UCS-2 (70 units) only
      // next to short ones.
      const f =
        smsEncoding(start) === 'GSM-7'
          ? fixture({ description })
          : fixture({ description, city: null, budget: null });
      expect(teaserSms(teaserOf(f)), description).toContain(`: ${start}`);
    }
  });

  it('shrinks budget, city and category only after the description', () => {
    const text = teaserSms(teaserOf(fixture({ budget: 'b'.repeat(300), description: 'short job' })));
    expect(text).not.toContain('short job');
    expect(text).toMatch(/Budget: b+\.\.\. Price \$15\.00\. Reply YES 4821$/);
    expect(fitsOneSegment(text)).toBe(true);

    const huge = teaserSms(
      teaserOf(
        fixture({
          category: 'c'.repeat(400),
          city: 'd'.repeat(400),
          budget: 'e'.repeat(400),
          description: 'f'.repeat(400),
        }),
      ),
    );
    expect(fitsOneSegment(huge)).toBe(true);
    expect(huge).toMatch(/Price \$15\.00\. Reply YES 4821$/);
  });
});

describe('detailsSms', () => {
  /** The messages' text, "(i/n) " prefixes removed. */
  const joined = (messages: string[]) => messages.map((m) => m.replace(/^\(\d+\/\d+\) /, '')).join('');

  it('short details: one message, no prefix', () => {
    const messages = detailsSms(detailsOf(fixture({ email: null, city: null, budget: null })));
    expect(messages).toEqual([
      'Lead 4821 is yours.\nClient: Jane Doe\nPhone: +15125550123\nJob: plumbing, 78701\nLeaking kitchen sink, need it fixed this week',
    ]);
    expect(detailsSms(detailsOf(fixture()))).toHaveLength(1);
  });

  it('holds the contact details (first), the full description and the budget', () => {
    const f = fixture({ description: LONG.slice(0, 2000) + '\nCall after 5pm.' });
    const messages = detailsSms(detailsOf(f));
    expect(messages.length).toBeGreaterThan(1);
    for (const part of [f.code, f.name, f.phone, f.email!, f.category, f.zipCode, f.city!]) {
      expect(messages[0]).toContain(part);
    }
    const text = joined(messages);
    expect(text).toContain(f.description.trim());
    expect(text).toContain(`Budget: ${f.budget}`);
    expect(messages[0]).toMatch(/^\(1\/\d\) Lead 4821 is yours\.\nClient: Jane Doe\n/);
  });

  it('a long description keeps within TextMagic’s 6 parts a message, cut between words', () => {
    const messages = detailsSms(detailsOf(fixture({ description: LONG.slice(0, 2000) })));
    // About 2,150 GSM-7 characters in all: three messages of up to 6 x 153.
    expect(messages).toHaveLength(3);
    for (const m of messages) {
      expect(smsLength(m).segments).toBeLessThanOrEqual(6);
      expect(smsParts(m)).toBeLessThanOrEqual(6);
    }
    expect(messages[0]).toMatch(/ $/);
    expect(messages[1]).toMatch(/^\(2\/3\) \S/);
  });

  it('typographic punctuation becomes GSM-7, so one curly apostrophe does not make it all UCS-2', () => {
    const description = `It’s “urgent” – the sink… leaks\u00a0badly.\t${LONG.slice(0, 1900)}`;
    const messages = detailsSms(detailsOf(fixture({ name: 'Sam O’Brien', description })));
    // In UCS-2 (6 x 67 units a message) the same text would take six messages.
    expect(messages.map(smsEncoding)).toEqual(['GSM-7', 'GSM-7', 'GSM-7']);
    expect(joined(messages)).toContain(`Client: Sam O'Brien\n`);
    expect(joined(messages)).toContain(`It's "urgent" - the sink... leaks badly. The pipe`);
  });

  it('keeps every other character the client typed: letters, line breaks, emoji', () => {
    const f = fixture({
      name: 'Zoë Łukasiewicz',
      city: 'Łódź',
      description: 'Przeprowadzka 🚚\r\nz Łodzi do Gdańska\n\n  trzy pokoje',
    });
    expect(detailsText(detailsOf(f))).toBe(
      'Lead 4821 is yours.\nClient: Zoë Łukasiewicz\nPhone: +15125550123\nEmail: jane.doe@example.com\n' +
        'Job: plumbing, 78701 Łódź\nPrzeprowadzka 🚚\nz Łodzi do Gdańska\n\n  trzy pokoje\nBudget: $500',
    );
    expect(detailsSms(detailsOf(f))).toEqual([detailsText(detailsOf(f))]);
  });

  it('for any lead: each message within 6 parts, nothing lost, the contact first, one message when it fits', () => {
    // prettier-ignore
    const unit = fc.constantFrom(
      'a', 'e', 'r', 't', ' ', ' ', ' ', '\n', '.', '’', '“', '…', '–', 'ü', 'ł', 'Ж', '€', '😀', '👍🏽', '\u00a0',
    );
    const str = (min: number, max: number) =>
      fc.string({ unit, minLength: min, maxLength: max }).filter((s) => s.trim() !== '');
    const lead = fc.record({
      code: fc.constantFrom('4821', '93012', '100000'),
      name: str(1, 200),
      phone: fc.constant('+15125550123'),
      email: fc.option(fc.constantFrom('jane.doe@example.com', `${'x'.repeat(240)}@example.com`)),
      category: str(1, 100),
      zipCode: fc.constantFrom('78701', 'SW1A 1AA'),
      city: fc.option(str(1, 100)),
      description: fc.oneof(str(1, 2000), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 2000 })),
      budget: fc.option(str(1, 100)),
    });
    fc.assert(
      fc.property(lead, (l) => {
        const text = detailsText(l);
        const messages = detailsSms(l);
        for (const m of messages) {
          expect(smsLength(m).segments).toBeLessThanOrEqual(6);
          expect(smsParts(m)).toBeLessThanOrEqual(6);
        }
        if (smsLength(text).segments <= 6) {
          expect(messages).toEqual([text]);
          return;
        }
        messages.forEach((m, i) => expect(m.startsWith(`(${i + 1}/${messages.length}) `)).toBe(true));
        expect(joined(messages)).toBe(text);
        // The contact block whole in the first message whenever it fits one.
        const contact = text.slice(0, text.indexOf('\n', text.indexOf('\nJob: ') + 1) + 1);
        if (smsLength(`(9/9) ${contact}`).segments <= 6) expect(messages[0]).toContain(contact);
      }),
      { numRuns: 200 },
    );
  });
});

describe('short texts', () => {
  const lead = { code: '4821', priceCents: 1500, currency: 'usd' };
  const refund = { code: '4821', amountCents: 1500, currency: 'usd' };

  it('payLinkSms carries the price and the URL intact', () => {
    const url = 'https://leads.example.com/p/Zx9_aB-12cD34eF56gH78';
    const text = payLinkSms(lead, url);
    expect(text).toBe(`Lead 4821: pay $15.00 to get the client's contact details: ${url}`);
    expect(text.endsWith(url)).toBe(true);
  });

  it('name the lead where there is one', () => {
    expect(unavailableSms('4821')).toContain('4821');
    expect(refundedSms(refund)).toContain('4821');
    expect(refundedSms(refund)).toContain('$15.00');
    expect(refundedSms(refund)).toMatch(/refunded/);
  });

  it('budgetRefusedSms names the lead and the cap, and when it resets', () => {
    const weekly = budgetRefusedSms('4821', 'weekly_cap');
    expect(weekly).toContain('lead 4821');
    expect(weekly).toMatch(/weekly spending cap/);
    expect(weekly).toMatch(/Monday/);
    const daily = budgetRefusedSms('4821', 'daily_cap');
    expect(daily).toContain('lead 4821');
    expect(daily).toMatch(/daily lead limit/);
    expect(daily).toMatch(/midnight/);
    for (const text of [weekly, daily]) {
      expect(fitsOneSegment(text)).toBe(true);
      expect(smsParts(text)).toBe(1);
    }
  });

  it('chooseOfferSms lists every code', () => {
    const text = chooseOfferSms(['4821', '93012', '100000']);
    for (const code of ['4821', '93012', '100000']) expect(text).toContain(code);
    expect(text).toContain('YES 4821');
    expect(chooseOfferSms([])).toBe(noOpenOffersSms());
  });

  it('opt-out, opt-in and help say what to reply', () => {
    expect(optedOutSms()).toContain('START');
    expect(optedInSms()).toContain('STOP');
    for (const word of ['Lead Unlock', 'YES 4821', 'STOP', 'help@leadunlock.test'])
      expect(helpSms()).toContain(word);
  });

  it('are each one GSM-7 segment', () => {
    const texts = [
      payLinkSms(
        { code: '100000', priceCents: 999999, currency: 'usd' },
        'https://leads.example.com/p/Zx9_aB-12cD34eF56gH78',
      ),
      unavailableSms('100000'),
      noOpenOffersSms(),
      chooseOfferSms(['4821', '93012', '100000', '555555']),
      optedOutSms(),
      optedInSms(),
      helpSms(),
      refundedSms({ code: '100000', amountCents: 999999, currency: 'eur' }),
      budgetRefusedSms('100000', 'weekly_cap'),
      budgetRefusedSms('100000', 'daily_cap'),
    ];
    for (const text of texts) {
      expect(smsLength(text), text).toMatchObject({ encoding: 'GSM-7', segments: 1 });
    }
  });
});

describe('saved-card texts', () => {
  const lead = { code: '4821', priceCents: 1500, currency: 'usd' };
  const url = 'https://leads.example.com/p/Zx9_aB-12cD34eF56gH78';

  it('cardFailedSms says the card did not go through, with the price and the link intact', () => {
    const text = cardFailedSms(lead, url);
    expect(text).toMatch(/saved card did not go through/);
    expect(text).toContain('$15.00');
    expect(text.endsWith(url)).toBe(true);
  });

  it('chargingSms and the auto-pay confirmations say how to change it', () => {
    expect(chargingSms(lead)).toContain('$15.00');
    // Sent before the charge's outcome: no promise that a decline would break.
    expect(chargingSms(lead)).not.toMatch(/details follow/);
    expect(chargingSms(lead)).toMatch(/if not, a pay link/);
    expect(chargingSms(lead)).toContain('AUTO OFF');
    expect(autoPayOffSms()).toContain('AUTO ON');
    expect(autoPayOnSms()).toContain('AUTO OFF');
  });

  it('are each one GSM-7 segment, at the longest code and price', () => {
    const priced = { code: '100000', priceCents: 999999, currency: 'usd' };
    for (const text of [cardFailedSms(priced, url), chargingSms(priced), autoPayOffSms(), autoPayOnSms()]) {
      expect(smsLength(text), text).toMatchObject({ encoding: 'GSM-7', segments: 1 });
      expect(fitsOneSegment(text)).toBe(true);
      expect(smsEncoding(text)).toBe('GSM-7');
    }
  });
});
