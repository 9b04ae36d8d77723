import { businessEvent } from '../metrics';
import { sql, type SQL } from 'drizzle-orm';
import { jsonParam } from '../db/json-param';
import { fromRow, rows, transaction, type Database, type Queryable, type Tx } from '../db/client';
import { smsMessages, stripeTasks, type StripeTask } from '../db/schema';
import { fromTextMagicNumber } from '../phone';
import { parseReply, type Reply } from '../sms/parse-reply';
import { languageModule, LANGUAGES, DEFAULT_LANGUAGE } from '../sms/language';
import { templates, type Templates } from '../sms/templates';
import { clientDetails } from '../privacy/client-details';
import { offerForCode, openOffers } from '../purchases/offer-queries';
import { acceptOfferSql, buyAnswer, type OfferRow } from '../purchases/buy-offer';
import { sendClaimedNow, type SmsKind } from './outbox';
import { returnReason } from '../sms/return-reason';
import { openReturn, REFUSED } from '../returns/returns';
import { runClaimedStripeTasksNow } from '../purchases/stripe-tasks';
import { claimedNow, inlineDeadline } from '../queue/work-queue';
import { portalLinkUrl, requestLink } from '../portal/link-request';
import { LINK_TTL_MINUTES } from '../portal/session';

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
 * the charge, lib/purchases/buy-offer.ts `acceptOfferSql`).
 */
type Answer = { kind: SmsKind; body: (t: Templates) => string | string[]; leadId?: string; charge?: boolean };

/**
 * What to answer a provider's `YES <code>` with: how the buy is answered (lib/purchases/buy-offer.ts,
 * the portal's rule too), as an SMS.
 */
async function answerForOffer(db: Database, code: string, row?: OfferRow): Promise<Answer> {
  if (!row) return { kind: 'unavailable', body: (t) => t.unavailableSms(code) };
  const { lead } = row;
  const buy = await buyAnswer(db, row);
  switch (buy.kind) {
    case 'unlocked': {
      const details = clientDetails(lead);
      return details
        ? { kind: 'details', body: (t) => t.detailsSms(details), leadId: lead.id }
        : { kind: 'details_erased', body: (t) => t.detailsErasedSms(lead.code), leadId: lead.id };
    }
    case 'unavailable':
      return { kind: 'unavailable', body: (t) => t.unavailableSms(lead.code), leadId: lead.id };
    case 'budget_refused':
      return {
        kind: 'budget_refused',
        body: (t) => t.budgetRefusedSms(lead.code, buy.refusal),
        leadId: lead.id,
      };
    case 'charge':
      return { kind: 'charging', body: (t) => t.chargingSms(buy.priced), leadId: lead.id, charge: true };
    case 'pay_link':
      return { kind: 'pay_link', body: (t) => t.payLinkSms(buy.priced, buy.url), leadId: lead.id };
  }
}

/** The answer to a YES, from one read of the sender's offers (none for an unknown sender). */
async function answerToYes(db: Database, reply: Extract<Reply, { kind: 'yes' }>, phone: string) {
  if (reply.code) {
    return answerForOffer(db, reply.code, await offerForCode(db, phone, reply.code));
  }
  const open = await openOffers(db, phone);
  if (open.length === 0) return { kind: 'no_offers', body: (t) => t.noOpenOffersSms() } satisfies Answer;
  if (open.length === 1) return answerForOffer(db, open[0]!.lead.code, open[0]);
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
  // Who gets a link, or nothing, is answerToAccount's: its answer has no message for the others.
  account: { wants: sql`true` },
  // The language the reply names (recordReply).
  language: { wants: sql`true` },
};

/** The answer to anything but a YES. */
const OTHER_ANSWERS: Record<Exclude<Reply['kind'], 'yes' | 'bad' | 'account'>, Answer> = {
  stop: { kind: 'opted_out', body: (t) => t.optedOutSms() },
  maybe_stop: { kind: 'opt_out_check', body: (t) => t.optOutCheckSms() },
  start: { kind: 'opted_in', body: (t) => t.optedInSms() },
  auto_off: { kind: 'auto_pay', body: (t) => t.autoPayOffSms() },
  auto_on: { kind: 'auto_pay', body: (t) => t.autoPayOnSms() },
  language: { kind: 'language', body: (t) => t.languageSms() },
  help: { kind: 'help', body: (t) => t.helpSms() },
  other: { kind: 'help', body: (t) => t.helpSms() },
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
 * `ACCOUNT`, in the reply's transaction, before the reply is recorded (lib/portal/link-request.ts):
 * a sign-in link, or when a new one may be asked, or no message at all (an unknown, paused or
 * opted-out sender, one past the hourly answer limit, a TextMagic id seen already, a wait told
 * already in the window).
 */
async function answerToAccount(tx: Tx, sms: InboundSms, phone: string): Promise<Answer> {
  const request = await requestLink(tx, phone, sms.id, MAX_ANSWERS_PER_HOUR);
  switch (request.kind) {
    case 'link': {
      const url = portalLinkUrl(request.token);
      return { kind: 'portal_link', body: (t) => t.portalLinkSms(url, LINK_TTL_MINUTES) };
    }
    case 'wait':
      return { kind: 'portal_wait', body: (t) => t.portalWaitSms(request.minutes) };
    case 'none':
      return { kind: 'portal_link', body: () => [] };
  }
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
 * sees every answer counted before it: the limit holds exactly. BAD and ACCOUNT lock the row
 * first, in a transaction with (2), for the work they do before it (a return; a sign-in link).
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
  } else if (reply.kind === 'account') {
    // The link and the reply that asks for it: one transaction.
    row = await transaction(async (tx) =>
      recordReply(tx, sms, reply, sender, await answerToAccount(tx, sms, sender)),
    );
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
  // One budget after commit for the answer and the charge, side by side: an answer waiting for
  // its turn of the send rate does not hold up the charge. (Sends that once timed out under a race
  // of 200 YES now wait for turns instead, and one whose answer was lost is looked up before it
  // goes again: outbox.ts.)
  const deadline = inlineDeadline();
  await Promise.all([sendClaimedNow(db, answers, deadline), runClaimedStripeTasksNow(db, tasks, deadline)]);
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
        ${acceptOfferSql({
          leadId: answer.leadId ?? null,
          when: sql`${reply.kind === 'yes'}`,
          apply: sql`exists (select from seen)`,
          charge,
        })},
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
