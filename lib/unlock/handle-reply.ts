import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Database, Tx } from '../db/client';
import { inboundSms, providers, type Lead, type Offer } from '../db/schema';
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

export type ReplyOutcome = Reply['kind'] | 'duplicate' | 'unknown_sender';

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
        providerId: sql`(select id from ${providers} where phone = ${sender})`,
        outcome: sql`case when exists (select 1 from ${providers} where phone = ${sender}) then ${reply.kind} else 'unknown_sender' end`,
      })
      .onConflictDoNothing()
      .returning({ providerId: inboundSms.providerId });
    if (!seen) return { outcome: 'duplicate' as const, smsIds: [] };
    if (!seen.providerId) return { outcome: 'unknown_sender' as const, smsIds: [] };
    const answers = await respond(tx, reply, { id: seen.providerId, phone: sender });
    return { outcome: reply.kind, smsIds: await queueSms(tx, answers) };
  });
  await sendNow(db, smsIds);
  return outcome;
}
