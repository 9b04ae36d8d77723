/** TOTP against RFC 6238's own test vectors (Appendix B, SHA-1) and RFC 4648's base32 ones. */
import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode, hotp, matchTotp, totpAt } from '../../lib/operators/totp';

// RFC 6238 Appendix B: the SHA-1 seed is the ASCII string "12345678901234567890", 8 digits.
const SEED = base32Encode(Buffer.from('12345678901234567890', 'ascii'));
const VECTORS: Array<[number, string]> = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('TOTP (RFC 6238)', () => {
  it.each(VECTORS)('at %i s: %s', (t, code) => {
    expect(totpAt(SEED, t, 8)).toBe(code);
    // Six digits: the same truncation, modulo 10^6.
    expect(totpAt(SEED, t)).toBe(code.slice(2));
  });

  it('HOTP matches RFC 4226 Appendix D', () => {
    const key = Buffer.from('12345678901234567890', 'ascii');
    const expected = [
      '755224',
      '287082',
      '359152',
      '969429',
      '338314',
      '254676',
      '287922',
      '162583',
      '399871',
      '520489',
    ];
    expect(expected.map((_, i) => hotp(key, i))).toEqual(expected);
  });

  it('accepts the step before, now and after, once each, and nothing further', () => {
    const t = 1234567890;
    const step = Math.floor(t / 30);
    expect(matchTotp(SEED, totpAt(SEED, t - 30), t, null)).toBe(step - 1);
    expect(matchTotp(SEED, totpAt(SEED, t), t, null)).toBe(step);
    expect(matchTotp(SEED, totpAt(SEED, t + 30), t, null)).toBe(step + 1);
    expect(matchTotp(SEED, totpAt(SEED, t + 60), t, null)).toBeUndefined();
    expect(matchTotp(SEED, totpAt(SEED, t - 60), t, null)).toBeUndefined();
    // Used at `step`: that code and older ones are spent.
    expect(matchTotp(SEED, totpAt(SEED, t), t, step)).toBeUndefined();
    expect(matchTotp(SEED, totpAt(SEED, t - 30), t, step)).toBeUndefined();
    expect(matchTotp(SEED, totpAt(SEED, t + 30), t, step)).toBe(step + 1);
    // Spaces as apps show them; nothing but six digits.
    const code = totpAt(SEED, t);
    expect(matchTotp(SEED, `${code.slice(0, 3)} ${code.slice(3)}`, t, null)).toBe(step);
    for (const bad of ['', '12345', '1234567', 'abcdef', `${code}0`]) {
      expect(matchTotp(SEED, bad, t, null)).toBeUndefined();
    }
  });
});

describe('base32 (RFC 4648 §10)', () => {
  const CASES: Array<[string, string]> = [
    ['', ''],
    ['f', 'MY'],
    ['fo', 'MZXQ'],
    ['foo', 'MZXW6'],
    ['foob', 'MZXW6YQ'],
    ['fooba', 'MZXW6YTB'],
    ['foobar', 'MZXW6YTBOI'],
  ];
  it.each(CASES)('%j ⇄ %s (unpadded)', (plain, encoded) => {
    expect(base32Encode(Buffer.from(plain))).toBe(encoded);
    expect(base32Decode(encoded).toString()).toBe(plain);
    expect(base32Decode(`${encoded.toLowerCase()}===`).toString()).toBe(plain);
  });
});
