/**
 * What the operator reads for each status and kind the API answers with: a human label, never
 * the code (`sent · d`, `pay_link`, `return_opened`). Each table is keyed by the server's own
 * union (type-only imports: none of that code reaches the bundle), so a value the server adds
 * is a `tsc` error here until it has its label; tests/unit/console-labels.test.ts checks the
 * unions that also exist at run time (the schema's enums, the registries' arrays).
 */
import type { LeadStatus } from '../lib/leads/lead-status';
import type { TimelineKind } from '../lib/leads/lead-view';
import type { UnmatchedReason } from '../lib/leads/unmatched';
import type { BlockReason } from '../lib/intake/form-guard';
import type { UNDELIVERED_CODES } from '../lib/messaging/delivery-report';
import type { SmsKind } from '../lib/messaging/outbox';
import type { Funnel } from '../lib/reports/stats';
import type { ReturnReason } from '../lib/sms/return-reason';
import type { Reply } from '../lib/sms/parse-reply';
import type { LeadReturn, Offer, Provider, SmsMessage, StripeTask, Unlock } from '../lib/db/schema';

/** A lead's state (lib/leads/lead-status.ts). */
export const LEAD_STATUS = {
  open: 'Open',
  full: 'Sold out',
  closed: 'Closed',
  expired: 'Expired',
} as const satisfies Record<LeadStatus, string>;

/** Why a lead was offered to nobody (`unmatchedReason`, docs/unmatched-demand.md). */
export const UNMATCHED_LABELS = {
  duplicate: 'duplicate of a lead already offered',
  no_provider: 'no provider serves it',
  all_paused: 'providers paused',
  all_awaiting_opt_in: 'opt-in confirmation not sent yet',
  all_at_cap: 'providers at their cap',
  all_opted_out: 'providers opted out',
} as const satisfies Record<UnmatchedReason, string>;

/** An offer of a lead to one provider. */
export const OFFER_STATUS = {
  offered: 'Offered',
  unlocked: 'Bought',
} as const satisfies Record<Offer['status'], string>;

/** A charge of the saved card in flight, or refused. */
export const CHARGE_STATUS = {
  charging: 'Charging the card',
  failed: 'Card declined',
} as const satisfies Record<NonNullable<Offer['chargeStatus']>, string>;

/** How a purchase was paid. */
export const PAID_WITH = {
  checkout: 'Pay link',
  saved_card: 'Saved card',
} as const satisfies Record<Unlock['paidWith'], string>;

/** What each SMS the platform sends is (lib/messaging/outbox.ts). */
export const SMS_KIND = {
  teaser: 'Teaser',
  pay_link: 'Pay link',
  details: 'Client details',
  unavailable: 'No longer available',
  no_offers: 'No open offers',
  choose_offer: 'Which lead?',
  opted_out: 'Opt-out confirmation',
  opted_in: 'Opt-in confirmation',
  help: 'Help',
  refunded: 'Refund notice',
  budget_refused: 'Over budget',
  charging: 'Charging the card',
  card_failed: 'Card declined',
  auto_pay: 'Auto-pay change',
  language: 'Language change',
  return_usage: 'How to return',
  return_opened: 'Return received',
  return_refused: 'Return refused',
  return_approved: 'Return approved',
  return_declined: 'Return declined',
  opt_out_check: 'Opt-out check',
  erased_refund: 'Refund (client erased)',
  details_erased: 'Details erased',
  portal_link: 'Portal sign-in link',
  portal_wait: 'Portal link (wait)',
} as const satisfies Record<SmsKind, string>;

/** The outbox's state of an SMS. */
export const SMS_STATUS = {
  queued: 'Queued',
  sent: 'Sent',
  failed: 'Failed',
  cancelled: 'Cancelled',
} as const satisfies Record<SmsMessage['status'], string>;

/**
 * TextMagic's delivery report codes (the `status` of its delivery notification callback): those
 * lib/messaging/delivery-report.ts counts as undelivered, and the others TextMagic documents.
 */
export const DELIVERY = {
  q: 'Queued at TextMagic',
  s: 'Sent to the carrier',
  a: 'Accepted by the carrier',
  b: 'Accepted by the carrier',
  r: 'On its way',
  d: 'Delivered',
  u: 'Delivery unknown',
  f: 'Not delivered',
  e: 'Not delivered (error)',
  j: 'Rejected by the carrier',
} as const satisfies Record<
  (typeof UNDELIVERED_CODES)[number] | 'q' | 's' | 'a' | 'b' | 'r' | 'd' | 'u',
  string
>;

/** A lead's history (`timeline[].kind`, lib/leads/lead-view.ts). */
export const TIMELINE_KIND = {
  created: 'Lead created',
  teaser: 'Teaser sent',
  reply: 'Replied',
  link_opened: 'Opened the pay link',
  checkout_created: 'Checkout started',
  paid: 'Paid',
  refunded: 'Refunded',
  return_opened: 'Return opened',
  return_decided: 'Return decided',
  sms: 'SMS',
  full: 'Sold out',
  /** Closed by an operator, or returned by a buyer and the return approved. */
  closed: 'Taken off sale',
  expired: 'Expired',
} as const satisfies Record<TimelineKind, string>;

/**
 * What a provider's reply was taken as (`inbound_sms.outcome`, lib/messaging/handle-reply.ts); a
 * change of language is recorded as the language's name, which `labelOf` shows as it is.
 */
export const REPLY_OUTCOME = {
  yes: 'Yes',
  stop: 'Stop',
  maybe_stop: 'Maybe stop (asked to confirm)',
  start: 'Start',
  help: 'Help',
  auto_off: 'Auto-pay off',
  auto_on: 'Auto-pay on',
  account: 'Portal link asked',
  bad: 'Return',
  other: 'Not understood',
  duplicate: 'Repeated callback',
  unknown_sender: 'Unknown sender',
  rate_limited: 'Too many replies',
} as const satisfies Record<
  Exclude<Reply['kind'], 'language'> | 'duplicate' | 'unknown_sender' | 'rate_limited',
  string
>;

/** The funnel's counts (`GET /stats`), in the order a lead goes through them. */
export const FUNNEL_STEP = {
  leads: 'Leads',
  teasersSent: 'Teasers sent',
  yesReplies: 'YES replies',
  linksOpened: 'Pay links opened',
  checkoutsCreated: 'Checkouts started',
  paidUnlocks: 'Paid',
  savedCardUnlocks: '…with a saved card',
  refunds: 'Refunds',
} as const satisfies Record<
  Exclude<keyof Funnel, 'revenue' | 'conversion' | 'medianTeaserToPaymentSeconds'>,
  string
>;

/** A return's state. */
export const RETURN_STATUS = {
  open: 'Open',
  approved: 'Approved',
  declined: 'Declined',
} as const satisfies Record<LeadReturn['status'], string>;

/** Why a provider returned a lead (lib/sms/return-reason.ts). */
export const RETURN_REASON = {
  wrong_area: 'Wrong area',
  wrong_service: 'Wrong service',
  bad_contact: 'Bad contact details',
  duplicate: 'Duplicate',
  other: 'Other',
} as const satisfies Record<ReturnReason, string>;

/** Where a return was opened. */
export const RETURN_SOURCE = {
  sms: 'by SMS',
  console: 'in the console',
  portal: 'in the portal',
} as const satisfies Record<LeadReturn['source'], string>;

/** A call to Stripe that follows a committed change (lib/purchases/stripe-follow-ups.ts). */
export const STRIPE_TASK_KIND = {
  expire_session: 'Expire a checkout',
  refund: 'Refund',
  charge: 'Charge the saved card',
  save_card: 'Save the card',
  save_setup_card: 'Save the card (setup)',
  detach_card: 'Remove the card',
} as const satisfies Record<StripeTask['kind'], string>;

export const STRIPE_TASK_STATUS = {
  queued: 'Queued',
  done: 'Done',
  failed: 'Failed',
} as const satisfies Record<StripeTask['status'], string>;

/** How a provider came to opt in (`consent.source`). */
export const OPT_IN_SOURCE = {
  console: 'added in the console',
  api: 'added through the API',
  sms: 'replied START by SMS',
} as const satisfies Record<NonNullable<Provider['optInSource']>, string>;

/** Why the hosted form refused a submission as abuse (`formBlocked.byReason`). */
export const FORM_BLOCK_REASON = {
  honeypot: 'hidden field filled in',
  too_fast: 'sent too fast',
  bad_stamp: 'forged page',
  stale_stamp: 'page a day old',
  ip_rate: 'too many from one address',
  phone_rate: 'too many for one phone',
  too_large: 'too long',
} as const satisfies Record<BlockReason, string>;

/**
 * The label of `code` in `labels`, for a value typed only as `string` by its column (an SMS's
 * kind, a delivery code): a code the table lacks reads as words (`new_kind` → "new kind").
 */
export function labelOf(labels: Readonly<Record<string, string>>, code: string | null | undefined): string {
  if (code === null || code === undefined || code === '') return '—';
  return Object.hasOwn(labels, code) ? labels[code]! : code.replaceAll('_', ' ');
}

/** A provider's state, in words. */
export const providerState = (p: { optedOut: boolean; active: boolean }): string =>
  p.optedOut ? 'Opted out' : p.active ? 'Active' : 'Paused';

/**
 * An SMS's delivery in words, from its delivery reports (`{phone: code}`): one label when every
 * phone says the same, else each phone's (`phone` formats the numbers).
 */
export function deliveryText(
  delivery: string | Readonly<Record<string, string>> | null | undefined,
  phone: (e164: string) => string = (p) => p,
): string {
  if (delivery === null || delivery === undefined) return '—';
  if (typeof delivery === 'string') return labelOf(DELIVERY, delivery);
  const entries = Object.entries(delivery);
  if (entries.length === 0) return '—';
  const codes = new Set(entries.map(([, c]) => c));
  if (codes.size === 1) return labelOf(DELIVERY, entries[0]![1]);
  return entries.map(([to, c]) => `${phone(to)}: ${labelOf(DELIVERY, c)}`).join('; ');
}
