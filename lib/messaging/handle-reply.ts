import { businessEvent } from '../metrics';
import { config } from '../config';
import { sql, type SQL } from 'drizzle-orm';
import { jsonParam } from '../db/json-param';
import { fromRow, rows, transaction, type Database, type Queryable, type Tx } from '../db/client';
import {
  smsMessages,
  stripeTasks,
  type Lead,
  type Offer,
  type Provider,
  type StripeTask,
} from '../db/schema';
import { fromTextMagicNumber } from '../phone';
import { parseReply, type Reply } from '../sms/parse-reply';
import { languageModule, LANGUAGES, DEFAULT_LANGUAGE } from '../sms/language';
import { templates, type Templates } from '../sms/templates';
import { leadStatus } from '../leads/lead-status';
import { clientDetails } from '../privacy/client-details';
import { offerForCode, offerPrice, openOffers } from '../purchases/offer-queries';
import { sendClaimedNow, type SmsKind } from './outbox';
import { payUrl } from '../purchases/pay-url';
import { purchaseRefusal } from '../purchases/budget';
import { returnReason } from '../sms/return-reason';
import { openReturn, type ReturnRefusal } from '../returns/returns';
import { runClaimedStripeTasksNow } from '../purchases/stripe-tasks';
import { claimedNow, inlineDeadline } from '../queue/work-queue';

export type InboundSms = {
  /** TextMagic's id of the inbound message: each is processed once. */
  id: string;
  sender: string;
  receiver?: string;
  text: string;
  messageTime?: string;
};

/**
 * What `inbound_sms.outcome` records (and the provider's thread shows): the reply's kind, but a
 * switch of language as the language's name (`spanish`, `english`).
 */
export type ReplyOutcome =
  Exclude<Reply['kind'], 'language'> | Lowercase<string> | 'duplicate' | 'unknown_sender' | 'rate_limited';

const outcomeOf = (reply: Reply): ReplyOutcome =>
  reply.kind === 'language'
    ? (languageModule(reply.language).name.toLowerCase() as Lowercase<string>)
    : reply.kind;

/**
 * Most answers one number gets to its own messages in an hour (counted from the first answer of
 * the hour). An auto-responder that keeps texting HELP, YES or START back at us gets this many,
 * then silence until the hour has passed; a provider using the service as meant never comes near
 * it. STOP is not limited (it is confirmed only when it changes something, so at most once per
 * START).
 */
export const MAX_ANSWERS_PER_HOUR = 20;

/**
 * An answer: one SMS, or the messages of the details of a lead they bought, in whichever language
 * the reply's statement finds the provider's row in (after the reply's own change: ESPANOL is
 * confirmed in Spanish). `charge`: the YES buys at once with the saved card (the statement queues
 * the charge, see `chargeNow`).
 */
type Answer = { kind: SmsKind; body: (t: Templates) => string | string[]; leadId?: string; charge?: boolean };

/** A saved card, auto-pay on, and no charge of this offer that failed: the YES charges the card. */
const paysWithSavedCard = (provider: Provider, offer: Offer) =>
  provider.autoPay &&
  provider.savedPaymentMethodId !== null &&
  provider.stripeCustomerId !== null &&
  offer.chargeStatus !== 'failed';

/** What to answer a provider's `YES <code>` with. */
function answerForOffer(code: string, row?: { offer: Offer; lead: Lead; provider: Provider }): Answer {
  if (!row) return { kind: 'unavailable', body: (t) => t.unavailableSms(code) };
  const { offer, lead, provider } = row;
  if (offer.status === 'unlocked') {
    const details = clientDetails(lead);
    return details
      ? { kind: 'details', body: (t) => t.detailsSms(details), leadId: lead.id }
      : { kind: 'details_erased', body: (t) => t.detailsErasedSms(lead.code), leadId: lead.id };
  }
  // Read before the reply is recorded: a lead that fills meanwhile gets a link whose page says
  // it is no longer available (open-checkout checks again), so a stale read costs nothing; a
  // charge checks again before it calls Stripe, and one past the cap is refunded.
  if (leadStatus(lead) !== 'open') {
    return { kind: 'unavailable', body: (t) => t.unavailableSms(lead.code), leadId: lead.id };
  }
  if (paysWithSavedCard(provider, offer)) {
    const priced = offerPrice(lead, offer);
    return { kind: 'charging', body: (t) => t.chargingSms(priced), leadId: lead.id, charge: true };
  }
  const url = payUrl(offer.payToken);
  return { kind: 'pay_link', body: (t) => t.payLinkSms(offerPrice(lead, offer), url), leadId: lead.id };
}

/**
 * A pay link or a saved-card charge only within the provider's budgets (lib/purchases/budget.ts):
 * otherwise the SMS saying which cap refuses it, and no link or charge, so no payment can start.
 * The charge checks again, under the provider's lock, just before it calls Stripe.
 */
async function withinBudget(
  db: Database,
  answer: Answer,
  row?: { offer: Offer; lead: Lead },
): Promise<Answer> {
  if ((answer.kind !== 'pay_link' && answer.kind !== 'charging') || !row) return answer;
  const { offer, lead } = row;
  const refusal = await purchaseRefusal(db, {
    providerId: offer.providerId,
    priceCents: offer.priceCents,
    offerId: offer.id,
  });
  if (!refusal) return answer;
  return { kind: 'budget_refused', body: (t) => t.budgetRefusedSms(lead.code, refusal), leadId: lead.id };
}

/**
 * The charge a YES queues, in the reply's statement, on the offer's row as updated there: only
 * while the provider (as locked) still has auto-pay and a card, and no charge of the offer is in
 * flight or failed; `old` is the offer before the update.
 */
const chargeNow = sql`(old.status = 'offered' and old.charge_status is null
  and p.auto_pay and p.saved_payment_method_id is not null and p.stripe_customer_id is not null)`;

/** The answer to a YES, from one read of the sender's offers (none for an unknown sender). */
async function answerToYes(db: Database, reply: Extract<Reply, { kind: 'yes' }>, phone: string) {
  if (reply.code) {
    const row = await offerForCode(db, phone, reply.code);
    return withinBudget(db, answerForOffer(reply.code, row), row);
  }
  const open = await openOffers(db, phone);
  if (open.length === 0) return { kind: 'no_offers', body: (t) => t.noOpenOffersSms() } satisfies Answer;
  if (open.length === 1) return withinBudget(db, answerForOffer(open[0]!.lead.code, open[0]), open[0]);
  const codes = open.map((o) => o.lead.code);
  return { kind: 'choose_offer', body: (t) => t.chooseOfferSms(codes) } satisfies Answer;
}

/**
 * How each reply changes the provider's row (`p`, as locked) and whether it is answered. STOP
 * and unrecognised text are answered only when they change something; STOP is not rate limited.
 */
const RULES: Record<
  Reply['kind'],
  { wants: SQL; optedOut?: boolean; setsHelp?: SQL; exempt?: boolean; autoPay?: boolean }
> = {
  stop: { wants: sql`not p.opted_out`, optedOut: true, exempt: true },
  // Not an opt-out for sure: how to stop, for sure; nothing changes (lib/sms/opt-out.ts).
  maybe_stop: { wants: sql`not p.opted_out` },
  start: { wants: sql`true`, optedOut: false },
  help: { wants: sql`true`, setsHelp: sql`true` },
  other: {
    wants: sql`(p.help_sent_at is null or p.help_sent_at < now() - interval '1 day')`,
    setsHelp: sql`d.wants`,
  },
  yes: { wants: sql`true` },
  bad: { wants: sql`true` },
  auto_off: { wants: sql`true`, autoPay: false },
  auto_on: { wants: sql`true`, autoPay: true },
  // The language the reply names (recordReply).
  language: { wants: sql`true` },
};

/** The answer to anything but a YES. */
const OTHER_ANSWERS: Record<Exclude<Reply['kind'], 'yes' | 'bad'>, Answer> = {
  stop: { kind: 'opted_out', body: (t) => t.optedOutSms() },
  maybe_stop: { kind: 'opt_out_check', body: (t) => t.optOutCheckSms() },
  start: { kind: 'opted_in', body: (t) => t.optedInSms() },
  auto_off: { kind: 'auto_pay', body: (t) => t.autoPayOffSms() },
  auto_on: { kind: 'auto_pay', body: (t) => t.autoPayOnSms() },
  language: { kind: 'language', body: (t) => t.languageSms() },
  help: { kind: 'help', body: (t) => t.helpSms() },
  other: { kind: 'help', body: (t) => t.helpSms() },
};

/** The SMS of a BAD that opened nothing. */
const REFUSED: Record<ReturnRefusal, (t: Templates, code: string) => string> = {
  not_bought: (t, code) => t.returnNotBoughtSms(code),
  window_closed: (t, code) => t.returnWindowClosedSms(code, config().returnWindowDays),
  already_returned: (t, code) => t.returnAlreadySms(code),
};

/**
 * `BAD <code> <reason>`, in the reply's transaction, before the reply is recorded: the sender's
 * row is locked first and a TextMagic id seen already opens nothing (a repeated callback waits
 * here for the first, then sees it). The return, opened or refused, is the answer; an
 * auto-approval's refund is written with it, already claimed (`tasks`, run after commit).
 */
async function answerToBad(
  tx: Tx,
  sms: InboundSms,
  reply: Extract<Reply, { kind: 'bad' }>,
  phone: string,
): Promise<{ answer: Answer; tasks: StripeTask[] }> {
  const usage: Answer = { kind: 'return_usage', body: (t) => t.returnUsageSms() };
  const [sender] = await rows<{ id: string; seen: boolean }>(
    tx,
    'lock_return_sender',
    sql`select id, exists (select from inbound_sms where id = ${sms.id}) as seen
      from providers where phone = ${phone} for update`,
  );
  const code = reply.code;
  if (!sender || sender.seen || code === null) return { answer: usage, tasks: [] };
  const opened = await openReturn(tx, sql`u.provider_id = ${sender.id} and l.code = ${code}`, {
    reason: returnReason(reply.text),
    text: reply.text || null,
    source: 'sms',
  });
  const leadId = opened.purchase?.lead.id;
  if (opened.refused) {
    const refused = REFUSED[opened.refused];
    return { answer: { kind: 'return_refused', body: (t) => refused(t, code), leadId }, tasks: [] };
  }
  const { unlock } = opened.purchase;
  const refund = { code, amountCents: unlock.amountCents, currency: unlock.currency };
  const answer: Answer = opened.approval
    ? { kind: 'return_approved', body: (t) => t.returnApprovedSms(refund), leadId }
    : { kind: 'return_opened', body: (t) => t.returnOpenedSms(code), leadId };
  return { answer, tasks: opened.approval?.after.tasks ?? [] };
}

/**
 * The answer's messages in every registered language, as one JSON object of arrays (a JS array
 * would be sent as a row): `{"en": ["…"], "es": ["…"]}`. The statement picks the provider's.
 */
function bodiesByLanguage(answer: Answer): string {
  const all: Record<string, string[]> = {};
  for (const { code } of LANGUAGES) {
    const body = answer.body(templates(code));
    all[code] = typeof body === 'string' ? [body] : body;
  }
  return jsonParam(all);
}

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
  let row: RecordedReply | undefined;
  let returnTasks: StripeTask[] = [];
  if (reply.kind === 'bad') {
    // A return and the reply that asks for it: one transaction.
    ({ row, tasks: returnTasks } = await transaction(async (tx) => {
      const { answer, tasks } = await answerToBad(tx, sms, reply, sender);
      return { row: await recordReply(tx, sms, reply, sender, answer), tasks };
    }));
  } else {
    const answer = reply.kind === 'yes' ? await answerToYes(db, reply, sender) : OTHER_ANSWERS[reply.kind];
    row = await recordReply(db, sms, reply, sender, answer);
  }
  if (!row?.recorded) return 'duplicate';
  // In id order, the order of the messages (the rows take their ids in the insert's order).
  const answers = (row.sms ?? []).map((r) => fromRow(smsMessages, r));
  if (row.outcome === 'yes') {
    businessEvent(
      'YES reply',
      { YesReplies: 1 },
      {
        inboundSmsId: sms.id,
        leadId: row.leadId,
        providerId: answers[0]?.providerId,
        answer: row.answerKind,
      },
    );
  }
  const tasks = [...(row.tasks ?? []).map((r) => fromRow(stripeTasks, r)), ...returnTasks];
  // One budget after commit for the answer, then the charge (left to the dispatcher when the
  // answer took it all). One after the other: sent side by side, a race of 200 YES at once made
  // TextMagic sends time out after TextMagic took them, and so go out twice (reliability/).
  const deadline = inlineDeadline();
  await sendClaimedNow(db, answers, deadline);
  await runClaimedStripeTasksNow(db, tasks, deadline);
  return row.outcome ?? outcomeOf(reply);
}

type RecordedReply = {
  recorded: number;
  outcome: ReplyOutcome | null;
  sms: Record<string, unknown>[] | null;
  tasks: Record<string, unknown>[] | null;
  leadId?: string;
  answerKind: SmsKind;
};

/**
 * The consent record's columns in an `update providers … set` (read as the row was before it): an
 * opt-out's time and words, a START's time (source sms). The SMS reply's and the portal's STOP.
 */
const consentChange = (kind: Reply['kind'], text: string) => sql`
  opted_out_at = case when ${kind === 'stop'} and not providers.opted_out then now() else opted_out_at end,
  opt_out_text = case when ${kind === 'stop'} and not providers.opted_out then ${text} else opt_out_text end,
  opted_in_at = case when ${kind === 'start'} and providers.opted_out then now() else opted_in_at end,
  opt_in_source = case when ${kind === 'start'} and providers.opted_out then 'sms' else opt_in_source end`;

/** What a STOP made in the portal records as its words (`consent.optOutText`). */
export const PORTAL_STOP_TEXT = 'STOP (portal)';

/**
 * STOP from the portal (`POST /portal/api/stop`): the provider's row changed as an SMS STOP changes
 * it (`consentChange`, the words PORTAL_STOP_TEXT), and STOP's one confirmation by SMS (which says
 * how to START again), only when it changes something. The trigger providers_portal_sessions_end
 * ends their portal sessions in the same statement (drizzle/functions/portal-sessions-end.sql).
 */
export async function optOutFromPortal(db: Database, providerId: string): Promise<void> {
  const answer = OTHER_ANSWERS.stop;
  const [row] = await rows<{ sms: Record<string, unknown>[] | null }>(
    db,
    'portal_opt_out',
    sql`
      with
        p as (select id, phone, language, opted_out from providers where id = ${providerId} for update),
        changed as (
          update providers set
            opted_out = ${RULES.stop.optedOut},
            ${consentChange('stop', PORTAL_STOP_TEXT)},
            updated_at = now()
          from p
          where providers.id = p.id and ${RULES.stop.wants}
          returning providers.id
        ),
        answer as (
          insert into sms_messages (kind, recipients, body, provider_id, attempts, next_attempt_at)
          select ${answer.kind}, array[p.phone],
            coalesce(a.bodies -> p.language, a.bodies -> ${DEFAULT_LANGUAGE}::text) ->> 0, p.id,
            ${claimedNow.attempts}, ${claimedNow.nextAttemptAt}
          from p join changed on changed.id = p.id
            cross join (select ${bodiesByLanguage(answer)}::jsonb as bodies) a
          returning *
        )
      select (select json_agg(answer) from answer) as sms`,
  );
  const answers = (row?.sms ?? []).map((r) => fromRow(smsMessages, r));
  await sendClaimedNow(db, answers, inlineDeadline());
}

/** The reply's one statement (see `handleInboundSms`), on the pool or in the caller's transaction. */
async function recordReply(
  q: Queryable,
  sms: InboundSms,
  reply: Reply,
  sender: string,
  answer: Answer,
): Promise<RecordedReply | undefined> {
  const rule = RULES[reply.kind];
  const optedOut = rule.optedOut === undefined ? sql`opted_out` : sql`${rule.optedOut}`;
  const autoPay = rule.autoPay === undefined ? sql`auto_pay` : sql`${rule.autoPay}`;
  const language = reply.kind === 'language' ? sql`${reply.language}::text` : sql`p.language`;
  const charge = answer.charge ?? false;
  const setsHelp = rule.setsHelp ?? sql`false`;

  const [row] = await rows<Omit<RecordedReply, 'leadId' | 'answerKind'>>(
    q,
    'record_reply',
    sql`
      with
        p as (
          select id, opted_out, help_sent_at, answers_window_started_at, answers_in_window,
            auto_pay, saved_payment_method_id, stripe_customer_id, language
          from providers where phone = ${sender}
          for update
        ),
        d as (
          select id, wants, fresh, language,
            wants and (${rule.exempt ?? false} or fresh or answers_in_window < ${MAX_ANSWERS_PER_HOUR}) as answered
          from (
            -- The language of the answer: the provider's, as this reply leaves it.
            select p.id, p.help_sent_at, p.answers_window_started_at, p.answers_in_window,
              ${language} as language, ${rule.wants} as wants,
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
              (select case when wants and not answered then 'rate_limited' else ${outcomeOf(reply)} end from d),
              'unknown_sender'))
          on conflict do nothing
          returning outcome
        ),
        changed as (
          update providers set
            opted_out = ${optedOut},
            ${consentChange(reply.kind, sms.text)},
            auto_pay = ${autoPay},
            language = d.language,
            help_sent_at = case when ${setsHelp} then now() else help_sent_at end,
            answers_window_started_at =
              case when d.answered and d.fresh then now() else answers_window_started_at end,
            answers_in_window = case
              when not d.answered then answers_in_window
              when d.fresh then 1
              else answers_in_window + 1 end,
            updated_at = case when ${rule.optedOut !== undefined || rule.autoPay !== undefined || reply.kind === 'language'}
              then now() else updated_at end
          from d
          where providers.id = d.id and exists (select from seen)
        ),
        old as (
          -- The offer as it is now, locked after the provider: a YES that waited for another
          -- YES of theirs reads the charge that one queued. Joined unlocked, the offer would be
          -- read as of this statement's start, and both would charge (two attempts, two keys).
          select id, status, charge_status from offers
          where ${reply.kind === 'yes'} and lead_id = ${answer.leadId ?? null}::uuid
            and provider_id = (select id from p)
          for update
        ),
        accepted as (
          -- The funnel's "replied YES" step: the first YES that named (or implied) this offer;
          -- and, for a provider paying with their saved card, the charge's new attempt.
          update offers set
            accepted_at = coalesce(offers.accepted_at, now()),
            charge_attempt = case when ${charge} and ${chargeNow}
              then offers.charge_attempt + 1 else offers.charge_attempt end,
            charge_status = case when ${charge} and ${chargeNow}
              then 'charging' else offers.charge_status end
          from d, p, old
          where ${reply.kind === 'yes'} and offers.lead_id = ${answer.leadId ?? null}::uuid
            and offers.provider_id = d.id and old.id = offers.id and exists (select from seen)
            and (offers.accepted_at is null or (${charge} and ${chargeNow}))
          returning offers.id, offers.lead_id, offers.provider_id, offers.charge_attempt, offers.price_cents,
            ${charge} and ${chargeNow} as charged
        ),
        charge as (
          insert into stripe_tasks (kind, dedupe_key, offer_id, lead_id, provider_id, charge_attempt,
            customer_id, payment_method_id, price_cents, currency, attempts, next_attempt_at)
          select 'charge', 'charge:' || a.id || ':' || a.charge_attempt, a.id, a.lead_id, a.provider_id,
            a.charge_attempt, p.stripe_customer_id, p.saved_payment_method_id, a.price_cents, l.currency,
            ${claimedNow.attempts}, ${claimedNow.nextAttemptAt}
          from accepted a cross join p join leads l on l.id = a.lead_id
          where a.charged
          on conflict (dedupe_key) do nothing
          returning *
        ),
        answer as (
          insert into sms_messages (kind, recipients, body, lead_id, provider_id, attempts, next_attempt_at)
          select ${answer.kind}, array[${sender}], b.body, ${answer.leadId ?? null}::uuid, d.id,
            ${claimedNow.attempts}, ${claimedNow.nextAttemptAt}
          from d
            -- One row per message, in order.
            -- One row per message, in order, in the provider's language (the default one for a
            -- code no module has).
            cross join (select ${bodiesByLanguage(answer)}::jsonb as bodies) a
            cross join jsonb_array_elements_text(coalesce(a.bodies -> d.language, a.bodies -> ${DEFAULT_LANGUAGE}::text))
              with ordinality as b(body, n)
          where d.answered and exists (select from seen)
            -- One "charging" SMS per charge attempt: a YES while its charge is in flight gets
            -- none (the first said what comes next).
            and (${answer.kind !== 'charging'} or exists (select from accepted where charged))
          order by b.n
          returning *
        )
      select (select count(*)::int from seen) as recorded, (select outcome from seen) as outcome,
        (select json_agg(answer order by id) from answer) as sms,
        (select json_agg(charge) from charge) as tasks`,
  );
  return row && { ...row, leadId: answer.leadId, answerKind: answer.kind };
}
