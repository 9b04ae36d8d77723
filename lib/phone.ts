import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/** A phone number as written by a person, in E.164, or undefined when it is not a valid number. */
export function toE164(input: string, defaultCountry: CountryCode): string | undefined {
  const parsed = parsePhoneNumberFromString(input.trim(), defaultCountry);
  return parsed?.isValid() ? parsed.number : undefined;
}

/** TextMagic writes international numbers as digits without the leading `+`. */
export function fromTextMagicNumber(digits: string): string {
  const clean = digits.trim().replace(/[^\d+]/g, '');
  return clean.startsWith('+') ? clean : `+${clean}`;
}

/** TextMagic takes digits only. */
export const toTextMagicNumber = (e164: string): string => e164.replace(/\D/g, '');
