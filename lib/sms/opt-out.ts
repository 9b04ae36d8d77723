// Opt-outs in any reasonable words. Since 11 April 2025 the FCC's revocation rule (47 CFR
// 64.1200(a)(10)) lets a person revoke consent "by any reasonable means": the test is whether a
// reasonable person would read the message as a wish to stop. Each language module lists its
// patterns (keywords.optOut) and the words that only may mean it (keywords.mayStop).
import { LANGUAGES } from './language';

/**
 * A message as the patterns read it: lower-case ASCII letters and digits in words separated by
 * single spaces; accents dropped ("más" is mas), apostrophes closed up ("don't" is dont).
 */
export function foldForOptOut(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/['’`]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

const PATTERNS = LANGUAGES.flatMap((l) => l.keywords.optOut ?? []);
const MAY_STOP = new Set(LANGUAGES.flatMap((l) => l.keywords.mayStop ?? []));

/**
 * `stop` when the message reads as a wish to stop (any registered language's patterns);
 * `maybe_stop` when it only holds a word that may mean it ("can you stop by?"), which is answered
 * with how to stop for sure and changes nothing; undefined otherwise. The caller asks after the
 * replies that keep their meaning (YES, BAD, AUTO, the language words and the keywords).
 */
export function optOutIntent(text: string): 'stop' | 'maybe_stop' | undefined {
  const folded = foldForOptOut(text);
  if (folded === '') return undefined;
  if (PATTERNS.some((p) => p.test(folded))) return 'stop';
  return folded.split(' ').some((w) => MAY_STOP.has(w)) ? 'maybe_stop' : undefined;
}
