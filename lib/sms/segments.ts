// SMS length accounting (GSM 03.38 / 3GPP TS 23.038), so templates can promise "one segment".

export type SmsEncoding = 'GSM-7' | 'UCS-2';

// The GSM-7 default alphabet, minus ESC (0x1B), which only introduces extension characters.
const GSM_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
    '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
// Extension table: each is sent as ESC + char, so it costs two septets.
const GSM_EXTENSION = new Set('^{}\\[~]|€\f');

const LIMITS = {
  'GSM-7': { single: 160, perPart: 153 }, // a concatenated part loses 7 septets to its header
  'UCS-2': { single: 70, perPart: 67 },
} as const;

export function smsEncoding(text: string): SmsEncoding {
  for (const ch of text) {
    if (!GSM_BASIC.has(ch) && !GSM_EXTENSION.has(ch)) return 'UCS-2';
  }
  return 'GSM-7';
}

// Units a character takes: septets in GSM-7 (an extension character is ESC + char), UTF-16 code
// units in UCS-2 (an emoji is a surrogate pair).
function cost(ch: string, encoding: SmsEncoding): number {
  return encoding === 'GSM-7' ? (GSM_EXTENSION.has(ch) ? 2 : 1) : ch.length;
}

export function smsLength(text: string): { encoding: SmsEncoding; units: number; segments: number } {
  const encoding = smsEncoding(text);
  let units = 0;
  for (const ch of text) units += cost(ch, encoding);
  const { single, perPart } = LIMITS[encoding];
  if (units <= single) return { encoding, units, segments: 1 };

  // Fill parts greedily, by code point: an ESC pair or a surrogate pair cannot straddle a part
  // boundary, so it starts the next part. Hence this can exceed ceil(units / perPart).
  let segments = 1;
  let used = 0;
  for (const ch of text) {
    const c = cost(ch, encoding);
    if (used + c > perPart) {
      segments += 1;
      used = 0;
    }
    used += c;
  }
  return { encoding, units, segments };
}

export function fitsOneSegment(text: string): boolean {
  // Shortcut for long texts: over 160 UTF-16 units is over both single-segment limits.
  if (text.length > LIMITS['GSM-7'].single) return false;
  return smsLength(text).segments === 1;
}

// ---------------------------------------------------------------------------------------------
// Texts longer than one message.

/** Most parts TextMagic sends as one message: it refuses a longer text (400) unless told to cut it. */
export const MAX_PARTS = 6;

const fits = (text: string, maxParts: number) => smsLength(text).segments <= maxParts;

let graphemeSegmenter: Intl.Segmenter | undefined;

/** User-perceived characters (an emoji sequence, a letter with its marks): never cut inside one. */
function graphemes(text: string): string[] {
  graphemeSegmenter ??= new Intl.Segmenter('en', { granularity: 'grapheme' });
  return Array.from(graphemeSegmenter.segment(text), (s) => s.segment);
}

/**
 * Where to end a piece that must stop by `end`: after the last line break, else after the last
 * space, when that keeps at least half of the room used; otherwise right at `end` (one word
 * longer than the room is cut where it must be).
 */
function breakAt(chars: string[], start: number, end: number): number {
  const least = start + Math.ceil((end - start) / 2);
  for (const boundary of [(c: string) => c.endsWith('\n'), (c: string) => /^\s+$/.test(c)]) {
    for (let i = end - 1; i >= least - 1 && i >= start; i--) {
      if (boundary(chars[i]!)) return i + 1;
    }
  }
  return end;
}

/** Splits `chars` into runs of which each, as checked by `ok`, fits one message. */
function pack(chars: string[], ok: (piece: string) => boolean): string[] {
  const pieces: string[] = [];
  let start = 0;
  while (start < chars.length) {
    // The longest run that fits. Binary search is sound: a text's part count never falls as it
    // grows (even when a new character switches it to UCS-2, 67 units a part against 153 septets).
    let lo = 0;
    let hi = chars.length - start;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (ok(chars.slice(start, start + mid).join(''))) lo = mid;
      else hi = mid - 1;
    }
    if (lo === 0) {
      // One "character" bigger than a message (hundreds of combining marks): by code point then.
      const points = Array.from(chars[start]!);
      if (points.length === 1) throw new RangeError('A single character does not fit one message');
      chars.splice(start, 1, ...points);
      continue;
    }
    const end = start + lo === chars.length ? chars.length : breakAt(chars, start, start + lo);
    pieces.push(chars.slice(start, end).join(''));
    start = end;
  }
  return pieces;
}

/**
 * A text as messages of at most `maxParts` parts each (in each one's own encoding): the text
 * itself when it fits, else pieces cut at line breaks or spaces where possible, never inside a
 * character, each prefixed `(i/n) `. The pieces, prefixes removed, concatenate to the text.
 */
export function splitMessages(text: string, maxParts = MAX_PARTS): string[] {
  if (fits(text, maxParts)) return [text];
  const chars = graphemes(text);
  // The prefix's room depends on how many messages there are: budget for the widest prefix of
  // that many digits, and take one more digit if it turns out too few.
  for (let digits = 1; ; digits++) {
    const widest = `(${'9'.repeat(digits)}/${'9'.repeat(digits)}) `;
    const pieces = pack(chars, (piece) => fits(widest + piece, maxParts));
    if (String(pieces.length).length <= digits) {
      return pieces.map((piece, i) => `${messagePrefix(i + 1, pieces.length)}${piece}`);
    }
  }
}

/** The prefix of message `n` of `of` in a split text. */
export const messagePrefix = (n: number, of: number) => `(${n}/${of}) `;

/** Message number and count of a message made by `splitMessages`, or null for a whole text. */
export function messagePart(message: string): { n: number; of: number } | null {
  const m = /^\((\d+)\/(\d+)\) /.exec(message);
  return m ? { n: Number(m[1]), of: Number(m[2]) } : null;
}
