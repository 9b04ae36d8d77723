import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  bigint,
  bigserial,
  boolean,
  check,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { DEFAULT_LANGUAGE, LANGUAGE_CODES } from '../sms/language';
import { RETURN_REASONS } from '../sms/return-reason';
import { PRIORITY_SQL } from '../messaging/sms-priority';
import type { UnmatchedReason } from '../leads/unmatched';

const stamp = (name: string) => timestamp(name, { withTimezone: true }).notNull().defaultNow();
const createdAt = () => stamp('created_at');
const updatedAt = () => stamp('updated_at');
const tstz = (name: string) => timestamp(name, { withTimezone: true });

/**
 * The operator's catalogue: the services leads are sold in (lib/catalogue/). A lead's and a
 * provider's categories are slugs of this table; `synonyms` are other names a website may post
 * (`POST /leads` folds case, spaces and punctuation: lib/catalogue/fold.ts). A lead takes its
 * price, cap and life from its category unless the request sets them.
 */
export const categories = pgTable(
  'categories',
  {
    /** Lowercase letters, digits and hyphens: `hvac`, `pest-control`. */
    slug: text('slug').primaryKey(),
    name: text('name').notNull(),
    synonyms: text('synonyms')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    priceCents: integer('price_cents').notNull(),
    maxUnlocks: integer('max_unlocks').notNull(),
    ttlHours: integer('ttl_hours').notNull(),
    /** False: no new leads of it (400 inactive_category), and its queued teasers are dropped. */
    active: boolean('active').notNull().default(true),
    /**
     * The aged price (lib/catalogue/prices.ts): a lead of it still unsold `aged_after_hours` after
     * it came in drops to `aged_price_cents`, with one more teaser round. Both set, or neither.
     */
    agedAfterHours: integer('aged_after_hours'),
    agedPriceCents: integer('aged_price_cents'),
    /**
     * Bumped by every change of the row or of its prices by area (the triggers categories_version
     * and category_prices_version: drizzle/functions/category-version.sql): POST /leads writes a
     * lead only while the version is the one its kept copy of the catalogue read
     * (lib/catalogue/lead-category.ts).
     */
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    check('categories_slug_format', sql`${t.slug} ~ '^[a-z0-9]+(-[a-z0-9]+)*$'`),
    check('categories_positive', sql`${t.priceCents} > 0 and ${t.maxUnlocks} > 0 and ${t.ttlHours} > 0`),
    check(
      'categories_aged_price',
      sql`(${t.agedAfterHours} is null) = (${t.agedPriceCents} is null)
        and ${t.agedAfterHours} > 0 and ${t.agedPriceCents} > 0`,
    ),
  ],
);
export type Category = typeof categories.$inferSelect;

/**
 * A category's price in an area: leads whose zip code starts with `zip_prefix` (1 to 5 digits)
 * take this price unless the request sets one; the longest prefix that matches wins, else the
 * category's price (lib/catalogue/prices.ts).
 */
export const categoryPrices = pgTable(
  'category_prices',
  {
    categorySlug: text('category_slug')
      .notNull()
      .references(() => categories.slug, { onDelete: 'cascade', onUpdate: 'cascade' }),
    zipPrefix: text('zip_prefix').notNull(),
    priceCents: integer('price_cents').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.categorySlug, t.zipPrefix] }),
    check('category_prices_zip_prefix', sql`${t.zipPrefix} ~ '^[0-9]{1,5}$'`),
    check('category_prices_positive', sql`${t.priceCents} > 0`),
  ],
);
export type CategoryPrice = typeof categoryPrices.$inferSelect;

export const providers = pgTable(
  'providers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    /** E.164. */
    phone: text('phone').notNull().unique(),
    email: text('email'),
    /** Lower-cased, trimmed. */
    categories: text('categories').array().notNull(),
    zipCodes: text('zip_codes').array().notNull(),
    active: boolean('active').notNull().default(true),
    optedOut: boolean('opted_out').notNull().default(false),
    /**
     * Their consent record (`consent` on GET /providers/{id}): when and how they were added or
     * came back (`console`, `api`, or `sms` for START), and when they last opted out, by which words.
     */
    optedInAt: stamp('opted_in_at'),
    optInSource: text('opt_in_source', { enum: ['console', 'api', 'sms'] })
      .notNull()
      .default('api'),
    optedOutAt: tstz('opted_out_at'),
    optOutText: text('opt_out_text'),
    /** Drives fairness: the least recently offered providers get the next lead first. */
    lastOfferedAt: tstz('last_offered_at'),
    /** The unsolicited help reply goes out at most once a day. */
    helpSentAt: tstz('help_sent_at'),
    /**
     * The per-number limit on answers to inbound SMS: answers sent in the hour that started at
     * `answersWindowStartedAt`. A counter on the row the reply locks anyway keeps the limit exact
     * under a burst in one statement, which a count over sms_messages cannot.
     */
    answersWindowStartedAt: tstz('answers_window_started_at'),
    answersInWindow: integer('answers_in_window').notNull().default(0),
    /**
     * Budgets (lib/purchases/budget.ts), each optional: spend net of refunds in the week from Monday
     * 00:00, and purchases in the day, both local to `timeZone` (an IANA name; null takes
     * DEFAULT_TIME_ZONE).
     */
    weeklySpendCapCents: integer('weekly_spend_cap_cents'),
    dailyLeadCap: integer('daily_lead_cap'),
    timeZone: text('time_zone'),
    /**
     * Teaser hours (lib/leads/quiet-hours.ts), local to `timeZone`, in minutes from midnight:
     * a teaser due outside them waits for the next start. Both null: TEASER_HOURS. A start
     * after the end wraps midnight (22:00-06:00).
     */
    teaserHoursStart: integer('teaser_hours_start'),
    teaserHoursEnd: integer('teaser_hours_end'),
    /** Their Stripe Customer, created the first time they open a pay link. */
    stripeCustomerId: text('stripe_customer_id'),
    /** The card their first Checkout saved (`pm_…`), charged off-session when they reply YES. */
    savedPaymentMethodId: text('saved_payment_method_id'),
    /** `AUTO OFF` / `AUTO ON` (or the admin API): charge the saved card on YES. */
    autoPay: boolean('auto_pay').notNull().default(true),
    /**
     * The language of every SMS they get, the code of a module of lib/sms/languages/ (ESPANOL /
     * ENGLISH switch it). No check lists them: the admin API takes only registered codes, and a
     * new language is its module alone; the providers_language check was dropped by drizzle/0016.
     */
    language: text('language', { enum: LANGUAGE_CODES }).notNull().default(DEFAULT_LANGUAGE),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('providers_categories_idx').using('gin', t.categories),
    index('providers_zip_codes_idx').using('gin', t.zipCodes),
    check('providers_weekly_spend_cap', sql`${t.weeklySpendCapCents} >= 0`),
    check('providers_daily_lead_cap', sql`${t.dailyLeadCap} >= 0`),
    check(
      'providers_teaser_hours',
      sql`(${t.teaserHoursStart} is null) = (${t.teaserHoursEnd} is null)
        and ${t.teaserHoursStart} between 0 and 1439 and ${t.teaserHoursEnd} between 1 and 1440
        and ${t.teaserHoursStart} <> ${t.teaserHoursEnd}`,
    ),
  ],
);

/** The fields of a lead's `source` (POST /leads, lib/leads/lead-input.ts). */
export const SOURCE_FIELDS = [
  'utmSource',
  'utmMedium',
  'utmCampaign',
  'gclid',
  'fbclid',
  'affiliate',
  'landingPage',
] as const;
/** A lead's `source` as stored: the fields that were given, not empty. */
export type LeadSource = Partial<Record<(typeof SOURCE_FIELDS)[number], string>>;

export const leads = pgTable(
  'leads',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** What providers reply with; unique among leads whose code is still active. */
    code: text('code').notNull(),
    /** False once the lead is full or expired, which frees the code for a new lead. */
    codeActive: boolean('code_active').notNull().default(true),
    /**
     * The client's personal data (name, phone, e-mail, city, description, budget): null once
     * erased at their request or past CLIENT_DATA_RETENTION_DAYS (`erasedAt`, lib/privacy/).
     */
    name: text('name'),
    phone: text('phone'),
    email: text('email'),
    category: text('category').notNull(),
    zipCode: text('zip_code').notNull(),
    city: text('city'),
    description: text('description'),
    budget: text('budget'),
    /** Its current price: the aged price once it aged (`aged_at`), new offers are priced at it. */
    priceCents: integer('price_cents').notNull(),
    currency: text('currency').notNull(),
    /**
     * Its category's aged price as it stood when the lead came in (a later change of the rule
     * does not touch it): from `ages_at`, still open and unsold, it drops to `aged_price_cents`
     * and is teased once more (lib/leads/age-leads.ts); `aged_at` is when that happened.
     */
    agesAt: tstz('ages_at'),
    agedPriceCents: integer('aged_price_cents'),
    agedAt: tstz('aged_at'),
    maxUnlocks: integer('max_unlocks').notNull(),
    unlockCount: integer('unlock_count').notNull().default(0),
    expiresAt: tstz('expires_at').notNull(),
    idempotencyKey: text('idempotency_key').unique(),
    /** SHA-256 of the request body that created it, to tell a retry from a reuse of the key. */
    requestHash: text('request_hash'),
    /**
     * The original this lead duplicates: an earlier lead of the same category from the same
     * client (phone, or e-mail case-insensitively) within DUPLICATE_WINDOW_DAYS. Always an
     * original, never another duplicate (lib/leads/create-lead.ts calls `lead_duplicate_of()`,
     * drizzle/functions/lead-duplicate-of.sql).
     */
    duplicateOf: uuid('duplicate_of').references((): AnyPgColumn => leads.id),
    erasedAt: tstz('erased_at'),
    /**
     * When it was taken off sale: closed by an operator (`POST /leads/{id}/close`,
     * lib/leads/close-lead.ts) or a return of it approved. It reads `closed`, not `expired`.
     */
    closedAt: tstz('closed_at'),
    /**
     * Where the lead came from (`source` of POST /leads: UTM parameters, click ids, affiliate,
     * landing page), the keys given and not empty; null when none was.
     */
    // Its `utmSource` is copied into lead_funnels by the funnel's trigger for GET /stats?groupBy=source
    // (a generated column here would rewrite the table when added).
    source: jsonb('source').$type<LeadSource>(),
    /**
     * Why the lead was offered to nobody (lib/leads/unmatched.ts: `no_provider`, `all_at_cap`, …);
     * null when it was offered. Set by the statement that creates the lead, never changed.
     */
    unmatchedReason: text('unmatched_reason').$type<UnmatchedReason>(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('leads_active_code_idx')
      .on(t.code)
      .where(sql`${t.codeActive}`),
    check('leads_unlock_cap', sql`${t.unlockCount} between 0 and ${t.maxUnlocks}`),
    /** GET /stats (leads created in a range) and GET /leads (newest first, keyset on created_at, id). */
    // With category, GET /stats reads the range's leads from the index alone.
    index('leads_created_idx').on(t.createdAt, t.id, t.category),
    /** The duplicate lookup of POST /leads: same client and category, newest window. */
    index('leads_phone_dup_idx').on(t.phone, t.category, t.createdAt),
    index('leads_email_dup_idx').on(sql`lower(${t.email})`, t.category, t.createdAt),
    /** A lead's duplicates (GET /leads/{id}, and the providers a new duplicate must skip). */
    index('leads_duplicate_of_idx')
      .on(t.duplicateOf)
      .where(sql`${t.duplicateOf} is not null`),
    /** GET /stats's demand without supply: the range's unmatched leads alone. */
    index('leads_unmatched_idx')
      .on(t.createdAt, t.category, t.zipCode, t.unmatchedReason)
      .where(sql`${t.unmatchedReason} is not null`),
    /** CLIENT_DATA_RETENTION_DAYS: the oldest leads not erased yet, a batch at a time. */
    index('leads_not_erased_idx')
      .on(t.createdAt, t.id)
      .where(sql`${t.erasedAt} is null`),
    /** The dispatcher's aging run: leads whose aged price is due and not applied yet. */
    index('leads_ages_at_idx')
      .on(t.agesAt)
      .where(sql`${t.agedAt} is null and ${t.agesAt} is not null`),
    /** GET /stats: the aged leads of a range (by creation, as the funnel counts leads). */
    index('leads_aged_idx')
      .on(t.createdAt)
      .where(sql`${t.agedAt} is not null`),
  ],
);

/**
 * What the client agreed to when their inquiry was sent (`consent` on POST /leads): kept as long
 * as the lead (the TCPA's limitation period is four years). Erasure nulls `ip` and `user_agent`
 * and cuts the page's query and fragment; the wording, the time and the certificate stay.
 */
export const leadConsents = pgTable('lead_consents', {
  leadId: uuid('lead_id')
    .primaryKey()
    .references(() => leads.id),
  text: text('text').notNull(),
  agreedAt: tstz('agreed_at').notNull(),
  ip: text('ip'),
  userAgent: text('user_agent'),
  pageUrl: text('page_url'),
  certificateUrl: text('certificate_url'),
});

/** Each erasure (POST /privacy/erasures, or retention): when, by whom, which leads; never the data. */
export const privacyErasures = pgTable('privacy_erasures', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  /** `admin_key`, `session:<id>` (a console session) or `retention`. */
  requestedBy: text('requested_by').notNull(),
  /** What the request named: `lead`, `phone`, `email`, or `retention`. */
  target: text('target').notNull(),
  erasedLeads: integer('erased_leads').notNull(),
  leadIds: uuid('lead_ids').array().notNull(),
  createdAt: createdAt(),
});

export const offers = pgTable(
  'offers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    leadId: uuid('lead_id')
      .notNull()
      .references(() => leads.id),
    providerId: uuid('provider_id')
      .notNull()
      .references(() => providers.id),
    /** The secret in the short pay link `/p/<token>`: 144 random bits. */
    payToken: text('pay_token').notNull().unique(),
    status: text('status', { enum: ['offered', 'unlocked'] })
      .notNull()
      .default('offered'),
    /**
     * What this provider is charged: the price its latest teaser showed (the lead's price when it
     * was offered, or the aged price when re-teased at it). Pay links, saved-card charges and
     * budgets read it, never the lead's current price.
     */
    priceCents: integer('price_cents').notNull(),
    /** Bumped for each new Checkout Session, and part of its idempotency key. */
    checkoutAttempt: integer('checkout_attempt').notNull().default(0),
    checkoutSessionId: text('checkout_session_id'),
    checkoutUrl: text('checkout_url'),
    checkoutExpiresAt: tstz('checkout_expires_at'),
    /**
     * Held while a Checkout Session is being created for this offer (lib/purchases/budget.ts): the
     * provider's budgets count it as a pending purchase until the session is stored, so two
     * links opened at once cannot both pass a cap.
     */
    checkoutReservedUntil: tstz('checkout_reserved_until'),
    /** The funnel's steps for this offer, each the first time it happened (GET /stats). */
    acceptedAt: tstz('accepted_at'),
    linkOpenedAt: tstz('link_opened_at'),
    checkoutCreatedAt: tstz('checkout_created_at'),
    /** Bumped for each off-session charge of the saved card, and part of its idempotency key. */
    chargeAttempt: integer('charge_attempt').notNull().default(0),
    /** The latest saved-card charge: in flight, or failed (a YES then sends the pay link). */
    chargeStatus: text('charge_status', { enum: ['charging', 'failed'] }),
    /**
     * When the provider's teaser of this lead was due: the lead's creation, or, when that fell
     * outside their teaser hours, the start of the next (lib/leads/quiet-hours.ts). A YES
     * without a code does not pick an offer they have not been told of yet.
     */
    teaserAt: tstz('teaser_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('offers_lead_provider_idx').on(t.leadId, t.providerId),
    index('offers_provider_idx').on(t.providerId),
  ],
);

/** A completed Checkout Session that bought a lead. */
export const unlocks = pgTable(
  'unlocks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    offerId: uuid('offer_id')
      .notNull()
      .unique()
      .references(() => offers.id),
    leadId: uuid('lead_id')
      .notNull()
      .references(() => leads.id),
    providerId: uuid('provider_id')
      .notNull()
      .references(() => providers.id),
    checkoutSessionId: text('checkout_session_id').notNull().unique(),
    paymentIntentId: text('payment_intent_id'),
    /**
     * What Stripe took (the session's `amount_total`, the PaymentIntent's amount received): the
     * amount a refund gives back and budgets and revenue count. The lead's price when the
     * payment was asked for, which the lead's `price_cents` need not stay (issue 23's price rules).
     */
    amountCents: integer('amount_cents').notNull(),
    currency: text('currency').notNull(),
    /** Set when the payment is refunded from Stripe's dashboard (`charge.refunded`). */
    refundedAt: tstz('refunded_at'),

    /** A Checkout (`checkout_session_id` a `cs_…`), or the saved card charged off-session (a `pi_…`). */
    paidWith: text('paid_with', { enum: ['checkout', 'saved_card'] })
      .notNull()
      .default('checkout'),
    createdAt: createdAt(),
    /**
     * Copied from the lead by the trigger `unlocks_stamp` (drizzle/functions/lead-funnels.sql): the UTC day the lead
     * was created, its category, and the seconds from its teaser to this payment, so that
     * GET /stats takes the medians of a range's payments from one index alone.
     */
    leadDay: date('lead_day', { mode: 'string' }),
    leadCategory: text('lead_category'),
    teaserSeconds: doublePrecision('teaser_seconds'),
  },
  (t) => [
    index('unlocks_lead_idx').on(t.leadId),
    /** A provider's purchases in a period (budgets, lead matching) and on their page, newest first. */
    index('unlocks_provider_idx').on(t.providerId, t.createdAt),
    /** GET /stats: the medians of a range's payments from the index alone. */
    index('unlocks_funnel_idx').on(t.leadDay, t.leadCategory, t.teaserSeconds),
    check('unlocks_paid_with', sql`${t.paidWith} in ('checkout', 'saved_card')`),
  ],
);

/**
 * Stripe's receipt of a payment, by its PaymentIntent: the Charge's `receipt_url` (kept current
 * with refunds by Stripe), from `charge.succeeded` or `charge.refunded` (lib/purchases/receipts.ts),
 * whichever of those and the payment's own event comes first. The portal's Spending shows it.
 */
export const paymentReceipts = pgTable('payment_receipts', {
  paymentIntentId: text('payment_intent_id').primaryKey(),
  receiptUrl: text('receipt_url').notNull(),
  createdAt: createdAt(),
});

/**
 * A provider's return of a lead they bought (`BAD <code> <reason>` by SMS, or from the console):
 * at most one per purchase. Approved: the payment is refunded (stripe_tasks, the same key as a
 * refund past the cap) and the lead is sold no more (lib/returns/returns.ts).
 */
export const leadReturns = pgTable(
  'lead_returns',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    unlockId: uuid('unlock_id')
      .notNull()
      .unique()
      .references(() => unlocks.id),
    leadId: uuid('lead_id')
      .notNull()
      .references(() => leads.id),
    providerId: uuid('provider_id')
      .notNull()
      .references(() => providers.id),
    reason: text('reason', { enum: RETURN_REASONS }).notNull(),
    /** What the provider wrote after the code, as written: free text, never logged. */
    reasonText: text('reason_text'),
    source: text('source', { enum: ['sms', 'console', 'portal'] }).notNull(),
    status: text('status', { enum: ['open', 'approved', 'declined'] })
      .notNull()
      .default('open'),
    /** The operator's note of a decline, sent to the provider. */
    note: text('note'),
    /** Approved at once under RETURN_AUTO_APPROVE_RATE, not by an operator. */
    auto: boolean('auto').notNull().default(false),
    decidedAt: tstz('decided_at'),
    createdAt: createdAt(),
  },
  (t) => [
    check(
      'lead_returns_reason',
      sql`${t.reason} in ('wrong_area', 'wrong_service', 'bad_contact', 'duplicate', 'other')`,
    ),
    check('lead_returns_status', sql`${t.status} in ('open', 'approved', 'declined')`),
    /** The Returns queue (`GET /returns?status=`), newest first, keyset on (created_at, id). */
    index('lead_returns_status_idx').on(t.status, t.createdAt, t.id),
    /** A provider's returns of the last 30 days (auto-approval). */
    index('lead_returns_provider_idx').on(t.providerId, t.createdAt),
    /** A lead's returns (GET /leads/{id}). */
    index('lead_returns_lead_idx').on(t.leadId),
  ],
);

/**
 * Each lead's funnel in one row, kept by triggers on leads, offers, sms_messages and unlocks
 * (drizzle/functions/lead-funnels.sql) in the transaction of each change: GET /stats sums a range of these rows
 * instead of joining every offer, SMS and unlock. Never written by our code.
 */
export const leadFunnels = pgTable(
  'lead_funnels',
  {
    leadId: uuid('lead_id')
      .primaryKey()
      .references(() => leads.id),
    /** The UTC day the lead was created: GET /stats ranges are whole UTC days. */
    day: date('day', { mode: 'string' }).notNull(),
    category: text('category').notNull(),
    /** The lead's `source.utmSource` (GET /stats?groupBy=source); null when it had none. */
    utmSource: text('utm_source'),
    currency: text('currency').notNull(),
    /** When the lead's teaser (the first message, not a resend) was sent; null until then. */
    teaserSentAt: tstz('teaser_sent_at'),
    /**
     * Providers its teasers went to: the recipients of its sent teaser messages (not resends). A
     * teaser held for quiet hours counts once sent, and a cancelled one never.
     */
    teasersSent: integer('teasers_sent').notNull().default(0),
    offers: integer('offers').notNull().default(0),
    yesReplies: integer('yes_replies').notNull().default(0),
    linksOpened: integer('links_opened').notNull().default(0),
    checkoutsCreated: integer('checkouts_created').notNull().default(0),
    paidUnlocks: integer('paid_unlocks').notNull().default(0),
    /** Of the paid unlocks, those bought with the saved card (no link, no Checkout). */
    savedCardUnlocks: integer('saved_card_unlocks').notNull().default(0),
    refunds: integer('refunds').notNull().default(0),
    grossCents: bigint('gross_cents', { mode: 'number' }).notNull().default(0),
    refundedCents: bigint('refunded_cents', { mode: 'number' }).notNull().default(0),
  },
  (t) => [index('lead_funnels_day_idx').on(t.day)],
);

/**
 * Calls to Stripe that follow a committed change (expire the other sessions of a full lead,
 * refund a payment past the cap), queued in the same transaction and retried until done.
 */
export const stripeTasks = pgTable(
  'stripe_tasks',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    kind: text('kind', {
      enum: ['expire_session', 'refund', 'charge', 'save_card', 'save_setup_card', 'detach_card'],
    }).notNull(),
    /**
     * One task per effect: `expire:<session id>`, `refund:<session id or payment intent id>`,
     * `charge:<offer id>:<attempt>`, `save-card:<session id>`, `setup-card:<session id>`,
     * `detach:<payment method id>` (lib/purchases/card-setup.ts).
     */
    dedupeKey: text('dedupe_key').notNull().unique(),
    /** The session (for a saved-card charge, the payment intent) the task is about. */
    checkoutSessionId: text('checkout_session_id'),
    paymentIntentId: text('payment_intent_id'),
    /** A setup-mode Checkout's SetupIntent, whose card becomes the provider's (lib/portal/card.ts). */
    setupIntentId: text('setup_intent_id'),
    /**
     * A saved-card charge: the offer, the attempt, and the lead's price it charges (fixed when
     * queued: a later change of the price does not change a charge under way).
     */
    offerId: uuid('offer_id').references(() => offers.id),
    chargeAttempt: integer('charge_attempt'),
    customerId: text('customer_id'),
    paymentMethodId: text('payment_method_id'),
    priceCents: integer('price_cents'),
    currency: text('currency'),
    leadId: uuid('lead_id').references(() => leads.id),
    providerId: uuid('provider_id').references(() => providers.id),
    status: text('status', { enum: ['queued', 'done', 'failed'] })
      .notNull()
      .default('queued'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: tstz('next_attempt_at').notNull().defaultNow(),
    lastError: text('last_error'),
    result: jsonb('result'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('stripe_tasks_due_idx')
      .on(t.nextAttemptAt)
      .where(sql`${t.status} = 'queued'`),
  ],
);

/** The SMS outbox and log: written with the change that causes it, sent after commit. */
export const smsMessages = pgTable(
  'sms_messages',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    kind: text('kind').notNull(),
    /** E.164 numbers; a teaser goes to all matched providers of a lead in one request. */
    recipients: text('recipients').array().notNull(),
    body: text('body').notNull(),
    /** Makes "never twice" a constraint: e.g. `teaser:<lead>`, `details:<unlock>`. */
    dedupeKey: text('dedupe_key').unique(),
    leadId: uuid('lead_id').references(() => leads.id),
    providerId: uuid('provider_id').references(() => providers.id),
    /**
     * `cancelled`: a teaser held for the start of its providers' teaser hours whose lead was no
     * longer open by then (or none of whose providers may still get it): never sent.
     */
    status: text('status', { enum: ['queued', 'sent', 'failed', 'cancelled'] })
      .notNull()
      .default('queued'),
    /** Details 0, answers to a provider 1, teasers 2 (lib/messaging/sms-priority.ts): claimed in this order. */
    priority: smallint('priority').notNull().generatedAlwaysAs(sql.raw(PRIORITY_SQL)),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: tstz('next_attempt_at').notNull().defaultNow(),
    lastError: text('last_error'),
    /** `textmagic` or `log` (no credentials: logged and stored as sent). */
    transport: text('transport'),
    /** TextMagic's message id (one recipient) or session id (several). */
    providerMessageId: text('provider_message_id'),
    providerSessionId: text('provider_session_id'),
    /** Latest delivery status per receiver from TextMagic's delivery reports. */
    deliveryStatus: jsonb('delivery_status').$type<Record<string, string>>(),
    /** For a resend after a failed delivery report: the first message of the chain. */
    resendOf: bigint('resend_of', { mode: 'number' }),
    sentAt: tstz('sent_at'),
    /**
     * When the earliest try whose answer never came (a timeout, a reset after the request went
     * out) started: TextMagic may have taken it. Before sending again, TextMagic is asked whether
     * it sent the message since (lib/messaging/outbox.ts). Null once sent, or with every try heard.
     */
    unheardSince: tstz('unheard_since'),
    /** Set when an operator queued a failed message again (`POST /sms/{id}/retry`: once). */
    retriedAt: tstz('retried_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    /** The claim's order (priority, then due time) and the inline sender's "anything ahead of me?". */
    index('sms_messages_due_idx')
      .on(t.priority, t.nextAttemptAt, t.id)
      .where(sql`${t.status} = 'queued'`),
    index('sms_messages_provider_message_idx').on(t.providerMessageId),
    index('sms_messages_provider_session_idx').on(t.providerSessionId),
    index('sms_messages_resend_of_idx').on(t.resendOf),
    /** A lead's messages: its page's timeline and the Attention queries. */
    index('sms_messages_lead_idx').on(t.leadId),
    /**
     * A provider's thread (`GET /providers/{id}/sms`): every message to one provider names it in
     * `provider_id`; a teaser, to several, names its lead (found through the provider's offers).
     */
    index('sms_messages_provider_idx')
      .on(t.providerId, t.createdAt)
      .where(sql`${t.providerId} is not null`),
  ],
);

/** TextMagic inbound callbacks seen, so each `id` is processed once. */
export const inboundSms = pgTable(
  'inbound_sms',
  {
    id: text('id').primaryKey(),
    sender: text('sender').notNull(),
    receiver: text('receiver'),
    text: text('text').notNull(),
    messageTime: text('message_time'),
    providerId: uuid('provider_id').references(() => providers.id),
    /** The lead the reply was about (a YES naming or implying one), for the lead's timeline. */
    leadId: uuid('lead_id').references(() => leads.id),
    /** What we made of it: the parsed reply kind, or `unknown_sender`. */
    outcome: text('outcome').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('inbound_sms_lead_idx').on(t.leadId), index('inbound_sms_provider_idx').on(t.providerId)],
);

/** TextMagic delivery reports, one row per message id and receiver. */
export const smsDeliveryReports = pgTable('sms_delivery_reports', {
  messageId: text('message_id').primaryKey(),
  receiver: text('receiver'),
  status: text('status').notNull(),
  smsMessageId: bigint('sms_message_id', { mode: 'number' }),
  payload: jsonb('payload'),
  updatedAt: updatedAt(),
});

/** Stripe events seen, so a replay changes nothing. */
export const stripeEvents = pgTable('stripe_events', {
  id: text('id').primaryKey(),
  type: text('type').notNull(),
  createdAt: createdAt(),
});

/**
 * The deployment's one SMS send rate (SMS_RATE_PER_SECOND), shared by every container: one row,
 * whose `next_at` is when the next request to TextMagic may go (lib/messaging/send-rate.ts).
 * `paused_until`: a 429's Retry-After, honoured by every sender. `dispatcher_until`: until when
 * a dispatcher run sends (or one just started is due to), so that a burst starts one run, not
 * one per request (lib/messaging/dispatcher-kick.ts).
 */
export const smsRate = pgTable(
  'sms_rate',
  {
    id: smallint('id').primaryKey().default(1),
    nextAt: tstz('next_at').notNull().defaultNow(),
    pausedUntil: tstz('paused_until').notNull().defaultNow(),
    dispatcherUntil: tstz('dispatcher_until').notNull().defaultNow(),
  },
  (t) => [check('sms_rate_one_row', sql`${t.id} = 1`)],
);

/** When each scheduled job last ran (`sms-dispatcher`), for GET /health/integrations. */
export const heartbeats = pgTable('heartbeats', {
  name: text('name').primaryKey(),
  lastRunAt: tstz('last_run_at').notNull(),
  details: jsonb('details'),
});

/**
 * Failed console sign-ins per client address in the current window: past a few, sign-in is
 * refused until the window ends (lib/console/session.ts).
 */
export const signInFailures = pgTable('sign_in_failures', {
  client: text('client').primaryKey(),
  failures: integer('failures').notNull().default(0),
  windowStartedAt: tstz('window_started_at').notNull().defaultNow(),
});

/**
 * Console sessions (lib/console/session.ts), checked on every admin request that carries the
 * cookie: signing out deletes the row, so a copied cookie stops working at once. Neither the
 * cookie's token nor the admin key is stored: `token_hash` is the token's SHA-256 (the lookup),
 * `key_check` an HMAC of the token under the admin key it was signed in with (a changed key
 * ends the session, and a dump of this table gives no way to test guesses at the key).
 * Expired rows are deleted at the next sign-in.
 */
export const adminSessions = pgTable(
  'admin_sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    /** The admin key's HMAC of the token; null for an operator's session (their row decides). */
    keyCheck: text('key_check'),
    /**
     * The operator signed in; null for a session of the admin key (which sign-in gives only while
     * no active owner exists). Deleting the operator ends their sessions.
     */
    operatorId: uuid('operator_id').references((): AnyPgColumn => operators.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
    expiresAt: tstz('expires_at').notNull(),
  },
  (t) => [
    index('admin_sessions_expires_idx').on(t.expiresAt),
    index('admin_sessions_operator_idx').on(t.operatorId),
    // Exactly one of the two ties: the admin key's HMAC, or the operator.
    check('admin_sessions_one_tie', sql`(${t.keyCheck} is null) <> (${t.operatorId} is null)`),
  ],
);

/**
 * The console's operators (lib/operators/, docs/operators.md): owner, staff or viewer. Signed in
 * by e-mail (unique in any case) and password: `password_hash` is scrypt's PHC-style string
 * (lib/operators/password.ts), null until the invite is accepted. `totp_secret` (base32) turns on
 * the second factor once a code confirmed `totp_pending_secret`; `totp_last_step` refuses a code's
 * replay. An inactive operator signs in nowhere and their sessions are dead.
 */
export const operators = pgTable(
  'operators',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    role: text('role', { enum: ['owner', 'staff', 'viewer'] }).notNull(),
    passwordHash: text('password_hash'),
    totpSecret: text('totp_secret'),
    totpPendingSecret: text('totp_pending_secret'),
    totpLastStep: bigint('totp_last_step', { mode: 'number' }),
    active: boolean('active').notNull().default(true),
    lastSignInAt: tstz('last_sign_in_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('operators_email_idx').on(sql`lower(${t.email})`),
    check('operators_role_check', sql`${t.role} in ('owner', 'staff', 'viewer')`),
  ],
);

/**
 * One-time invites (`POST /operators`, `POST /operators/{id}/invite`): the link's token is in the
 * URL's fragment and here only as its SHA-256. Used once (`used_at`), good for 7 days; a new
 * invite for the same operator deletes the old ones.
 */
export const operatorInvites = pgTable(
  'operator_invites',
  {
    tokenHash: text('token_hash').primaryKey(),
    operatorId: uuid('operator_id')
      .notNull()
      .references(() => operators.id, { onDelete: 'cascade' }),
    expiresAt: tstz('expires_at').notNull(),
    usedAt: tstz('used_at'),
    createdAt: createdAt(),
  },
  (t) => [index('operator_invites_operator_idx').on(t.operatorId)],
);

/**
 * The team's settings, one row (`id` is always true): `staff_money_actions` lets staff approve
 * returns and erase clients (docs/operators.md); only an owner changes it.
 */
export const teamSettings = pgTable(
  'team_settings',
  {
    id: boolean('id').primaryKey().default(true),
    staffMoneyActions: boolean('staff_money_actions').notNull().default(true),
    updatedAt: updatedAt(),
  },
  (t) => [check('team_settings_one_row', sql`${t.id}`)],
);

/**
 * Form tools that post leads to `POST /intake/{source}?token=…` (lib/intake/): each source's
 * field mapping, set by `PUT /intake/sources/{source}`. The token itself is never stored: only its
 * SHA-256, compared in constant time; each PUT issues a new one.
 */
export const intakeSources = pgTable('intake_sources', {
  source: text('source').primaryKey(),
  /** `{ name, phone, email?, category?, zipCode, description?, consent? }`: their field names. */
  fields: jsonb('fields').notNull(),
  defaults: jsonb('defaults').notNull().default({}),
  tokenHash: text('token_hash').notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/**
 * The hosted form's rate limits (lib/intake/form-guard.ts): submissions per key (a SHA-256 of
 * `ip:<address>` or `phone:<E.164>`, never the address or number itself) in the current window.
 */
export const formRateLimits = pgTable('form_rate_limits', {
  key: text('key').primaryKey(),
  hits: integer('hits').notNull().default(0),
  windowStartedAt: tstz('window_started_at').notNull().defaultNow(),
});

/** Hosted-form submissions refused as abuse, per UTC day and reason (`GET /intake/sources`). */
export const formBlocks = pgTable(
  'form_blocks',
  {
    day: date('day').notNull(),
    reason: text('reason').notNull(),
    count: integer('count').notNull().default(0),
  },
  (t) => [uniqueIndex('form_blocks_day_reason_idx').on(t.day, t.reason)],
);

/**
 * The provider portal's one-time sign-in links (lib/portal/session.ts), sent in answer to
 * `ACCOUNT`: the token's SHA-256 only, good until `expires_at` (at most 15 minutes) and once
 * (`used_at`). Kept a day after they were made, so a used or expired link still reads as such
 * and the requests of the last hour can be counted per provider.
 */
export const portalLinks = pgTable(
  'portal_links',
  {
    tokenHash: text('token_hash').primaryKey(),
    providerId: uuid('provider_id')
      .notNull()
      .references(() => providers.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
    expiresAt: tstz('expires_at').notNull(),
    usedAt: tstz('used_at'),
  },
  (t) => [index('portal_links_provider_idx').on(t.providerId, t.createdAt)],
);

/**
 * Portal sessions (lib/portal/session.ts), looked up on every portal request: signing out deletes
 * the row, and so does the provider's opt-out or deactivation (drizzle/functions/
 * portal-sessions-end.sql), so a copied cookie stops working at once.
 */
export const portalSessions = pgTable(
  'portal_sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    providerId: uuid('provider_id')
      .notNull()
      .references(() => providers.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
    expiresAt: tstz('expires_at').notNull(),
  },
  (t) => [
    index('portal_sessions_provider_idx').on(t.providerId),
    index('portal_sessions_expires_idx').on(t.expiresAt),
  ],
);

/**
 * The audit trail (lib/audit/, docs/audit.md): one row per change request made through the admin
 * API or the console, written before the change runs (`pending`) and completed after it (`done`,
 * or `unchanged` when the request changed nothing); a refused request's row is deleted. Only ids,
 * codes, amounts and times: never a client's or provider's data, never free text. Kept for good:
 * neither erasure nor CLIENT_DATA_RETENTION_DAYS touches it (nothing in it is personal data).
 */
export const auditEntries = pgTable(
  'audit_entries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** When the request began (the row is written before the change). */
    at: stamp('at'),
    actorType: text('actor_type', { enum: ['operator', 'api_key'] }).notNull(),
    /** The operator's id, or `admin` for the admin key. */
    actorId: text('actor_id').notNull(),
    /** The console session the request came through (its 16-hex id), null for a Bearer key. */
    sessionId: text('session_id'),
    /** The route table's `audit` name: `return.approve`. */
    action: text('action').notNull(),
    /** The route key: `POST /returns/{id}/approve`. */
    route: text('route').notNull(),
    /** The changed object's id (a UUID, a slug, an SMS id, an intake source's name). */
    objectId: text('object_id'),
    /** Money actions: the amount moved (an approved return: the refund). */
    amountCents: integer('amount_cents'),
    outcome: text('outcome', { enum: ['pending', 'done', 'unchanged'] })
      .notNull()
      .default('pending'),
    /** The Lambda invocation's request id: the log lines of the same request carry it. */
    requestId: text('request_id'),
    finishedAt: tstz('finished_at'),
  },
  (t) => [
    check('audit_entries_actor_type', sql`${t.actorType} in ('operator', 'api_key')`),
    check('audit_entries_outcome', sql`${t.outcome} in ('pending', 'done', 'unchanged')`),
    // GET /audit: newest first (each index walked backward), all, one actor's or one action's.
    index('audit_entries_at_idx').on(t.at, t.id),
    index('audit_entries_actor_idx').on(t.actorType, t.actorId, t.at, t.id),
    index('audit_entries_action_idx').on(t.action, t.at, t.id),
  ],
);

export type Provider = typeof providers.$inferSelect;
export type Lead = typeof leads.$inferSelect;
export type Offer = typeof offers.$inferSelect;
export type Unlock = typeof unlocks.$inferSelect;
export type SmsMessage = typeof smsMessages.$inferSelect;
export type StripeTask = typeof stripeTasks.$inferSelect;
export type LeadReturn = typeof leadReturns.$inferSelect;
export type AuditEntry = typeof auditEntries.$inferSelect;
