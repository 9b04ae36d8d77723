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
