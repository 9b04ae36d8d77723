// What the templates of every language share: making a teaser fit one segment, and the text
// clean-ups of what a client typed. Pure functions of their inputs.
import { redactContact, type KnownContact } from './redact-contact';
import { fitsOneSegment, smsEncoding } from './segments';
import { lazyRegExp } from '../lazy';
import { formatPrice } from './format-price';

export type TeaserLead = {
  code: string;
  category: string;
  zipCode: string;
  city: string | null;
  description: string;
  budget: string | null;
  priceCents: number;
  currency: string;
} & KnownContact;

// ---------------------------------------------------------------------------------------------
// Teaser: must fit one segment whatever the inputs.

export type TeaserParts = {
  description: string;
  budget: string;
  city: string;
  category: string;
  zip: string;
};
/** A language's teaser wording: the parts (as cut so far), the formatted price and the code. */
export type TeaserRender = (parts: TeaserParts, price: string, code: string) => string;

// What gets shortened, in order, when the teaser is too long. Price and the reply code never are.
const SHRINK_ORDER: (keyof TeaserParts)[] = ['description', 'budget', 'city', 'category', 'zip'];

// Typographic characters that web forms produce and that have GSM-7 look-alikes: one curly quote
// would otherwise switch the whole teaser to UCS-2 and cut its room from 160 to 70.
const GSM_LOOKALIKES: Record<string, string> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u201a': "'",
  '\u2032': "'",
  '\u201c': '"',
  '\u201d': '"',
  '\u201e': '"',
  '\u2033': '"',
  '\u2010': '-',
  '\u2011': '-',
  '\u2012': '-',
  '\u2013': '-',
  '\u2014': '-',
  '\u2212': '-',
  '\u2026': '...',
};
const LOOKALIKE_RE = new RegExp(`[${Object.keys(GSM_LOOKALIKES).join('')}]`, 'g');
// Spaces that are not GSM-7 (tab, no-break, thin, ideographic…): a plain space says the same.
const ODD_SPACE_RE = /[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/g;

/**
 * Text as a client typed it, with what would needlessly force UCS-2 replaced: composed (a
 * decomposed "ü" is not GSM-7), GSM punctuation for typographic punctuation, plain spaces.
 * Every other character (line breaks, letters such as ł, emoji) is kept.
 */
export function gsmLookalikes(text: string): string {
  return text
    .normalize('NFC')
    .replace(LOOKALIKE_RE, (ch) => GSM_LOOKALIKES[ch] ?? ch)
    .replace(ODD_SPACE_RE, ' ');
}

// Emoji (with their modifiers, joiners and flags) tell a provider nothing, yet one of them
// switches the teaser to UCS-2 and halves its room: the teaser leaves them out.
const EMOJI_RE = lazyRegExp(
  String.raw`[\p{Extended_Pictographic}\p{Regional_Indicator}\p{Emoji_Modifier}\u200d\ufe0f\u20e3]`,
  'gu',
);

// The Spanish accented vowels that GSM-7 lacks (it has é, ñ, ü): one "plomería" would switch a
// teaser to UCS-2 and cut its room from 160 to 70, so the teaser writes the bare vowel. (The
// details, which they paid for, keep every letter.)
const SPANISH_NON_GSM_RE = /[áíóúÁÍÓÚ]/g;
const bareVowel = (ch: string) => ch.normalize('NFD').charAt(0);

// One line of teaser text: `gsmLookalikes`, no emoji, á í ó ú without accent, single spaces.
export function teaserText(text: string): string {
  return gsmLookalikes(text)
    .replace(EMOJI_RE(), ' ')
    .replace(SPANISH_NON_GSM_RE, bareVowel)
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * A client's free text (description, budget, city) as a teaser shows it, before any cut to fit
 * the segment: `teaserText`, and contact details typed into it left out, for they are only for
 * those who pay (the portal's open leads show it so too).
 */
export function teaserFreeText(text: string, contact: KnownContact): string {
  return redactContact(teaserText(text), contact);
}

// A segment holds at most 160 characters, so a longer value is never shown whole: keeping one
// more than that is enough to know it must be cut, and keeps the fitting loops cheap.
const MAX_CHARS = 161;

// Characters as cuts see them: a letter with its combining marks, never split. (Emoji sequences,
// the other multi-code-point case, are already gone from teaser text; Intl.Segmenter would also
// do, but is far slower in the fitting loops.)
const GRAPHEME = lazyRegExp(String.raw`\P{M}\p{M}*|\p{M}+`, 'gu');
function graphemes(text: string): string[] {
  return (text.match(GRAPHEME()) ?? []).slice(0, MAX_CHARS);
}

// End a run of text with a full stop unless it already ends a sentence.
export function sentence(text: string): string {
  return /[.!?…]$/.test(text) ? text : `${text}.`;
}

// The first n graphemes of a value, ending on a whole word when that keeps most of it, without
// trailing spaces or punctuation (the ellipsis follows).
function cut(chars: string[], n: number): string[] {
  let end = n;
  if (chars[n] !== ' ') {
    const space = chars.lastIndexOf(' ', n - 1);
    if (space >= n * 0.6) end = space;
  }
  while (end > 0 && /^[\s,;:.-]$/.test(chars[end - 1] ?? '')) end -= 1;
  return chars.slice(0, end);
}

// A stub such as "Le..." tells nothing: shorter cuts drop the value instead.
const MIN_CUT = 4;

// The longest version of a value (whole, or cut with an ellipsis) whose message fits one segment;
// '' when none does.
function longestFitting(value: string, render: (value: string) => string): string {
  if (fitsOneSegment(render(value))) return value;
  const chars = graphemes(value);
  for (let n = chars.length - 1; n >= MIN_CUT; n--) {
    const kept = cut(chars, n);
    if (kept.length < MIN_CUT) continue;
    const head = kept.join('');
    // "…" is one unit but UCS-2; use it only when the message is UCS-2 anyway.
    const dots = `${head}...`;
    const rendered = render(dots);
    // Cheap pre-check: past 162 UTF-16 units even the "…" variant (2 shorter) is over 160.
    if (rendered.length > 162) continue;
    const candidate = smsEncoding(rendered) === 'GSM-7' ? dots : `${head}…`;
    if (fitsOneSegment(render(candidate))) return candidate;
  }
  return '';
}

/**
 * A teaser in one language's wording (`render`) that fits one segment whatever the inputs: the
 * free text shortened in SHRINK_ORDER, contact details typed into it left out.
 */
export function fitTeaser(lead: TeaserLead, render: TeaserRender): string {
  const price = formatPrice(lead.priceCents, lead.currency);
  const code = lead.code.trim();
  const clip = (text: string) => graphemes(teaserText(text)).join('');
  // Before any cut, so that no part of a number survives either.
  const free = (text: string) => graphemes(teaserFreeText(text, lead)).join('');
  const parts: TeaserParts = {
    description: free(lead.description),
    budget: free(lead.budget ?? ''),
    city: free(lead.city ?? ''),
    category: clip(lead.category),
    zip: clip(lead.zipCode),
  };
  for (const field of SHRINK_ORDER) {
    if (fitsOneSegment(render(parts, price, code))) break;
    parts[field] = longestFitting(parts[field], (value) => render({ ...parts, [field]: value }, price, code));
  }
  const text = render(parts, price, code);
  // Only reachable with a code or currency nothing like ours: refuse rather than send two segments.
  if (!fitsOneSegment(text)) throw new RangeError(`Teaser for lead ${code} cannot fit one SMS segment`);
  return text;
}

/** One line of a client's text in the details: `gsmLookalikes`, single spaces. */
export function detailsLine(text: string): string {
  return gsmLookalikes(text).replace(/\s+/g, ' ').trim();
}

/** The full description in the details: line breaks kept (this is what they paid for). */
export function detailsDescription(text: string): string {
  return gsmLookalikes(text).replace(/\r\n?/g, '\n').trim();
}
