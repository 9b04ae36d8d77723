// The reason of a return, from the provider's own words, in English or Spanish.
/** Why a provider returned a lead (the `lead_returns.reason` column). */
export const RETURN_REASONS = ['wrong_area', 'wrong_service', 'bad_contact', 'duplicate', 'other'] as const;
export type ReturnReason = (typeof RETURN_REASONS)[number];

/** The longest decline note an operator may write (it is sent as part of one SMS). */
export const MAX_DECLINE_NOTE = 160;

// First match wins: "duplicate phone number" is a duplicate, "fake number" bad contact details.
// Words are matched accent-free and lower-cased ("teléfono" as "telefono").
const WORDS: Array<[ReturnReason, RegExp]> = [
  ['duplicate', /\b(duplicated?|dupe|dup|repeated|duplicad[oa]|repetid[oa])\b/],
  [
    'bad_contact',
    /\b(contact|phone|number|email|e-mail|mail|fake|unreachable|disconnected|contacto|telefono|tel|numero|correo|fals[oa]|no contesta)\b/,
  ],
  ['wrong_area', /\b(area|zip|zipcode|location|far|city|zona|codigo postal|ubicacion|lejos|ciudad)\b/],
  ['wrong_service', /\b(service|category|job|servicio|categoria|trabajo)\b/],
];

/** The reason enum a reason text falls under; `other` when no word says. */
export function returnReason(text: string): ReturnReason {
  const plain = text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
  return WORDS.find(([, re]) => re.test(plain))?.[0] ?? 'other';
}
