// Prices in SMS, written exactly as `Intl.NumberFormat('en-US', { style: 'currency' })` writes
// them, without building one for the common currencies: the first NumberFormat of a process
// loads ICU's currency data, about 12 ms of a cold start's first teaser.

/** How en-US writes a currency: its symbol (a code is followed by a space) and minor-unit digits. */
const KNOWN: Record<string, readonly [prefix: string, minorDigits: number]> = {
  usd: ['$', 2],
  eur: ['€', 2],
  gbp: ['£', 2],
  cad: ['CA$', 2],
  aud: ['A$', 2],
  nzd: ['NZ$', 2],
  mxn: ['MX$', 2],
  brl: ['R$', 2],
  hkd: ['HK$', 2],
  jpy: ['¥', 0],
  chf: ['CHF ', 2],
  sek: ['SEK ', 2],
  nok: ['NOK ', 2],
  dkk: ['DKK ', 2],
  pln: ['PLN ', 2],
  czk: ['CZK ', 2],
  sgd: ['SGD ', 2],
};

/** Exported for the test that holds the table to what Intl writes. */
export const KNOWN_CURRENCIES = Object.keys(KNOWN);

// Below this, cents / 10^digits as a double has at most 15 significant digits, so Intl's
// rounding gives back exactly the digits of `cents`: the two ways agree.
const EXACT_BELOW = 1e15;

const intlFormats = new Map<string, Intl.NumberFormat>();

function viaIntl(cents: number, code: string): string {
  let format = intlFormats.get(code);
  if (!format) {
    format = new Intl.NumberFormat('en-US', { style: 'currency', currency: code });
    intlFormats.set(code, format);
  }
  const minorDigits = format.resolvedOptions().maximumFractionDigits ?? 2;
  // Intl puts no-break spaces in some formats ("CHF 15.00"); they are not GSM-7 and would force UCS-2.
  return format.format(cents / 10 ** minorDigits).replace(/[\u00a0\u202f]/g, ' ');
}

/** Digits of the currency's minor unit (2 for usd: cents; 0 for jpy): its main unit is 10^digits of them. */
export function minorDigits(currency: string): number {
  const known = KNOWN[currency.toLowerCase()];
  if (known) return known[1];
  const format = new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() });
  return format.resolvedOptions().maximumFractionDigits ?? 2;
}

/**
 * A price in the currency's minor unit (as Stripe counts them), en-US style, with plain spaces:
 * 1500 usd is $15.00, 1500 jpy is ¥1,500, 2500 chf is CHF 25.00.
 */
export function formatPrice(cents: number, currency: string): string {
  const known = KNOWN[currency.toLowerCase()];
  const abs = Math.abs(cents);
  if (!known || !Number.isInteger(cents) || abs >= EXACT_BELOW) return viaIntl(cents, currency.toUpperCase());
  const [prefix, digits] = known;
  const unit = 10 ** digits;
  const whole = String(Math.floor(abs / unit)).replace(/\B(?=(\d{3})+$)/g, ',');
  const fraction = digits ? `.${String(abs % unit).padStart(digits, '0')}` : '';
  // Intl writes a minus sign for negative zero too.
  const sign = cents < 0 || Object.is(cents, -0) ? '-' : '';
  return `${sign}${prefix}${whole}${fraction}`;
}
