// Every SMS the platform sends. Pure functions of their inputs.
import { redactContact, type KnownContact } from './redact-contact';
import { fitsOneSegment, smsEncoding, splitMessages } from './segments';
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

export type DetailsLead = {
  code: string;
  name: string;
  phone: string;
  email: string | null;
  category: string;
  zipCode: string;
  city: string | null;
  description: string;
  budget: string | null;
};

type Priced = { code: string; priceCents: number; currency: string };

const BRAND = 'Lead Unlock';

export { formatPrice };

// ---------------------------------------------------------------------------------------------
// Teaser: must fit one segment whatever the inputs.

type TeaserParts = { description: string; budget: string; city: string; category: string; zip: string };

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

// One line of teaser text: `gsmLookalikes`, no emoji, single spaces.
export function teaserText(text: string): string {
  return gsmLookalikes(text).replace(EMOJI_RE(), ' ').replace(/\s+/g, ' ').trim();
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
function sentence(text: string): string {
  return /[.!?…]$/.test(text) ? text : `${text}.`;
}

function renderTeaser(p: TeaserParts, price: string, code: string): string {
  const area = [p.zip, p.city].filter(Boolean).join(' ');
  let head = p.category ? `New ${p.category} lead` : 'New lead';
  if (area) head += `, ${area}`;
  const parts = [p.description ? `${head}: ${sentence(p.description)}` : `${head}.`];
  if (p.budget) parts.push(`Budget: ${sentence(p.budget)}`);
  parts.push(`Price ${price}.`, `Reply YES ${code}`);
  return parts.join(' ');
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

export function teaserSms(lead: TeaserLead): string {
  const price = formatPrice(lead.priceCents, lead.currency);
  const code = lead.code.trim();
  const clip = (text: string) => graphemes(teaserText(text)).join('');
  // Contact details typed into free text are only for those who pay (before any cut, so that no
  // part of a number survives either).
  const free = (text: string) => graphemes(redactContact(teaserText(text), lead)).join('');
  const parts: TeaserParts = {
    description: free(lead.description),
    budget: free(lead.budget ?? ''),
    city: free(lead.city ?? ''),
    category: clip(lead.category),
    zip: clip(lead.zipCode),
  };
  for (const field of SHRINK_ORDER) {
    if (fitsOneSegment(renderTeaser(parts, price, code))) break;
    parts[field] = longestFitting(parts[field], (value) =>
      renderTeaser({ ...parts, [field]: value }, price, code),
    );
  }
  const text = renderTeaser(parts, price, code);
  // Only reachable with a code or currency nothing like ours: refuse rather than send two segments.
  if (!fitsOneSegment(text)) throw new RangeError(`Teaser for lead ${code} cannot fit one SMS segment`);
  return text;
}

// ---------------------------------------------------------------------------------------------
// Replies. All GSM-7 and one segment for realistic inputs, except the details.

export function payLinkSms(lead: Priced, url: string): string {
  return `Lead ${lead.code}: pay ${formatPrice(lead.priceCents, lead.currency)} to get the client's contact details: ${url}`;
}

/**
 * The details as one text: contact first, then the full description (line breaks kept: this is
 * what they paid for) and the budget, with `gsmLookalikes` so that a curly apostrophe does not
 * make a long description UCS-2 (70 characters a part instead of 160).
 */
export function detailsText(lead: DetailsLead): string {
  const line = (text: string) => gsmLookalikes(text).replace(/\s+/g, ' ').trim();
  const area = [lead.zipCode, lead.city ?? ''].map(line).filter(Boolean).join(' ');
  const lines = [`Lead ${lead.code} is yours.`, `Client: ${line(lead.name)}`, `Phone: ${line(lead.phone)}`];
  if (lead.email) lines.push(`Email: ${line(lead.email)}`);
  lines.push(`Job: ${line(lead.category)}, ${area}`);
  lines.push(gsmLookalikes(lead.description).replace(/\r\n?/g, '\n').trim());
  if (lead.budget) lines.push(`Budget: ${line(lead.budget)}`);
  return lines.join('\n');
}

/**
 * The details SMS: usually one message; a long description makes several (`(1/3) …`), each
 * within TextMagic's 6 parts, the contact in the first so that it arrives first.
 */
export function detailsSms(lead: DetailsLead): string[] {
  return splitMessages(detailsText(lead));
}

export function unavailableSms(code: string): string {
  return `Sorry, lead ${code} is no longer available.`;
}

export function noOpenOffersSms(): string {
  return `You have no open leads right now. We'll text you when a new one comes in.`;
}

export function chooseOfferSms(codes: string[]): string {
  const [first] = codes;
  if (first === undefined) return noOpenOffersSms();
  // Every code is listed, even if that takes a second segment: they need it to answer.
  return `You have several open leads: ${codes.join(', ')}. Reply YES and the code of the one you want, e.g. YES ${first}`;
}

export function optedOutSms(): string {
  return `${BRAND}: you're unsubscribed and will get no more leads. Reply START to resume.`;
}

export function optedInSms(): string {
  return `${BRAND}: you're subscribed again and will get new leads by SMS. Reply STOP to unsubscribe.`;
}

export function helpSms(): string {
  return `${BRAND}: to buy a lead, reply YES and its code (e.g. YES 4821), then pay with the link we send. Reply STOP to unsubscribe, START to resume.`;
}

export function refundedSms(lead: Priced): string {
  return `Sorry, lead ${lead.code} sold out before your payment completed. Your ${formatPrice(lead.priceCents, lead.currency)} has been refunded.`;
}

/**
 * A purchase refused before any charge because it would pass one of the provider's budgets
 * (lib/unlock/budget.ts). One GSM-7 segment for any lead code.
 */
export function budgetRefusedSms(code: string, reason: 'weekly_cap' | 'daily_cap'): string {
  return reason === 'weekly_cap'
    ? `${BRAND}: lead ${code} would take you over your weekly spending cap, so it can't be bought. Your cap resets Monday at midnight.`
    : `${BRAND}: you've reached your daily lead limit, so lead ${code} can't be bought today. Your limit resets at midnight.`;
}

// ---------------------------------------------------------------------------------------------
// Saved cards (one reply buys). One GSM-7 segment each for realistic codes, prices and links.

/** A YES from a provider with a saved card and auto-pay on: the charge is under way. */
export function chargingSms(lead: Priced): string {
  return `Lead ${lead.code}: charging ${formatPrice(lead.priceCents, lead.currency)} to your saved card. The client's details follow by SMS. Reply AUTO OFF to pay by link.`;
}

/** The saved card was refused (declined, needs authentication, removed): the usual link instead. */
export function cardFailedSms(lead: Priced, url: string): string {
  return `Lead ${lead.code}: your saved card did not go through. Pay ${formatPrice(lead.priceCents, lead.currency)} here to get the client's details: ${url}`;
}

export function autoPayOffSms(): string {
  return `${BRAND}: auto-pay is off. Reply YES and a code to get a pay link; your saved card is kept. Reply AUTO ON to charge it again.`;
}

export function autoPayOnSms(): string {
  return `${BRAND}: auto-pay is on. Leads you accept with YES are charged to your saved card (a payment by link saves one). Reply AUTO OFF to stop.`;
}
