// Understanding a provider's SMS reply, in the words of every registered language
// (lib/sms/languages/: each module lists its own).
import { escapeRegExp } from './escape-regexp';
import { LANGUAGES, type Language } from './language';
import { optOutIntent } from './opt-out';
import type { Keywords } from './languages/language-module';

export type Reply =
  | { kind: 'yes'; code: string | null }
  | { kind: 'stop' }
  /** Holds a word that may mean stop, and no pattern reads it as one (lib/sms/opt-out.ts). */
  | { kind: 'maybe_stop' }
  | { kind: 'start' }
  | { kind: 'help' }
  | { kind: 'auto_off' }
  | { kind: 'auto_on' }
  /** `ACCOUNT` (`CUENTA`): a one-time sign-in link to the provider portal. */
  | { kind: 'account' }
  /** Their SMS from now on in `language` (`ESPAÑOL`, `ENGLISH`: the words of its module). */
  | { kind: 'language'; language: Language }
  /** `BAD <code> <reason>`: a return of a lead they bought; `text` is the reason as written. */
  | { kind: 'bad'; code: string | null; text: string }
  | { kind: 'other' };

// What each of a module's one-word replies means, first to last: a word two lists share means
// the first ("STOP ALL" and "OPT IN" match without their space, see normalizeReply).
const WORD_KINDS: [
  Extract<keyof Keywords, 'stop' | 'start' | 'help' | 'autoOff' | 'autoOn' | 'account'>,
  Extract<Reply['kind'], 'stop' | 'start' | 'help' | 'auto_off' | 'auto_on' | 'account'>,
][] = [
  ['stop', 'stop'],
  ['start', 'start'],
  ['help', 'help'],
  ['autoOff', 'auto_off'],
  ['autoOn', 'auto_on'],
  ['account', 'account'],
];

/** Every registered language's one-word replies, folded as a reply is ("ESPAÑOL" is ESPANOL). */
const WORDS = new Map<string, Reply>();
for (const [list, kind] of WORD_KINDS) {
  for (const { keywords } of LANGUAGES) {
    for (const word of keywords[list] ?? []) {
      const key = normalizeReply(word);
      if (!WORDS.has(key)) WORDS.set(key, { kind });
    }
  }
}
for (const { code, keywords } of LANGUAGES) {
  for (const word of keywords.switchTo) {
    const key = normalizeReply(word);
    if (!WORDS.has(key)) WORDS.set(key, { kind: 'language', language: code });
  }
}

const wordsOf = (list: 'yes' | 'bad') => LANGUAGES.flatMap((l) => l.keywords[list] ?? []);

// Codes are 4-6 digits; anything else after YES (e.g. "YES 12", "yes please") is not a purchase.
// "SÍ" and "sí" arrive as SI (folded like the reply: letters and digits only).
const YES = new RegExp(`^(?:${wordsOf('yes').map(normalizeReply).join('|')})(\\d{4,6})?$`);

// `BAD 4821 wrong area`, `Malo 4821: no contesta`, `bad #4821`: read from the text itself (NFKC
// folds full-width letters and digits), since the reason after the code is kept as written. The
// word must stand alone ("BADGE" is not BAD); the code is 4-6 digits not followed by another.
const BAD = new RegExp(
  String.raw`^[^\p{L}\p{N}]*(?:${wordsOf('bad').map(escapeRegExp).join('|')})(?!\p{L})[^\p{L}\p{N}]*(?:(\d{4,6})(?!\d))?(.*)$`,
  'isu',
);
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
  const known = WORDS.get(word);
  if (known) return { ...known };
  // Opt-outs in the provider's own words, after every reply that keeps its meaning.
  const intent = optOutIntent(text);
  return intent ? { kind: intent } : { kind: 'other' };
}
