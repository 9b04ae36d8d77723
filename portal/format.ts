import { formatPrice } from '../lib/sms/format-price';

/** `$25.00`: as the SMS write a price (lib/sms/format-price.ts). */
export const money = (cents: number, currency: string): string => formatPrice(cents, currency);

/** `Dec 6, 8:15 PM`, in the phone's own zone and language. */
export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime())
    ? iso
    : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** `in 3 h`, `in 25 min`: how long until `iso`. */
export function timeLeft(iso: string, now = Date.now()): string {
  const minutes = Math.round((new Date(iso).getTime() - now) / 60_000);
  if (minutes <= 0) return 'now';
  if (minutes < 90) return `in ${minutes} min`;
  if (minutes < 48 * 60) return `in ${Math.round(minutes / 60)} h`;
  return `in ${Math.round(minutes / 1440)} days`;
}
