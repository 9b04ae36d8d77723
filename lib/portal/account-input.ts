import * as z from 'zod/mini';
import { kind } from '../http/fields';
import { dailyLeadCap, MAX_WEEKLY_SPEND_CAP_CENTS, providerSettings } from '../providers/provider-input';
import { formatPrice, minorDigits } from '../sms/format-price';

/**
 * `PATCH /portal/api/account`: the provider's own Settings, under the admin API's rules
 * (lib/providers/provider-input.ts `providerSettings`), but the weekly cap in the currency's main
 * unit (`weeklySpendCap: 137` is $137; stored as cents, the admin API's `weeklySpendCapCents`), and
 * both caps within the operator's limits (PORTAL_MAX_WEEKLY_SPEND_CAP, PORTAL_MAX_DAILY_LEAD_CAP).
 * A field a provider may not change (categories, zip codes, name, phone) is `unknown_fields`.
 */
export type PortalLimits = {
  currency: string;
  /** In the currency's main unit; undefined: no limit. */
  maxWeeklySpendCap: number | undefined;
  maxDailyLeadCap: number | undefined;
};

/** Cents from an amount in the main unit; undefined when it has more decimals than the currency. */
export function amountToCents(amount: number, currency: string): number | undefined {
  const scale = 10 ** minorDigits(currency);
  const cents = Math.round(amount * scale);
  // 137.1 * 100 is 13709.999…: exact to the minor unit within a rounding error, not beyond it.
  return Math.abs(cents - amount * scale) < 1e-6 ? cents : undefined;
}

/** Within the operator's limit `max` (none: anything); with a limit, no cap (null) is refused too. */
const withinLimit = (max: number | undefined, say: (n: number) => string) =>
  z.refine<number | null>((v) => max === undefined || (v !== null && v <= max), {
    message: `must be at most ${max === undefined ? '' : say(max)} (the operator's limit; no cap is not allowed)`,
  });

export function portalAccountPatch(limits: PortalLimits) {
  const { currency } = limits;
  const digits = minorDigits(currency);
  const maxCents =
    limits.maxWeeklySpendCap === undefined ? undefined : Math.round(limits.maxWeeklySpendCap * 10 ** digits);
  const highest = MAX_WEEKLY_SPEND_CAP_CENTS / 10 ** digits;
  const settings = providerSettings();
  const fields = {
    /** Null: no weekly cap. */
    weeklySpendCap: z.optional(
      z
        .nullable(
          z.pipe(
            z
              .number({
                error: kind(`an amount in ${currency.toUpperCase()} such as 137, or null for no cap`),
              })
              .check(
                z.gte(0, 'must be at least 0'),
                z.lte(highest, `must be at most ${highest}`),
                z.refine(
                  (n) => amountToCents(n, currency) !== undefined,
                  `must have at most ${digits} decimals`,
                ),
              ),
            z.transform((n) => amountToCents(n, currency)!),
          ),
        )
        .check(withinLimit(maxCents, (c) => formatPrice(c, currency))),
    ),
    dailyLeadCap: z.optional(dailyLeadCap().check(withinLimit(limits.maxDailyLeadCap, String))),
    timeZone: settings.timeZone,
    teaserHours: settings.teaserHours,
    autoPay: settings.autoPay,
    language: settings.language,
  };
  return z.strictObject(fields).check(
    z.refine((p) => Object.values(p).some((v) => v !== undefined), {
      message: `must change at least one of ${Object.keys(fields).join(', ')}`,
    }),
  );
}
export type PortalAccountPatch = z.output<ReturnType<typeof portalAccountPatch>>;
