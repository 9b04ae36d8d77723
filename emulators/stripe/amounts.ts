/** Amounts as Stripe checks and writes them: minimum charges, the maximum, and their display. */

/** Stripe's minimum charge amounts per currency (smallest unit). */
const MIN_AMOUNT: Record<string, number> = {
  usd: 50,
  aed: 200,
  aud: 50,
  bgn: 100,
  brl: 50,
  cad: 50,
  chf: 50,
  czk: 1500,
  dkk: 250,
  eur: 50,
  gbp: 30,
  hkd: 400,
  huf: 17500,
  inr: 50,
  jpy: 50,
  mxn: 1000,
  myr: 200,
  nok: 300,
  nzd: 50,
  pln: 200,
  ron: 200,
  sek: 300,
  sgd: 50,
  thb: 1000,
};
const ZERO_DECIMAL = new Set([
  'bif',
  'clp',
  'djf',
  'gnf',
  'jpy',
  'kmf',
  'krw',
  'mga',
  'pyg',
  'rwf',
  'ugx',
  'vnd',
  'vuv',
  'xaf',
  'xof',
  'xpf',
]);
const SYMBOL: Record<string, string> = {
  usd: '$',
  eur: '€',
  gbp: '£',
  jpy: '¥',
  cad: '$',
  aud: '$',
  nzd: '$',
  sgd: '$',
  hkd: '$',
  mxn: '$',
};
export const MAX_AMOUNT = 99_999_999;

export const minAmount = (currency: string): number => MIN_AMOUNT[currency] ?? 50;

/** As Stripe's error messages write it: `$0.50 usd`. */
export function formatAmount(amount: number, currency: string): string {
  const value = ZERO_DECIMAL.has(currency) ? String(amount) : (amount / 100).toFixed(2);
  return `${SYMBOL[currency] ?? ''}${value} ${currency}`;
}

/** As a checkout page shows it: `$15.00`, `¥1,500`. */
export function displayAmount(amount: number, currency: string): string {
  const value = ZERO_DECIMAL.has(currency) ? amount : amount / 100;
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() }).format(
      value,
    );
  } catch {
    return formatAmount(amount, currency);
  }
}
