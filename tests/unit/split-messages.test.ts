import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_PARTS, messagePart, smsEncoding, smsLength, splitMessages } from '../../lib/sms/segments';
import { smsParts } from '../../emulators/fake-textmagic';

const PREFIX = /^\((\d+)\/(\d+)\) /;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });
const graphemes = (text: string) => Array.from(segmenter.segment(text), (s) => s.segment);

/** The pieces of a split text, prefixes checked and removed. */
function pieces(messages: string[]): string[] {
  return messages.map((m, i) => {
    const match = PREFIX.exec(m);
    expect(match, m.slice(0, 20)).not.toBeNull();
    expect([Number(match![1]), Number(match![2])]).toEqual([i + 1, messages.length]);
    return m.slice(match![0].length);
  });
}

/** What splitMessages promises for any text. */
function checkSplit(text: string, maxParts = MAX_PARTS) {
  const messages = splitMessages(text, maxParts);
  for (const m of messages) {
    // Ours (conservative) and what TextMagic counts (the fake refuses the same texts it does).
    expect(smsLength(m).segments).toBeLessThanOrEqual(maxParts);
    expect(smsParts(m)).toBeLessThanOrEqual(maxParts);
    expect(m).not.toMatch(LONE_SURROGATE);
  }
  if (smsLength(text).segments <= maxParts) {
    expect(messages).toEqual([text]);
    return messages;
  }
  const cut = pieces(messages);
  expect(cut.join('')).toBe(text);
  // Every cut falls between two characters as a reader sees them.
  const boundaries = new Set<number>();
  let at = 0;
  for (const g of graphemes(text)) boundaries.add((at += g.length));
  at = 0;
  for (const piece of cut.slice(0, -1)) {
    expect(piece).not.toBe('');
    expect(boundaries.has((at += piece.length))).toBe(true);
    // A piece ends at a line break or space unless its second half has none to end at.
    if (!/\s$/.test(piece)) {
      const chars = graphemes(piece);
      expect(chars.slice(Math.ceil(chars.length / 2) - 1).some((c) => /^\s+$/.test(c))).toBe(false);
    }
  }
  return messages;
}

// Characters that matter to the split: GSM, extension (two septets), UCS-2, surrogate pairs,
// emoji sequences, combining marks, line breaks and spaces.
// prettier-ignore
const alphabet = [
  'a', 'b', 'c', 'd', 'e', 'o', 'ü', 'É', '1', '.', ',', '€', '[', ' ', ' ', ' ', '\n', '\r\n',
  'ł', 'Ж', '水', '’', '😀', '👍🏽', '👨‍👩‍👧‍👦', '🇩🇪', 'e\u0301', '\u00a0',
];
const text = fc.oneof(
  fc.string({ unit: fc.constantFrom(...alphabet), maxLength: 3000 }),
  fc.string({ unit: fc.constantFrom('lorem', 'ipsum', ' ', ' ', '\n', 'x'.repeat(400)), maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 1500 }),
);

describe('splitMessages', () => {
  it('a text that fits stays one message, without a prefix', () => {
    expect(splitMessages('Lead 4821 is yours.')).toEqual(['Lead 4821 is yours.']);
    const six = 'a'.repeat(153 * 6);
    expect(splitMessages(six)).toEqual([six]);
    expect(splitMessages('')).toEqual(['']);
  });

  it('every message within the parts limit, nothing lost, cut only between characters, for any text', () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 6 }), (t, maxParts) => {
        checkSplit(t, maxParts);
      }),
      { numRuns: 300 },
    );
  });

  it('cuts at line breaks, else between words, each message in its own encoding', () => {
    const line = 'The pipe under the kitchen sink has been dripping for days and the floor is wet.\n';
    const lines = checkSplit(line.repeat(20));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/wet\.\n$/);

    const words = checkSplit('word '.repeat(400));
    expect(words[0]).toMatch(/ $/);

    // A UCS-2 start does not make the GSM-7 rest UCS-2.
    const mixed = checkSplit('Ж'.repeat(300) + ' ' + 'plain text '.repeat(80));
    expect(mixed.map(smsEncoding)).toEqual(['UCS-2', 'GSM-7']);
  });

  it('hard-splits a word longer than a message, never inside a surrogate pair or emoji', () => {
    checkSplit('x'.repeat(3000));
    checkSplit('😀'.repeat(700));
    checkSplit('👨‍👩‍👧‍👦'.repeat(150));
    checkSplit('€'.repeat(1000));
  });

  it('a single character bigger than a message is cut by code point, losing nothing', () => {
    const zalgo = 'e' + '\u0301'.repeat(1000);
    const messages = splitMessages(zalgo);
    for (const m of messages) expect(smsLength(m).segments).toBeLessThanOrEqual(MAX_PARTS);
    expect(pieces(messages).join('')).toBe(zalgo);
  });

  it('counts a two-digit prefix when there are ten messages or more', () => {
    // UCS-2: 6 parts of 67 is 402 characters a message, 394 after the widest two-digit prefix
    // `(99/99) `: 5000 take 13.
    const messages = checkSplit('Ж'.repeat(5000));
    expect(messages).toHaveLength(13);
    expect(messages.at(-1)).toMatch(new RegExp(`^\\(${messages.length}/${messages.length}\\) `));
    expect(messages.map(messagePart).at(-1)).toEqual({ n: messages.length, of: messages.length });
  });

  it('messagePart reads the prefix, null without one', () => {
    expect(messagePart('(2/3) rest')).toEqual({ n: 2, of: 3 });
    expect(messagePart('Lead 4821 is yours.')).toBeNull();
  });
});
