import { businessEvent } from '../metrics';
import { sql, type SQL } from 'drizzle-orm';
import { fromRow, rows, type Database } from '../db/client';
import { smsMessages, type Lead, type Offer } from '../db/schema';
import { fromTextMagicNumber } from '../phone';
import { parseReply, type Reply } from '../sms/parse-reply';
import * as t from '../sms/templates';
import { leadStatus } from './lead-status';
import { offerForCode, openOffers } from './offer-queries';
import { claimedNow, sendClaimedNow, type SmsKind } from './outbox';
import { payUrl } from './pay-url';
import { purchaseRefusal } from './budget';

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
 * Most answers one number gets to its own messages in an hour (counted from the first answer of
 * the hour). An auto-responder that keeps texting HELP, YES or START back at us gets this many,
 * then silence until the hour has passed; a provider using the service as meant never comes near
 * it. STOP is not limited (it is confirmed only when it changes something, so at most once per
 * START).
 */
export const MAX_ANSWERS_PER_HOUR = 20;

/** An answer: one SMS, or the messages of the details of a lead they bought. */
type Answer = { kind: SmsKind; body: string | string[]; leadId?: string };

/** What to answer a provider's `YES <code>` with. */
function answerForOffer(code: string, row?: { offer: Offer; lead: Lead }): Answer {
  if (!row) return { kind: 'unavailable', body: t.unavailableSms(code) };
  const { offer, lead } = row;
  if (offer.status === 'unlocked') return { kind: 'details', body: t.detailsSms(lead), leadId: lead.id };
  // Read before the reply is recorded: a lead that fills meanwhile gets a link whose page says
  // it is no longer available (open-checkout checks again), so a stale read costs nothing.
  if (leadStatus(lead) !== 'open') {
    return { kind: 'unavailable', body: t.unavailableSms(lead.code), leadId: lead.id };
  }
  return { kind: 'pay_link', body: t.payLinkSms(lead, payUrl(offer.payToken)), leadId: lead.id };
}

/**
 * A pay link only within the provider's budgets (lib/unlock/budget.ts): otherwise the SMS saying
 * which cap refuses it, and no link, so that no payment can start.
 */
async function withinBudget(
  db: Database,
  answer: Answer,
  row?: { offer: Offer; lead: Lead },
): Promise<Answer> {
  if (answer.kind !== 'pay_link' || !row) return answer;
  const { offer, lead } = row;
  const refusal = await purchaseRefusal(db, {
    providerId: offer.providerId,
    priceCents: lead.priceCents,
    offerId: offer.id,
  });
  if (!refusal) return answer;
  return { kind: 'budget_refused', body: t.budgetRefusedSms(lead.code, refusal), leadId: lead.id };
}

/** The answer to a YES, from one read of the sender's offers (none for an unknown sender). */
async function answerToYes(db: Database, reply: Extract<Reply, { kind: 'yes' }>, phone: string) {
  if (reply.code) {
    const row = await offerForCode(db, phone, reply.code);
    return withinBudget(db, answerForOffer(reply.code, row), row);
  }
  const open = await openOffers(db, phone);
  if (open.length === 0) return { kind: 'no_offers', body: t.noOpenOffersSms() } satisfies Answer;
  if (open.length === 1) return withinBudget(db, answerForOffer(open[0]!.lead.code, open[0]), open[0]);
  return { kind: 'choose_offer', body: t.chooseOfferSms(open.map((o) => o.lead.code)) } satisfies Answer;
}

/**
 * How each reply changes the provider's row (`p`, as locked) and whether it is answered. STOP
 * and unrecognised text are answered only when they change something; STOP is not rate limited.
 */
const RULES: Record<Reply['kind'], { wants: SQL; optedOut?: boolean; setsHelp?: SQL; exempt?: boolean }> = {
  stop: { wants: sql`not p.opted_out`, optedOut: true, exempt: true },
  start: { wants: sql`true`, optedOut: false },
  help: { wants: sql`true`, setsHelp: sql`true` },
  other: {
    wants: sql`(p.help_sent_at is null or p.help_sent_at < now() - interval '1 day')`,
    setsHelp: sql`d.wants`,
  },
  yes: { wants: sql`true` },
};

/**
 * A provider's SMS reply, as TextMagic reported it: recorded once per TextMagic id and answered.
 *
 * Three round trips for a YES, two for anything else: (1) a YES reads the offer it names (and,
 * when the answer would be a pay link, one more checks the provider's budgets);
 * (2) one statement locks the provider's row, records the message (a repeated TextMagic id
 * records nothing and so changes nothing), applies STOP/START/HELP, counts the answer against
 * the hourly limit and writes the answer to the outbox already claimed; (3) after TextMagic took
 * it, the answer is marked sent. The lock serialises one number's messages, so a burst of them
 * sees every answer counted before it: the limit holds exactly.
 */
export async function handleInboundSms(db: Database, sms: InboundSms): Promise<ReplyOutcome> {
  const reply = parseReply(sms.text);
  const sender = fromTextMagicNumber(sms.sender);
  const answer: Answer =
    reply.kind === 'yes'
      ? await answerToYes(db, reply, sender)
      : reply.kind === 'stop'
        ? { kind: 'opted_out', body: t.optedOutSms() }
        : reply.kind === 'start'
          ? { kind: 'opted_in', body: t.optedInSms() }
          : { kind: 'help', body: t.helpSms() };
  const rule = RULES[reply.kind];
  const optedOut = rule.optedOut === undefined ? sql`opted_out` : sql`${rule.optedOut}`;
  const setsHelp = rule.setsHelp ?? sql`false`;
  const bodies = typeof answer.body === 'string' ? [answer.body] : answer.body;
  // One row per message, in order (a plain JS array would be sent as a row, not an array).
  const bodyArray = sql`array[${sql.join(
    bodies.map((b) => sql`${b}`),
    sql`, `,
  )}]::text[]`;

  const [row] = await rows<{
    recorded: number;
    outcome: ReplyOutcome | null;
    sms: Record<string, unknown>[] | null;
  }>(
    db,
    'record_reply',
    sql`
      with
        p as (
          select id, opted_out, help_sent_at, answers_window_started_at, answers_in_window
          from providers where phone = ${sender}
          for update
        ),
        d as (
          select id, wants, fresh,
            wants and (${rule.exempt ?? false} or fresh or answers_in_window < ${MAX_ANSWERS_PER_HOUR}) as answered
          from (
            select p.*, ${rule.wants} as wants,
              (p.answers_window_started_at is null
                or p.answers_window_started_at <= now() - interval '1 hour') as fresh
            from p
          ) x
        ),
        seen as (
          insert into inbound_sms (id, sender, receiver, text, message_time, provider_id, lead_id, outcome)
          values (${sms.id}, ${sender}, ${sms.receiver ?? null}, ${sms.text}, ${sms.messageTime ?? null},
            (select id from d), ${answer.leadId ?? null}::uuid,
            coalesce(
              (select case when wants and not answered then 'rate_limited' else ${reply.kind} end from d),
              'unknown_sender'))
          on conflict do nothing
          returning outcome
        ),
        changed as (
          update providers set
            opted_out = ${optedOut},
            help_sent_at = case when ${setsHelp} then now() else help_sent_at end,
            answers_window_started_at =
              case when d.answered and d.fresh then now() else answers_window_started_at end,
            answers_in_window = case
              when not d.answered then answers_in_window
              when d.fresh then 1
              else answers_in_window + 1 end,
            updated_at = case when ${rule.optedOut !== undefined} then now() else updated_at end
          from d
          where providers.id = d.id and exists (select from seen)
        ),
        accepted as (
          -- The funnel's "replied YES" step: the first YES that named (or implied) this offer.
          update offers set accepted_at = now()
          from d
          where ${reply.kind === 'yes'} and offers.lead_id = ${answer.leadId ?? null}::uuid
            and offers.provider_id = d.id and offers.accepted_at is null and exists (select from seen)
        ),
        answer as (
          insert into sms_messages (kind, recipients, body, lead_id, provider_id, attempts, next_attempt_at)
          select ${answer.kind}, array[${sender}], b.body, ${answer.leadId ?? null}::uuid, d.id,
            ${claimedNow.attempts}, ${claimedNow.nextAttemptAt}
          from d
            cross join unnest(${bodyArray}) with ordinality as b(body, n)
          where d.answered and exists (select from seen)
          order by b.n
          returning *
        )
      select (select count(*)::int from seen) as recorded, (select outcome from seen) as outcome,
        (select json_agg(answer order by id) from answer) as sms`,
  );
  if (!row?.recorded) return 'duplicate';
  // In id order, the order of the messages (the rows take their ids in the insert's order).
  const answers = (row.sms ?? []).map((r) => fromRow(smsMessages, r));
  if (row.outcome === 'yes') {
    businessEvent(
      'YES reply',
      { YesReplies: 1 },
      {
        inboundSmsId: sms.id,
        leadId: answer.leadId,
        providerId: answers[0]?.providerId,
        answer: answer.kind,
      },
    );
  }
  await sendClaimedNow(db, answers);
  return row.outcome ?? reply.kind;
}
