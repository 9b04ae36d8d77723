// Understanding a provider's SMS reply, in English or Spanish.

export type Reply =
  | { kind: 'yes'; code: string | null }
  | { kind: 'stop' }
  | { kind: 'start' }
  | { kind: 'help' }
  | { kind: 'auto_off' }
  | { kind: 'auto_on' }
  | { kind: 'spanish' }
  | { kind: 'english' }
  /** `BAD <code> <reason>`: a return of a lead they bought; `text` is the reason as written. */
  | { kind: 'bad'; code: string | null; text: string }
  | { kind: 'other' };

// Carrier opt-out / opt-in keywords (with spaces removed, so "STOP ALL" and "OPT IN" match), and
// the Spanish opt-out words.
const STOP = new Set([
  'STOP',
  'STOPALL',
  'UNSUBSCRIBE',
  'CANCEL',
  'END',
  'QUIT',
  'PARAR',
  'CANCELAR',
  'ALTO',
]);
const START = new Set(['START', 'UNSTOP', 'JOIN', 'SUBSCRIBE', 'RESUBSCRIBE', 'OPTIN']);
const HELP = new Set(['HELP', 'INFO', 'AYUDA']);
// The language of their SMS ("ESPAÑOL" arrives accent-free, see normalizeReply).
const SPANISH = new Set(['ESPANOL', 'SPANISH']);
const ENGLISH = new Set(['ENGLISH', 'INGLES']);
// Auto-pay of the saved card on YES ("AUTO OFF", "auto-off", "Auto off." all match).
const AUTO_OFF = new Set(['AUTOOFF', 'AUTOPAYOFF']);
const AUTO_ON = new Set(['AUTOON', 'AUTOPAYON']);

// Codes are 4-6 digits; anything else after YES (e.g. "YES 12", "yes please") is not a purchase.
// "SÍ" and "sí" arrive as SI.
const YES = /^(?:YES|Y|UNLOCK|SI)(\d{4,6})?$/;

// `BAD 4821 wrong area`, `Malo 4821: no contesta`, `bad #4821`: read from the text itself (NFKC
// folds full-width letters and digits), since the reason after the code is kept as written. The
// word must stand alone ("BADGE" is not BAD); the code is 4-6 digits not followed by another.
const BAD = /^[^\p{L}\p{N}]*(?:BAD|MALO|MALA)(?!\p{L})[^\p{L}\p{N}]*(?:(\d{4,6})(?!\d))?(.*)$/isu;
/** The longest reason text kept (an SMS is at most a few hundred characters anyway). */
export const MAX_REASON_TEXT = 1000;

// Phones autocorrect, capitalise and punctuate: compare letters and digits only.
// NFKD folds full-width characters ("ＹＥＳ４８２１") into their ASCII forms and splits accented
// letters into letter and mark, and the mark goes with the punctuation: "SÍ" is SI, "Ñ" is N.
export function normalizeReply(text: string): string {
  return text
    .normalize('NFKD')
    .toUpperCase()
    .replace(/[^\p{L}\p{N}]/gu, '');
}

export function parseReply(text: string): Reply {
  const bad = BAD.exec(text.normalize('NFKC'));
  if (bad) {
    const reason = (bad[2] ?? '')
      .replace(/^[\s:;,.#-]+/, '')
      .trim()
      .slice(0, MAX_REASON_TEXT);
    return { kind: 'bad', code: bad[1] ?? null, text: reason };
  }
  const word = normalizeReply(text);
  const yes = YES.exec(word);
  if (yes) return { kind: 'yes', code: yes[1] ?? null };
  if (STOP.has(word)) return { kind: 'stop' };
  if (START.has(word)) return { kind: 'start' };
  if (HELP.has(word)) return { kind: 'help' };
  if (AUTO_OFF.has(word)) return { kind: 'auto_off' };
  if (AUTO_ON.has(word)) return { kind: 'auto_on' };
  if (SPANISH.has(word)) return { kind: 'spanish' };
  if (ENGLISH.has(word)) return { kind: 'english' };
  return { kind: 'other' };
}
