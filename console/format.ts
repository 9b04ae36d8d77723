import { DEFAULT_LANGUAGE, LANGUAGES, type Language } from '../lib/sms/language';
import { getCountryCallingCode, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/** Integer cents in `currency`, e.g. `$15.00`. */
export function money(cents: number, currency = 'usd'): string {
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() }).format(
      cents / 100,
    );
  } catch {
    return `${(cents / 100).toFixed(2)} ${currency.toUpperCase()}`;
  }
}

/**
 * An instant as the operator reads it, with its zone, e.g. `Dec 6, 2026, 3:04 PM CST`: in the
 * browser's own zone unless `timeZone` says another (a provider's, a test's).
 */
export function dateTime(
  iso: string | null | undefined,
  timeZone?: string,
  opts: { seconds?: boolean } = {},
): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString('en-US', {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    ...(opts.seconds && { second: '2-digit' }),
    timeZoneName: 'short',
    ...(timeZone && { timeZone }),
  });
}

/**
 * A phone stored in E.164 as people write it: in the national format of `home` (the country the
 * console is run from) when it shares its calling code, `+15125550101` → `(512) 555-0101`; in the
 * international format otherwise, `+44 20 7946 0958`. What does not parse stays as it is.
 */
export function phone(e164: string | null | undefined, home: CountryCode = 'US'): string {
  if (!e164) return '—';
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed) return e164;
  return parsed.countryCallingCode === getCountryCallingCode(home)
    ? parsed.formatNational()
    : parsed.formatInternational();
}

export function percent(ratio: number | null | undefined): string {
  return ratio === null || ratio === undefined ? '—' : `${Math.round(ratio * 1000) / 10}%`;
}

export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} d`;
}

/** YYYY-MM-DD of a date, in UTC (the day keys of GET /stats). */
export const utcDay = (d: Date): string => d.toISOString().slice(0, 10);

export { DEFAULT_LANGUAGE };
/** How the console names each language of a provider's SMS: the registry's (lib/sms/languages/), in its order. */
export const LANGUAGE_NAMES = Object.fromEntries(LANGUAGES.map((l) => [l.code, l.name])) as Record<
  Language,
  string
>;
