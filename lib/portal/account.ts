import { eq } from 'drizzle-orm';
import { config, formatTeaserHours } from '../config';
import type { Database } from '../db/client';
import { providers } from '../db/schema';
import { notFound } from '../errors';
import { providerView, updateProvider, type ProviderView } from '../providers/providers';
import { minorDigits } from '../sms/format-price';
import type { PortalAccountPatch, PortalLimits } from './account-input';

/** Money as the portal shows it: cents (the currency's minor unit) and the currency. */
export type Money = { cents: number; currency: string };
const money = (cents: number | null): Money | null =>
  cents === null ? null : { cents, currency: config().currency };

/** The operator's limits on the portal's Settings (PORTAL_MAX_WEEKLY_SPEND_CAP, PORTAL_MAX_DAILY_LEAD_CAP). */
export function portalLimits(): PortalLimits {
  const c = config();
  return {
    currency: c.currency,
    maxWeeklySpendCap: c.portalMaxWeeklySpendCap,
    maxDailyLeadCap: c.portalMaxDailyLeadCap,
  };
}

/**
 * The provider's Settings as their portal shows them: what the admin API shows of them but ids,
 * e-mail, activity and the consent record; the weekly cap as money. Categories and zip codes
 * are shown, the operator's to change. The saved card: whether there is one (its brand and last
 * digits are not stored, and the page costs no Stripe call).
 */
export function accountView(p: ProviderView) {
  const c = config();
  const limits = portalLimits();
  return {
    name: p.name,
    phone: p.phone,
    categories: p.categories,
    zipCodes: p.zipCodes,
    language: p.language,
    /** Theirs, or null: `defaults.timeZone`. */
    timeZone: p.timeZone,
    /** Theirs (`08:00-21:00`), or null: `defaults.teaserHours`. */
    teaserHours: p.teaserHours,
    /** Null: no cap. PATCH takes it in the main unit (`weeklySpendCap: 137`). */
    weeklySpendCap: money(p.weeklySpendCapCents),
    dailyLeadCap: p.dailyLeadCap,
    autoPay: p.autoPay,
    card: { saved: p.savedCard },
    optedOut: p.optedOut,
    defaults: { timeZone: c.defaultTimeZone, teaserHours: formatTeaserHours(c.teaserHours) },
    /** The highest caps they may set here; null: no limit. */
    limits: {
      weeklySpendCap:
        limits.maxWeeklySpendCap === undefined
          ? null
          : money(Math.round(limits.maxWeeklySpendCap * 10 ** minorDigits(limits.currency))),
      dailyLeadCap: limits.maxDailyLeadCap ?? null,
    },
  };
}
export type AccountView = ReturnType<typeof accountView>;

export async function portalAccount(db: Database, providerId: string): Promise<AccountView> {
  const [row] = await db.select().from(providers).where(eq(providers.id, providerId));
  if (!row) throw notFound('No such provider');
  return accountView(providerView(row));
}

/**
 * Their Settings changed through the admin API's own update (the same columns, so a cap set here
 * is the cap the YES path checks, lib/purchases/budget.ts): the weekly cap in cents there.
 */
export async function updatePortalAccount(
  db: Database,
  providerId: string,
  patch: PortalAccountPatch,
): Promise<AccountView> {
  const { weeklySpendCap, ...rest } = patch;
  const view = await updateProvider(db, providerId, {
    ...rest,
    ...(weeklySpendCap !== undefined && { weeklySpendCapCents: weeklySpendCap }),
  });
  return accountView(view);
}
