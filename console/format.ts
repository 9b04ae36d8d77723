import { DEFAULT_LANGUAGE, LANGUAGES, type Language } from '../lib/sms/language';
import type { UnmatchedReason } from '../lib/leads/unmatched';

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

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime())
    ? iso
    : d.toLocaleString('en-US', { dateStyle: 'medium', timeStyle: 'short' });
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

/** Why a lead was offered to nobody (`unmatchedReason`, docs/unmatched-demand.md), for the operator. */
export const UNMATCHED_LABELS: Record<UnmatchedReason, string> = {
  duplicate: 'duplicate of a lead already offered',
  no_provider: 'no provider serves it',
  all_paused: 'providers paused',
  all_awaiting_opt_in: 'opt-in confirmation not sent yet',
  all_at_cap: 'providers at their cap',
  all_opted_out: 'providers opted out',
};
