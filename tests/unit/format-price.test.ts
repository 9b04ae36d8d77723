import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatPrice, KNOWN_CURRENCIES } from '../../lib/sms/format-price';

/** What the formatter replaces: Intl's en-US currency format, no-break spaces made plain. */
function intl(cents: number, currency: string): string {
  const format = new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(cents / 10 ** digits).replace(/[\u00a0\u202f]/g, ' ');
}

describe('formatPrice', () => {
  it('writes the common currencies as Intl does, without it', () => {
    expect(formatPrice(1500, 'usd')).toBe('$15.00');
    expect(formatPrice(123456789, 'USD')).toBe('$1,234,567.89');
    expect(formatPrice(1500, 'jpy')).toBe('¥1,500');
    expect(formatPrice(2500, 'chf')).toBe('CHF 25.00');
  });

  it('agrees with Intl for every currency in its table, at any amount', () => {
    const amounts = fc.oneof(
      fc.integer({ min: -1_000_000, max: 1_000_000 }),
      fc.integer({ min: -(2 ** 53 - 1), max: 2 ** 53 - 1 }),
      fc.constantFrom(0, -0, 5, 50, 999, 1000, 100_000, 999_999_999_999_999, 1e15, 2 ** 53 - 1),
      fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e7, max: 1e7 }),
    );
    fc.assert(
      fc.property(amounts, fc.constantFrom(...KNOWN_CURRENCIES), (cents, currency) => {
        expect(formatPrice(cents, currency)).toBe(intl(cents, currency));
        expect(formatPrice(cents, currency.toUpperCase())).toBe(intl(cents, currency));
      }),
      { numRuns: 2000 },
    );
  });

  it('leaves any other currency to Intl', () => {
    for (const currency of ['huf', 'isk', 'bhd', 'krw', 'inr', 'xof', 'zar'] as const) {
      expect(KNOWN_CURRENCIES).not.toContain(currency);
      for (const cents of [0, 5, 1500, 123456789])
        expect(formatPrice(cents, currency)).toBe(intl(cents, currency));
    }
    expect(formatPrice(1500, 'bhd')).toBe('BHD 1.500');
  });
});
