/** The admin API's answers, as the shared plan gives them (lib/leads, lib/providers, lib/reports… on the server). */
export type Revenue = Record<string, { grossCents: number; refundedCents: number; netCents: number }>;

export type Funnel = {
  leads: number;
  teasersSent: number;
  yesReplies: number;
  linksOpened: number;
  checkoutsCreated: number;
  paidUnlocks: number;
  savedCardUnlocks: number;
  refunds: number;
  revenue: Revenue;
  conversion: Record<
    'teaserToYes' | 'yesToLinkOpened' | 'linkToCheckout' | 'checkoutToPaid' | 'teaserToPaid',
    number | null
  >;
  medianTeaserToPaymentSeconds: number | null;
};

export type Stats = {
  from: string;
  to: string;
  groupBy: string;
  groups: Array<{ key: string; funnel: Funnel }>;
  total: Funnel;
};

export type LeadRow = {
  id: string;
  code: string;
  category: string;
  zipCode: string;
  status: string;
  offeredTo: number;
  unlockCount: number;
  maxUnlocks: number;
  revenueCents: number;
  currency: string;
  /** The original lead when this one is a duplicate of it. */
  duplicateOf: string | null;
  createdAt: string;
};

export type TimelineEvent = {
  at: string;
  kind: string;
  providerId?: string | null;
  providerName?: string | null;
  smsId?: number | string | null;
  /** By kind (lib/leads/lead-view.ts): a reply's text and outcome, a payment's amount, an SMS's state. */
  detail?: {
    text?: string;
    outcome?: string;
    status?: string;
    delivery?: string | Record<string, string> | null;
    needsAttention?: boolean;
    smsKind?: string;
    amountCents?: number;
    currency?: string;
    pastCap?: boolean;
    returnId?: string;
    reason?: string;
    source?: string;
    auto?: boolean;
  } | null;
};

export type LeadSms = {
  id: number | string;
  kind: string;
  recipients: string[];
  status: string;
  attempts: number;
  lastError: string | null;
  sentAt: string | null;
  delivery: Record<string, unknown>;
  needsAttention: boolean;
};

export type LeadDetail = {
  id: string;
  code: string;
  status: string;
  name: string;
  phone: string;
  email: string | null;
  category: string;
  zipCode: string;
  city: string | null;
  description: string;
  budget: string | null;
  priceCents: number;
  currency: string;
  maxUnlocks: number;
  unlockCount: number;
  expiresAt: string;
  createdAt: string;
  /** The original lead when this one is a duplicate of it (same client and category, lately). */
  duplicateOf: string | null;
  duplicates: Array<{ id: string; code: string; createdAt: string }>;
  offers: Array<{ id: string; providerId: string; providerName: string; status: string; createdAt: string }>;
  unlocks: Array<{
    id: string;
    providerId: string;
    amountCents: number;
    currency: string;
    refunded: boolean;
    createdAt: string;
  }>;
  sms: LeadSms[];
  smsNeedingAttention: number;
  timeline?: TimelineEvent[];
};

export type Language = 'en' | 'es';
export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', es: 'Spanish' };

export type Provider = {
  id: string;
  name: string;
  phone: string;
  email: string | null;
  categories: string[];
  zipCodes: string[];
  active: boolean;
  optedOut: boolean;
  /** Budgets: null is no cap; a null zone takes the deployment's DEFAULT_TIME_ZONE. */
  weeklySpendCapCents: number | null;
  dailyLeadCap: number | null;
  timeZone: string | null;
  /** Local hours they get teasers in (`08:00-21:00`); null takes the deployment's TEASER_HOURS. */
  teaserHours: string | null;
  /** A card saved by their first Checkout, charged on YES while `autoPay` is on. */
  savedCard: boolean;
  autoPay: boolean;
  /** The language of their SMS (ESPANOL / ENGLISH by SMS change it too). */
  language: Language;
  lastOfferedAt: string | null;
  createdAt: string;
};

export type ProviderBudget = {
  weeklySpendCapCents: number | null;
  dailyLeadCap: number | null;
  timeZone: string;
  weekStartedAt: string;
  dayStartedAt: string;
  weekSpentCents: number;
  todayPurchases: number;
  atWeeklyCap: boolean;
  atDailyCap: boolean;
  atCap: boolean;
};

/** Their teaser hours (theirs or the default) in their zone, and whether a teaser would go now. */
export type ProviderTeaserHours = {
  hours: string;
  isDefault: boolean;
  timeZone: string;
  openNow: boolean;
  nextTeaserAt: string;
};

export type ProviderDetail = {
  provider: Provider;
  budget: ProviderBudget;
  teaserHours: ProviderTeaserHours;
  stats: {
    teasersReceived: number;
    yesReplies: number;
    purchases: number;
    spend: Record<string, number>;
    refunds: number;
    responseRate: number | null;
    medianReplySeconds: number | null;
    lastActivityAt: string | null;
  };
  purchases: Array<{
    unlockId: string;
    leadId: string;
    code: string;
    category: string;
    zipCode: string;
    amountCents: number;
    currency: string;
    refunded: boolean;
    createdAt: string;
  }>;
};

export type SmsRow = {
  id: number | string;
  kind: string;
  leadId: string | null;
  leadCode: string | null;
  providerId: string | null;
  providerName: string | null;
  recipients: string[];
  status: string;
  attempts: number;
  lastError: string | null;
  needsAttention: boolean;
  retriedAt: string | null;
  createdAt: string;
  sentAt: string | null;
};

export type StripeTask = {
  id: number | string;
  kind: string;
  leadId: string | null;
  providerId: string | null;
  status: string;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
};

type Check = { ok: boolean; checkedAt: string; latencyMs: number; error?: string };
export type IntegrationHealth = {
  stripe: Check;
  textmagic: Check;
  outbox: { due: number; oldestDueAgeSeconds: number | null };
  dispatcher: { lastRunAt: string | null; ageSeconds: number | null };
  stripeFollowUps: { pending: number; oldestAgeSeconds: number | null };
};

/** `GET /returns?status=` (lib/returns/return-list.ts). */
export type ReturnRow = {
  id: string;
  status: 'open' | 'approved' | 'declined';
  reason: string;
  reasonText: string | null;
  source: 'sms' | 'console';
  auto: boolean;
  note: string | null;
  createdAt: string;
  decidedAt: string | null;
  lead: { id: string; code: string; category: string; zipCode: string };
  provider: { id: string; name: string; language: string };
  unlock: { id: string; amountCents: number; currency: string; createdAt: string };
};
