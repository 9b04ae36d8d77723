import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CONTACT_REMOVED, redactContact } from '../../lib/sms/redact-contact';
import { fitsOneSegment } from '../../lib/sms/segments';
import { templates } from '../../lib/sms/templates';

const { teaserSms } = templates('en');

const client = { name: 'Jane Client', phone: '+15125550142', email: 'jane.client@example.com' };

/** Ways people type a phone number into a form. */
const phoneWritings = [
  '(512) 555-0142',
  '512-555-0142',
  '512.555.0142',
  '512 555 0142',
  '5125550142',
  '+1 512 555 0142',
  '+15125550142',
  '555-0142',
  '+44 20 7946 0958',
  '06 12 34 56 78',
  '０３-１２３４-５６７８',
  '٠١٢٣٤٥٦٧٨٩',
];
const emailWritings = [
  'jane.client@example.com',
  'JANE.CLIENT@EXAMPLE.COM',
  'someone+tag@mail.example.co.uk',
  'jane at example dot com',
  'jane(at)example(dot)com',
  'jane [at] example [dot] com',
];

/** Seven or more digits in one run, however separated: what must never reach a teaser. */
const PHONE_LIKE = /\p{Nd}(?:[\s./()-]{0,3}\p{Nd}){6,}/u;

describe('redactContact', () => {
  it('removes phone numbers however they are written', () => {
    for (const phone of phoneWritings) {
      const out = redactContact(`Call me on ${phone} after 5pm.`);
      expect(out, phone).toBe(`Call me on ${CONTACT_REMOVED} after 5pm.`);
    }
  });

  it('removes e-mail addresses, also spelled out', () => {
    for (const email of emailWritings) {
      const out = redactContact(`Write to ${email} please`);
      expect(out, email).toBe(`Write to ${CONTACT_REMOVED} please`);
    }
  });

  it('keeps what only looks like a number: prices, ranges, dates, times, zip codes', () => {
    for (const text of [
      'Budget $1,000,000 or $500',
      'between 500-1000 dollars, or 1500 - 2000',
      'move on 2024-05-01 or 01/05/2024',
      'any time 9:00-17:00, meet at 5.30pm',
      'zip 78701',
      '3 bedrooms, 2nd floor, 120 m2',
    ]) {
      expect(redactContact(text), text).toBe(text);
    }
  });

  it("removes the client's own number and name even where a stranger's would pass", () => {
    // 550-1230 is shaped like a range of round amounts; as the client's own number it goes.
    const own = { phone: '+15125501230' };
    expect(redactContact('from 550-1230', own)).toBe(`from ${CONTACT_REMOVED}`);
    expect(redactContact('from 550-1230')).toBe('from 550-1230');
    expect(redactContact('jane client needs a plumber', client)).toBe('the client needs a plumber');
    expect(redactContact('Jane needs a plumber', client)).toBe('Jane needs a plumber');
  });

  it('never leaves a run of 7 digits or an @-address, whatever surrounds them', () => {
    const word = fc.string({ unit: fc.constantFrom(...'abc xyz.,;:!-/()$€'.split('')), maxLength: 12 });
    fc.assert(
      fc.property(
        word,
        fc.constantFrom(...phoneWritings, ...emailWritings),
        word,
        (before, contact, after) => {
          const out = redactContact(`${before} ${contact} ${after}`);
          expect(out).not.toMatch(PHONE_LIKE);
          expect(out).not.toMatch(/@|\bat\b.*\bdot\b|\(at\)|\[at\]/i);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('teaserSms with contact details typed into the request', () => {
  const base = {
    code: '4821',
    category: 'plumbing',
    zipCode: '78701',
    city: 'Austin',
    priceCents: 1500,
    currency: 'usd',
    ...client,
  };

  it('carries none of them, and still fits one segment', () => {
    const text = teaserSms({
      ...base,
      description: `Sink leaks. Call Jane Client on (512) 555-0142 or jane.client@example.com`,
      budget: 'text 512 555 0142',
    });
    expect(text).toContain(CONTACT_REMOVED);
    expect(text).not.toMatch(PHONE_LIKE);
    expect(text).not.toMatch(/jane|@|0142/i);
    expect(fitsOneSegment(text)).toBe(true);
  });

  it('never shows part of a number cut at the end of the room', () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom(...'abcdefghij klmnop,.'.split('')),
          minLength: 0,
          maxLength: 200,
        }),
        fc.constantFrom(...phoneWritings, ...emailWritings),
        fc.option(fc.constantFrom(...phoneWritings), { nil: null }),
        (prefix, contact, budget) => {
          const text = teaserSms({ ...base, description: `${prefix} ${contact} thanks`, budget });
          expect(fitsOneSegment(text)).toBe(true);
          expect(text).not.toMatch(PHONE_LIKE);
          // No 4+ digit tail of a number either: only the price and the code carry digits.
          const digits = text.replace(/Price .*$/, '').match(/\p{Nd}{3,}/gu) ?? [];
          expect(digits.filter((d) => d !== '78701')).toEqual([]);
          expect(text).not.toMatch(/@/);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
