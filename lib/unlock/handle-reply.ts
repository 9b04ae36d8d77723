import { and, eq, gt, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import type { Database, Tx } from '../db/client';
import { inboundSms, providers, smsMessages, type Lead, type Offer } from '../db/schema';
import { fromTextMagicNumber } from '../phone';
import { parseReply, type Reply } from '../sms/parse-reply';
import * as t from '../sms/templates';
import { leadStatus } from './lead-status';
import { offerForCode, openOffers } from './offer-queries';
import { queueSms, sendNow, type NewSms } from './outbox';
import { payUrl } from './pay-url';

export type InboundSms = {
  /** TextMagic's id of the inbound message: each is processed once. */
  id: string;
  sender: string;
  receiver?: string;
  text: string;
  messageTime?: string;
};

export type ReplyOutcome = Reply['kind'] | 'duplicate' | 'unknown_sender' | 'rate_limited';

/**
 * Most answers one number gets to its own messages in an hour. An auto-responder that keeps
 * texting HELP, YES or START back at us gets this many, then silence until the hour has passed;
 * a provider using the service as meant never comes near it. STOP is not limited (it is
 * confirmed only when it changes something, so at most once per START).
 */
export const MAX_ANSWERS_PER_HOUR = 20;
/**
 * SMS kinds sent as an answer to an inbound message. Teasers, refunds and the details sent on
 * payment are not answers (the last carries a dedupe key, an answer never does).
 */
const ANSWER_KINDS = [
  'pay_link',
  'details',
  'unavailable',
  'no_offers',
  'choose_offer',
  'help',
  'opted_in',
  'opted_out',
];

/** What to answer a provider's `YES <code>` with. */
function answerForOffer(
  providerId: string,
  phone: string,
  code: string,
  row?: { offer: Offer; lead: Lead },
): NewSms {
  const base = { recipients: [phone], providerId };
  if (!row) return { ...base, kind: 'unavailable', body: t.unavailableSms(code) };
  const { offer, lead } = row;
  if (offer.status === 'unlocked') {
    return { ...base, kind: 'details', body: t.detailsSms(lead), leadId: lead.id };
  }
  if (leadStatus(lead) !== 'open') {
    return { ...base, kind: 'unavailable', body: t.unavailableSms(lead.code), leadId: lead.id };
  }
  return { ...base, kind: 'pay_link', body: t.payLinkSms(lead, payUrl(offer.payToken)), leadId: lead.id };
}

async function respond(tx: Tx, reply: Reply, provider: { id: string; phone: string }): Promise<NewSms[]> {
  const to = { recipients: [provider.phone], providerId: provider.id };
  switch (reply.kind) {
    case 'stop': {
      // Only the change of state is confirmed: a second STOP gets no answer.
      const changed = await tx
        .update(providers)
        .set({ optedOut: true, updatedAt: sql`now()` })
        .where(and(eq(providers.id, provider.id), eq(providers.optedOut, false)))
        .returning({ id: providers.id });
      return changed.length ? [{ ...to, kind: 'opted_out', body: t.optedOutSms() }] : [];
    }
    case 'start':
      await tx
        .update(providers)
        .set({ optedOut: false, updatedAt: sql`now()` })
        .where(eq(providers.id, provider.id));
      return [{ ...to, kind: 'opted_in', body: t.optedInSms() }];
    case 'help':
      await tx
        .update(providers)
        .set({ helpSentAt: sql`now()` })
        .where(eq(providers.id, provider.id));
      return [{ ...to, kind: 'help', body: t.helpSms() }];
    case 'other': {
      // Unrecognised text gets the help text at most once a day, so auto-replies cannot loop.
      const due = await tx
        .update(providers)
        .set({ helpSentAt: sql`now()` })
        .where(
          and(
            eq(providers.id, provider.id),
            or(isNull(providers.helpSentAt), lt(providers.helpSentAt, sql`now() - interval '1 day'`)),
          ),
        )
        .returning({ id: providers.id });
      return due.length ? [{ ...to, kind: 'help', body: t.helpSms() }] : [];
    }
    case 'yes': {
      if (reply.code) {
        const row = await offerForCode(tx, provider.id, reply.code);
        return [answerForOffer(provider.id, provider.phone, reply.code, row)];
      }
      const open = await openOffers(tx, provider.id);
      if (open.length === 0) return [{ ...to, kind: 'no_offers', body: t.noOpenOffersSms() }];
      if (open.length === 1) {
        return [answerForOffer(provider.id, provider.phone, open[0]!.lead.code, open[0])];
      }
      return [{ ...to, kind: 'choose_offer', body: t.chooseOfferSms(open.map((o) => o.lead.code)) }];
    }
  }
}

/**
 * A provider's SMS reply, as TextMagic reported it: recorded once per TextMagic id, answered
 * in the same transaction (the answer is queued), then sent.
 */
export async function handleInboundSms(db: Database, sms: InboundSms): Promise<ReplyOutcome> {
  const reply = parseReply(sms.text);
  const sender = fromTextMagicNumber(sms.sender);
  const { outcome, smsIds } = await db.transaction(async (tx) => {
    // Recording the id first makes a repeated callback wait for, then skip behind, the first.
    const [seen] = await tx
      .insert(inboundSms)
      .values({
        id: sms.id,
        sender,
        receiver: sms.receiver ?? null,
        text: sms.text,
        messageTime: sms.messageTime ?? null,
        // Locking the provider's row serialises their messages, so the count below sees every
        // answer committed before it: the hourly limit holds exactly, even under a burst.
        providerId: sql`(select id from ${providers} where phone = ${sender} for update)`,
        outcome: sql`case when exists (select 1 from ${providers} where phone = ${sender}) then ${reply.kind} else 'unknown_sender' end`,
      })
      .onConflictDoNothing()
      .returning({ providerId: inboundSms.providerId });
    if (!seen) return { outcome: 'duplicate' as const, smsIds: [] };
    if (!seen.providerId) return { outcome: 'unknown_sender' as const, smsIds: [] };
    const answers = await respond(tx, reply, { id: seen.providerId, phone: sender });
    if (answers.length && reply.kind !== 'stop') {
      const [recent] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(smsMessages)
        .where(
          and(
            eq(smsMessages.providerId, seen.providerId),
            inArray(smsMessages.kind, ANSWER_KINDS),
            isNull(smsMessages.dedupeKey),
            gt(smsMessages.createdAt, sql`now() - interval '1 hour'`),
          ),
        );
      // The change of state (START, HELP's timestamp) stands; only the answer is withheld.
      if (recent!.n >= MAX_ANSWERS_PER_HOUR) return { outcome: 'rate_limited' as const, smsIds: [] };
    }
    return { outcome: reply.kind, smsIds: await queueSms(tx, answers) };
  });
  await sendNow(db, smsIds);
  return outcome;
}
