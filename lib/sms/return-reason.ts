// The reason of a return, from the provider's own words in any registered language.
import { LANGUAGES } from './languages';
import { escapeRegExp } from './escape-regexp';

/** Why a provider returned a lead (the `lead_returns.reason` column). */
export const RETURN_REASONS = ['wrong_area', 'wrong_service', 'bad_contact', 'duplicate', 'other'] as const;
export type ReturnReason = (typeof RETURN_REASONS)[number];

/** The longest decline note an operator may write (it is sent as part of one SMS). */
export const MAX_DECLINE_NOTE = 160;

/** Lower-cased and accent-free, as reasons are matched ("Teléfono" as "telefono"). */
const plain = (text: string) => text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();

// First match wins: "duplicate phone number" is a duplicate, "fake number" bad contact details.
// Each reason's words are every registered language's (lib/sms/languages/), as whole words.
const ORDER = ['duplicate', 'bad_contact', 'wrong_area', 'wrong_service'] as const;
const WORDS: Array<[ReturnReason, RegExp]> = ORDER.map((reason) => {
  const words = LANGUAGES.flatMap((l) => l.keywords.returnReasons?.[reason] ?? []);
  return [reason, new RegExp(`\\b(${words.map((w) => escapeRegExp(plain(w))).join('|') || '(?!)'})\\b`)];
});

/** The reason enum a reason text falls under; `other` when no word says. */
export function returnReason(text: string): ReturnReason {
  const folded = plain(text);
  return WORDS.find(([, re]) => re.test(folded))?.[0] ?? 'other';
}
