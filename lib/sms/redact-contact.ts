import { lazyRegExp } from '../lazy';
import { escapeRegExp } from './escape-regexp';
// Teasers go to providers who have not paid: contact details a client typed into the free text
// of their request (description, budget) must not reach them there. Pure functions.

/** What a removed phone number or e-mail address reads as (plain GSM-7: no brackets, which cost two). */
export const CONTACT_REMOVED = '(contact removed)';

/** What the client gave us as their contact, when known: matched however it is written. */
export type KnownContact = { name?: string | null; phone?: string | null; email?: string | null };

// Compiled on first use (about 4 ms of every create-lead cold start otherwise).
const lazy = lazyRegExp;

// A run of digits (any script's) that may be split by spaces, dots, dashes, slashes or
// parentheses, optionally after a "+": phone numbers as people type them.
const DIGIT_RUN = lazy(String.raw`\+?\(?\p{Nd}(?:[\s./()-]{0,3}\p{Nd})*\)?`, 'gu');
// 7 digits is a local number without its area code; fewer is a price, a zip code, a time.
const MIN_PHONE_DIGITS = 7;
// Shapes that have 7+ digits and are not phone numbers: dates and a range of round amounts.
const NOT_A_PHONE = [
  lazy(String.raw`^\p{Nd}{4}[-./]\p{Nd}{1,2}[-./]\p{Nd}{1,2}$`, 'u'), // 2024-05-01
  lazy(String.raw`^\p{Nd}{1,2}[-./]\p{Nd}{1,2}[-./]\p{Nd}{4}$`, 'u'), // 01/05/2024, 1.5.2024
  lazy(String.raw`^\p{Nd}*0\s?-\s?\p{Nd}*0$`, 'u'), // 500-1000, 1500 - 2000
];
const EMAIL = lazy(
  String.raw`(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+`,
  'gu',
);
// Each starts only where a word does: tried from inside a long word, it would be quadratic.
// "jane (at) example dot com", "jane[at]example[dot]com" and the like.
// The last label is letters, so "meet at 5.30" stays.
// "at" and "dot" in either case, spelled out rather than with the `i` flag: under `i` V8 builds
// the case closure of \p{L} when it compiles the pattern, which doubled its cost on a cold start.
// (\p{L} holds both cases anyway.)
const anyCase = (word: string) => [...word].map((c) => `[${c}${c.toUpperCase()}]`).join('');
const AT = anyCase('at');
const DOT = anyCase('dot');
const SPELLED_EMAIL = lazy(
  String.raw`(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}._%+-]+\s*(?:\(${AT}\)|\[${AT}\]|\{${AT}\}|\s${AT}\s)\s*[\p{L}\p{N}-]+(?:\s*(?:\.|\(${DOT}\)|\[${DOT}\]|\{${DOT}\}|\s${DOT}\s)\s*[\p{L}\p{N}-]+)*\s*(?:\.|\(${DOT}\)|\[${DOT}\]|\{${DOT}\}|\s${DOT}\s)\s*\p{L}{2,}(?![\p{L}\p{N}])`,
  'gu',
);
const DIGIT = lazy(String.raw`\p{Nd}`, 'gu');

// Full-width and other compatibility digits as ASCII, for comparing with the client's own number.
const asciiDigits = (text: string) => text.normalize('NFKC').replace(/\D/g, '');
const digitCount = (text: string) => text.match(DIGIT())?.length ?? 0;

/**
 * `text` without phone numbers (7 or more digits, however separated) or e-mail addresses
 * (written out or spelled "at … dot …"), and without the client's own name, phone or e-mail
 * when given, which are removed even where they would otherwise pass (a number written as a
 * range, say).
 */
export function redactContact(text: string, contact: KnownContact = {}): string {
  // The subscriber part of their number, found whatever prefix or separators surround it.
  const own = contact.phone ? asciiDigits(contact.phone).slice(-MIN_PHONE_DIGITS) : '';
  let out = text;
  if (contact.email?.trim()) {
    out = out.replace(new RegExp(escapeRegExp(contact.email.trim()), 'giu'), CONTACT_REMOVED);
  }
  out = out.replace(EMAIL(), CONTACT_REMOVED).replace(SPELLED_EMAIL(), CONTACT_REMOVED);
  out = out.replace(DIGIT_RUN(), (run) => {
    if (own.length === MIN_PHONE_DIGITS && asciiDigits(run).includes(own)) return CONTACT_REMOVED;
    if (digitCount(run) < MIN_PHONE_DIGITS || NOT_A_PHONE.some((shape) => shape().test(run))) return run;
    return CONTACT_REMOVED;
  });
  const name = contact.name?.trim();
  if (name && name.length >= 2) {
    // The whole name as a phrase only: a first name alone is too often an ordinary word.
    const words = name.split(/\s+/).map(escapeRegExp).join('\\s+');
    out = out.replace(new RegExp(`(?<![\\p{L}\\p{N}])${words}(?![\\p{L}\\p{N}])`, 'giu'), 'the client');
  }
  return out;
}
