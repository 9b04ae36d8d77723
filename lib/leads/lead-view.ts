import { and, asc, eq, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import {
  inboundSms,
  leadReturns,
  leadConsents,
  leads,
  offers,
  providers,
  smsMessages,
  SOURCE_FIELDS,
  stripeTasks,
  unlocks,
  type Lead,
  type SmsMessage,
} from '../db/schema';
import { notFound } from '../errors';
import { messagePart } from '../sms/segments';
import { leadStatus } from './lead-status';
import { needsAttention } from '../reports/attention';

/** The earliest of a lead's offers' teasers still held for quiet hours (`offers.teaser_at`). */
export const heldUntilSql =
  sql<Date | null>`min(${offers.teaserAt}) filter (where ${offers.teaserAt} > now())`.mapWith(
    (v: string | Date) => new Date(v),
  );

/** The earliest of these teaser times still to come, or null. */
function heldUntil(times: Array<Date | null>, now = Date.now()): Date | null {
  const later = times.filter((t): t is Date => t !== null && t.getTime() > now);
  return later.length ? new Date(Math.min(...later.map((t) => t.getTime()))) : null;
}

/**
 * The lead's summary as `POST /leads` answers it. `teasersHeldUntil`: the earliest teaser held
 * for its provider's quiet hours (createLead's), null when none waits.
 */
export function leadSummary(lead: Lead, offeredTo: number, teasersHeldUntil: Date | null = null) {
  return {
    id: lead.id,
    code: lead.code,
    status: leadStatus(lead),
    priceCents: lead.priceCents,
    maxUnlocks: lead.maxUnlocks,
    offeredTo,
    /** Why it was offered to nobody (lib/leads/unmatched.ts); null when it was offered. */
    unmatchedReason: lead.unmatchedReason,
    teasersHeldUntil: teasersHeldUntil?.toISOString() ?? null,
    /** The original, when this lead is a duplicate of one (same client and category, lately). */
    duplicateOf: lead.duplicateOf,
  };
}

/**
 * One SMS of the lead as the operator sees it. `needsAttention`: see lib/reports/attention.ts.
 * `part`: which message of a set it is (`{n: 2, of: 3}`), for details of a long description
 * (the body, with the client's contact, is not shown); null for a message on its own.
 */
function smsView(m: SmsMessage, attention: boolean) {
  return {
    id: m.id,
    kind: m.kind,
    part: m.kind === 'details' ? messagePart(m.body) : null,
    recipients: m.recipients,
    status: m.status,
    attempts: m.attempts,
    lastError: m.lastError,
    sentAt: m.sentAt?.toISOString() ?? null,
    delivery: m.deliveryStatus ?? {},
    resendOf: m.resendOf,
    needsAttention: attention,
  };
}
type SmsView = ReturnType<typeof smsView>;

export type TimelineKind =
  | 'created'
  | 'teaser'
  | 'reply'
  | 'link_opened'
  | 'checkout_created'
  | 'paid'
  | 'refunded'
  | 'return_opened'
  | 'return_decided'
  | 'sms'
  | 'full'
  | 'closed'
  | 'expired';

/**
 * One event of a lead's history. `detail` by kind: teaser `{status, delivery, needsAttention}`
 * (`delivery` the report for that provider's phone, or null); reply `{text, outcome}` (what the
 * provider typed: data, to be shown as text); link_opened and checkout_created `{offerId}`; paid
 * `{unlockId, amountCents, currency}`; refunded `{unlockId, amountCents, currency, pastCap: false}`
 * (refunded from Stripe's dashboard) or `{taskId, status, pastCap: true}` (a payment past the
 * cap, refunded by us); a purchase refunded for an approved return has `returnId` (and its
 * refund's `taskId`, `status`); return_opened `{returnId, reason, source}`, return_decided
 * `{returnId, status, auto}`; sms `{smsKind, part, status, attempts, delivery, needsAttention}`.
 * Never an SMS body.
 */
export type TimelineEvent = {
  at: string;
  kind: TimelineKind;
  providerId: string | null;
  providerName: string | null;
  smsId?: number;
  detail?: TimelineDetail;
};

/** An event's `detail`: the fields its kind has (above). */
export type TimelineDetail = {
  text?: string;
  outcome?: string | null;
  offerId?: string;
  unlockId?: string;
  amountCents?: number;
  currency?: string;
  pastCap?: boolean;
  returnId?: string;
  taskId?: number;
  status?: string;
  reason?: string;
  source?: string;
  auto?: boolean;
  smsKind?: string;
  part?: { n: number; of: number } | null;
  attempts?: number;
  delivery?: string | Record<string, string> | null;
  needsAttention?: boolean;
};

const ORDER: readonly TimelineKind[] = [
  'created',
  'teaser',
  'reply',
  'link_opened',
  'checkout_created',
  'paid',
  'return_opened',
  'return_decided',
  'refunded',
  'sms',
  'full',
  'closed',
  'expired',
];

/** `GET /leads/{id}`: the lead with its offers, unlocks and SMS, and its timeline, for the operator. */
export async function leadDetail(db: Database, id: string) {
  const [found] = await db
    .select({ lead: leads, consent: leadConsents })
    .from(leads)
    .leftJoin(leadConsents, eq(leadConsents.leadId, leads.id))
    .where(eq(leads.id, id));
  if (!found) throw notFound('No lead with this id');
  const { lead, consent } = found;
  const [offerRows, unlockRows, smsRows, replyRows, refundTasks, duplicateRows, returnRows] =
    await Promise.all([
      db
        .select({ offer: offers, providerName: providers.name, providerPhone: providers.phone })
        .from(offers)
        .innerJoin(providers, eq(providers.id, offers.providerId))
        .where(eq(offers.leadId, id))
        .orderBy(asc(offers.createdAt), asc(offers.id)),
      db
        .select({ unlock: unlocks, providerName: providers.name })
        .from(unlocks)
        .innerJoin(providers, eq(providers.id, unlocks.providerId))
        .where(eq(unlocks.leadId, id))
        .orderBy(asc(unlocks.createdAt), asc(unlocks.id)),
      db
        .select({ sms: smsMessages, attention: needsAttention(), providerName: providers.name })
        .from(smsMessages)
        .leftJoin(providers, eq(providers.id, smsMessages.providerId))
        .where(eq(smsMessages.leadId, id))
        .orderBy(asc(smsMessages.id)),
      db
        .select({
          id: inboundSms.id,
          text: inboundSms.text,
          outcome: inboundSms.outcome,
          providerId: inboundSms.providerId,
          providerName: providers.name,
          createdAt: inboundSms.createdAt,
        })
        .from(inboundSms)
        .leftJoin(providers, eq(providers.id, inboundSms.providerId))
        .where(eq(inboundSms.leadId, id))
        .orderBy(asc(inboundSms.createdAt), asc(inboundSms.id)),
      db
        .select({ task: stripeTasks, providerName: providers.name })
        .from(stripeTasks)
        .leftJoin(providers, eq(providers.id, stripeTasks.providerId))
        .where(and(eq(stripeTasks.leadId, id), eq(stripeTasks.kind, 'refund')))
        .orderBy(asc(stripeTasks.id)),
      // Its duplicates (leads_duplicate_of_idx); an original has them, a duplicate none.
      db
        .select({ id: leads.id, code: leads.code, createdAt: leads.createdAt })
        .from(leads)
        .where(eq(leads.duplicateOf, id))
        .orderBy(asc(leads.createdAt), asc(leads.id)),
      db
        .select({ r: leadReturns, providerName: providers.name })
        .from(leadReturns)
        .innerJoin(providers, eq(providers.id, leadReturns.providerId))
        .where(eq(leadReturns.leadId, id))
        .orderBy(asc(leadReturns.createdAt), asc(leadReturns.id)),
    ]);
  // An approved return's refund is the unlock's: shown on its `refunded` event, not as past the cap.
  const approvedReturn = new Map(
    returnRows.filter(({ r }) => r.status === 'approved').map(({ r }) => [r.unlockId, r.id]),
  );
  const returnRefund = new Map(
    unlockRows
      .filter(({ unlock: u }) => approvedReturn.has(u.id))
      .map(({ unlock: u }) => [`refund:${u.checkoutSessionId}`, u.id]),
  );
  const refundOfReturn = new Map(
    refundTasks
      .filter(({ task }) => returnRefund.has(task.dedupeKey))
      .map(({ task }) => [returnRefund.get(task.dedupeKey)!, task]),
  );
  const sms = smsRows.map(({ sms: m, attention }) => smsView(m, attention));
  const status = leadStatus(lead);

  const timeline: TimelineEvent[] = [
    { at: lead.createdAt.toISOString(), kind: 'created', providerId: null, providerName: null },
  ];
  const byPhone = new Map(offerRows.map((r) => [r.providerPhone, r]));
  smsRows.forEach(({ sms: m, providerName }, i) => {
    const view: SmsView = sms[i]!;
    const at = (m.sentAt ?? m.createdAt).toISOString();
    if (m.kind === 'teaser') {
      for (const phone of m.recipients) {
        const offer = byPhone.get(phone);
        timeline.push({
          at,
          kind: 'teaser',
          providerId: offer?.offer.providerId ?? null,
          providerName: offer?.providerName ?? null,
          smsId: m.id,
          detail: {
            status: m.status,
            delivery: m.deliveryStatus?.[phone] ?? null,
            needsAttention: view.needsAttention,
          },
        });
      }
      return;
    }
    timeline.push({
      at,
      kind: 'sms',
      providerId: m.providerId,
      providerName: providerName ?? null,
      smsId: m.id,
      detail: {
        smsKind: m.kind,
        part: view.part,
        status: m.status,
        attempts: m.attempts,
        delivery: view.delivery,
        needsAttention: view.needsAttention,
      },
    });
  });
  for (const r of replyRows) {
    timeline.push({
      at: r.createdAt.toISOString(),
      kind: 'reply',
      providerId: r.providerId,
      providerName: r.providerName ?? null,
      detail: { text: r.text, outcome: r.outcome },
    });
  }
  for (const { offer, providerName } of offerRows) {
    const who = { providerId: offer.providerId, providerName };
    if (offer.linkOpenedAt) {
      timeline.push({
        at: offer.linkOpenedAt.toISOString(),
        kind: 'link_opened',
        ...who,
        detail: { offerId: offer.id },
      });
    }
    if (offer.checkoutCreatedAt) {
      timeline.push({
        at: offer.checkoutCreatedAt.toISOString(),
        kind: 'checkout_created',
        ...who,
        detail: { offerId: offer.id },
      });
    }
  }
  for (const { unlock: u, providerName } of unlockRows) {
    const who = { providerId: u.providerId, providerName };
    const money = { unlockId: u.id, amountCents: u.amountCents, currency: u.currency };
    timeline.push({ at: u.createdAt.toISOString(), kind: 'paid', ...who, detail: money });
    if (u.refundedAt) {
      const returnId = approvedReturn.get(u.id);
      const task = refundOfReturn.get(u.id);
      timeline.push({
        at: u.refundedAt.toISOString(),
        kind: 'refunded',
        ...who,
        detail: {
          ...money,
          pastCap: false,
          ...(returnId && { returnId }),
          ...(task && { taskId: task.id, status: task.status }),
        },
      });
    }
  }
  for (const { r, providerName } of returnRows) {
    const who = { providerId: r.providerId, providerName };
    timeline.push({
      at: r.createdAt.toISOString(),
      kind: 'return_opened',
      ...who,
      detail: { returnId: r.id, reason: r.reason, source: r.source },
    });
    if (r.decidedAt) {
      timeline.push({
        at: r.decidedAt.toISOString(),
        kind: 'return_decided',
        ...who,
        detail: { returnId: r.id, status: r.status, auto: r.auto },
      });
    }
  }
  for (const { task, providerName } of refundTasks) {
    if (returnRefund.has(task.dedupeKey)) continue;
    timeline.push({
      at: (task.status === 'done' ? task.updatedAt : task.createdAt).toISOString(),
      kind: 'refunded',
      providerId: task.providerId,
      providerName: providerName ?? null,
      detail: { taskId: task.id, status: task.status, pastCap: true },
    });
  }
  // Full when the sale that reached the cap was made; expired at the end of its time.
  const filling = unlockRows[lead.maxUnlocks - 1];
  if (status === 'full' && filling) {
    timeline.push({
      at: filling.unlock.createdAt.toISOString(),
      kind: 'full',
      providerId: null,
      providerName: null,
    });
  } else if (status === 'closed' && lead.closedAt) {
    timeline.push({ at: lead.closedAt.toISOString(), kind: 'closed', providerId: null, providerName: null });
  } else if (status === 'expired') {
    timeline.push({
      at: lead.expiresAt.toISOString(),
      kind: 'expired',
      providerId: null,
      providerName: null,
    });
  }
  const rank = (e: TimelineEvent) => ORDER.indexOf(e.kind);
  // Stable: events of one time and kind keep the order they were added in (ids, creation).
  timeline.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : rank(a) - rank(b)));

  return {
    id: lead.id,
    code: lead.code,
    status,
    name: lead.name,
    phone: lead.phone,
    email: lead.email,
    category: lead.category,
    zipCode: lead.zipCode,
    city: lead.city,
    description: lead.description,
    budget: lead.budget,
    /** Its price now: new offers get it; each offer is charged its own (`offers[].priceCents`). */
    priceCents: lead.priceCents,
    currency: lead.currency,
    /** When it dropped to its aged price (lib/catalogue/prices.ts); null if it has not. */
    agedAt: lead.agedAt?.toISOString() ?? null,
    /** The aged price still to come: when, and to what; null when it aged or never will. */
    aging:
      lead.agedAt === null && lead.agesAt !== null && lead.agedPriceCents !== null
        ? { at: lead.agesAt.toISOString(), priceCents: lead.agedPriceCents }
        : null,
    maxUnlocks: lead.maxUnlocks,
    unlockCount: lead.unlockCount,
    expiresAt: lead.expiresAt.toISOString(),
    /** When an operator closed it (POST /leads/{id}/close); null when they did not. */
    closedAt: lead.closedAt?.toISOString() ?? null,
    createdAt: lead.createdAt.toISOString(),
    duplicateOf: lead.duplicateOf,
    /** Why it was offered to nobody (lib/leads/unmatched.ts); null when it was offered. */
    unmatchedReason: lead.unmatchedReason,
    /** The earliest teaser still held for its provider's quiet hours; null when none waits. */
    teasersHeldUntil: heldUntil(offerRows.map((r) => r.offer.teaserAt))?.toISOString() ?? null,
    /** What the client agreed to (POST /leads `consent`); null when none was sent. */
    consent: consent && {
      text: consent.text,
      agreedAt: consent.agreedAt.toISOString(),
      ip: consent.ip,
      userAgent: consent.userAgent,
      pageUrl: consent.pageUrl,
      certificateUrl: consent.certificateUrl,
    },
    /** Where it came from (POST /leads `source`), every field present (null when not given); null when none was sent. */
    source:
      lead.source &&
      (Object.fromEntries(SOURCE_FIELDS.map((f) => [f, lead.source?.[f] ?? null])) as Record<
        (typeof SOURCE_FIELDS)[number],
        string | null
      >),
    /** When the client's personal data was erased (lib/privacy/erase-client.ts); null while kept. */
    erasedAt: lead.erasedAt?.toISOString() ?? null,
    duplicates: duplicateRows.map((d) => ({ id: d.id, code: d.code, createdAt: d.createdAt.toISOString() })),
    offers: offerRows.map(({ offer, providerName }) => ({
      id: offer.id,
      providerId: offer.providerId,
      providerName,
      status: offer.status,
      /** What this provider was last shown and is charged. */
      priceCents: offer.priceCents,
      checkoutSessionId: offer.checkoutSessionId,
      createdAt: offer.createdAt.toISOString(),
    })),
    unlocks: unlockRows.map(({ unlock: u }) => ({
      id: u.id,
      offerId: u.offerId,
      providerId: u.providerId,
      checkoutSessionId: u.checkoutSessionId,
      amountCents: u.amountCents,
      currency: u.currency,
      refunded: u.refundedAt !== null,
      createdAt: u.createdAt.toISOString(),
    })),
    returns: returnRows.map(({ r, providerName }) => ({
      id: r.id,
      unlockId: r.unlockId,
      providerId: r.providerId,
      providerName,
      reason: r.reason,
      /** What the provider wrote: their words, to be shown as text. */
      text: r.reasonText,
      source: r.source,
      status: r.status,
      note: r.note,
      auto: r.auto,
      createdAt: r.createdAt.toISOString(),
      decidedAt: r.decidedAt?.toISOString() ?? null,
    })),
    sms,
    smsNeedingAttention: sms.filter((m) => m.needsAttention).length,
    timeline,
  };
}

/** `GET /leads/{id}`'s answer. */
export type LeadDetail = Awaited<ReturnType<typeof leadDetail>>;
