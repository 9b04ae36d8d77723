/**
 * The console's labels (console/labels.ts) and formats (console/format.ts): every value the
 * server's unions hold at run time has a label of words (not its code), and phones and times read
 * as an operator writes them. The unions that exist only as types are held by `satisfies Record<…>`
 * in labels.ts: a member without its label fails `tsc`.
 */
import { describe, expect, it } from 'vitest';
import { dateTime, phone } from '../../console/format';
import * as labels from '../../console/labels';
import { deliveryText, labelOf } from '../../console/labels';
import { leadReturns, offers, providers, smsMessages, stripeTasks, unlocks } from '../../lib/db/schema';
import { UNMATCHED_REASONS } from '../../lib/leads/unmatched';
import { UNDELIVERED_CODES } from '../../lib/messaging/delivery-report';
import { RETURN_REASONS } from '../../lib/sms/return-reason';

/** Each table against the values the server can store or answer. */
const UNIONS: Array<[string, Record<string, string>, readonly string[]]> = [
  ['LEAD_STATUS', labels.LEAD_STATUS, ['open', 'full', 'closed', 'expired']],
  ['UNMATCHED_LABELS', labels.UNMATCHED_LABELS, UNMATCHED_REASONS],
  ['OFFER_STATUS', labels.OFFER_STATUS, offers.status.enumValues],
  ['CHARGE_STATUS', labels.CHARGE_STATUS, offers.chargeStatus.enumValues],
  ['PAID_WITH', labels.PAID_WITH, unlocks.paidWith.enumValues],
  ['SMS_STATUS', labels.SMS_STATUS, smsMessages.status.enumValues],
  ['RETURN_STATUS', labels.RETURN_STATUS, leadReturns.status.enumValues],
  ['RETURN_REASON', labels.RETURN_REASON, RETURN_REASONS],
  ['RETURN_SOURCE', labels.RETURN_SOURCE, leadReturns.source.enumValues],
  ['STRIPE_TASK_KIND', labels.STRIPE_TASK_KIND, stripeTasks.kind.enumValues],
  ['STRIPE_TASK_STATUS', labels.STRIPE_TASK_STATUS, stripeTasks.status.enumValues],
  ['OPT_IN_SOURCE', labels.OPT_IN_SOURCE, providers.optInSource.enumValues],
];

describe('console/labels.ts', () => {
  it.each(UNIONS)('%s labels every value the server has, and only those', (_name, table, values) => {
    expect(Object.keys(table).sort()).toEqual([...values].sort());
  });

  it('every label is words, never the code it stands for', () => {
    const tables = Object.entries(labels as Record<string, unknown>).filter(
      (e): e is [string, Record<string, string>] => typeof e[1] === 'object',
    );
    expect(tables.length).toBeGreaterThanOrEqual(18);
    for (const [name, table] of tables)
      for (const [code, label] of Object.entries(table)) {
        expect(label, `${name}.${code}`).toMatch(/\w/);
        expect(label, `${name}.${code}`).not.toMatch(/_/);
        // A one-letter code (TextMagic's `d`) reads as words.
        expect(label.length, `${name}.${code}`).toBeGreaterThan(2);
      }
  });

  it("reads TextMagic's delivery codes, the undelivered ones included", () => {
    for (const code of UNDELIVERED_CODES)
      expect(labelOf(labels.DELIVERY, code)).toMatch(/not delivered|rejected/i);
    expect(labelOf(labels.SMS_KIND, 'pay_link')).toBe('Pay link');
    expect(labelOf(labels.TIMELINE_KIND, 'return_opened')).toBe('Return opened');
    expect(deliveryText({ '+15125550101': 'd' })).toBe('Delivered');
    expect(deliveryText({ '+15125550101': 'd', '+15125550102': 'f' }, phone)).toBe(
      '(512) 555-0101: Delivered; (512) 555-0102: Not delivered',
    );
    expect(deliveryText({})).toBe('—');
    // A code added after this table: words, not a blank.
    expect(labelOf(labels.SMS_KIND, 'new_kind')).toBe('new kind');
  });
});

describe('console/format.ts', () => {
  it('writes a phone in the national format of its country when it is the console’s, else internationally', () => {
    expect(phone('+15125550101')).toBe('(512) 555-0101');
    expect(phone('+442079460958')).toBe('+44 20 7946 0958');
    expect(phone('+33123456789')).toBe('+33 1 23 45 67 89');
    expect(phone('+442079460958', 'GB')).toBe('020 7946 0958');
    expect(phone('not a phone')).toBe('not a phone');
    expect(phone(null)).toBe('—');
  });

  it('writes a time with its zone, in the zone asked for', () => {
    expect(dateTime('2026-12-06T21:04:00Z', 'America/Chicago')).toBe('Dec 6, 2026, 3:04 PM CST');
    expect(dateTime('2026-07-06T21:04:00Z', 'America/New_York')).toBe('Jul 6, 2026, 5:04 PM EDT');
    expect(dateTime('2026-12-06T21:04:00Z', 'UTC')).toBe('Dec 6, 2026, 9:04 PM UTC');
    expect(dateTime(null)).toBe('—');
  });
});
