import { businessEvent } from '../metrics';
import { sql } from 'drizzle-orm';
import { namedRows, type Database, type Queryable } from '../db/client';
import { config } from '../config';
import { isConnectionError } from '../db/pool';
import { deadlineIn, MIN_CALL_MS, msLeft, type Deadline } from '../deadline';
import { NoSendTurn } from '../errors';
import { smsMessages, type SmsMessage } from '../db/schema';
import { log } from '../log';
import { findSentTextMagic, sendTextMagic, textMagicConfigured, type SentSms } from '../textmagic';
import {
  claimDue,
  inlineDeadline,
  recordFailure,
  release,
  workClaimed,
  workNow,
  type Claimed,
  type QueueRun,
} from '../queue/work-queue';
import { endDispatching, kickDispatcher, startDispatching } from './dispatcher-kick';
import { waitForTurn } from './send-rate';
import { smsPriority } from './sms-priority';

export type SmsKind =
  | 'teaser'
  | 'pay_link'
  | 'details'
  | 'unavailable'
  | 'no_offers'
  | 'choose_offer'
  | 'opted_out'
  | 'opted_in'
  | 'help'
  | 'refunded'
  | 'budget_refused'
  | 'charging'
  | 'card_failed'
  | 'auto_pay'
  | 'language'
  | 'return_usage'
  | 'return_opened'
  | 'return_refused'
  | 'return_approved'
  | 'return_declined'
  | 'opt_out_check'
  | 'erased_refund'
  | 'details_erased'
  | 'portal_link'
  | 'portal_wait';

export type NewSms = {
  kind: SmsKind;
  recipients: string[];
  body: string;
  /** Makes the SMS at most once: a second row with the same key is not written. */
  dedupeKey?: string;
  leadId?: string;
  providerId?: string;
  /** A resend after a failed delivery report: the first message of the chain. */
  resendOf?: number;
};

/** Writes SMS to the outbox, inside the caller's transaction; returns the ids written. */
export async function queueSms(tx: Queryable, messages: NewSms[]): Promise<number[]> {
  if (messages.length === 0) return [];
  const rows = await tx
    .insert(smsMessages)
    .values(messages)
    .onConflictDoNothing({ target: smsMessages.dedupeKey })
    .returning({ id: smsMessages.id });
  return rows.map((r) => r.id);
}

/**
 * Kinds whose body is never logged: free text (the client's details or description, an
 * operator's note), and a portal sign-in link, which signs in whoever opens it.
 */
const NOT_LOGGED = new Set(['teaser', 'details', 'return_declined', 'portal_link']);

/**
 * Sends `message` through TextMagic, tagged with its id. After a try whose answer never came
 * (`unheardSince`), TextMagic is asked first whether it sent it since: found, it is recorded as
 * sent without a second SMS; a lookup that fails throws (retryable), so the row waits for a
 * later try rather than risking a duplicate.
 */
async function transmit(message: SmsMessage, deadline?: Deadline): Promise<SentSms & { found?: true }> {
  if (textMagicConfigured()) {
    if (message.unheardSince) {
      const found = await findSentTextMagic(
        {
          text: message.body,
          phones: message.recipients,
          since: message.unheardSince,
          referenceId: message.id,
        },
        deadline,
      );
      if (found) return { ...found, found: true };
    }
    return sendTextMagic(message.body, message.recipients, { deadline, referenceId: message.id });
  }
  log.info('SMS not sent (TextMagic is not configured): logged and stored as sent', {
    smsId: message.id,
    kind: message.kind,
    leadId: message.leadId,
    providerId: message.providerId,
    to: message.recipients,
    // Local development only, and never a teaser or details (they carry what the client typed)
    // nor a sign-in link.
    ...(config().local && !NOT_LOGGED.has(message.kind) && { body: message.body }),
  });
  return { transport: 'log' };
}

/**
 * Pauses between tries at recording a send. The phone already has the SMS: were the row left
 * unmarked, the dispatcher would send it again once the lease ends, so a database that blinks
 * (a dropped connection, a failover) is given a few more chances than a request would be.
 */
const RECORD_RETRY_MS = [50, 100, 200, 400];

/**
 * How a send is made: `deadline` shortens TextMagic's timeout (a request's budget); `by` is when
 * its turn of the send rate must come by; `behindQueued`: no turn while older SMS of its
 * priority or higher are due (a request's own teaser).
 */
type SendOptions = { deadline?: Deadline; by?: Deadline; behindQueued?: boolean };

/** Sends one claimed SMS, in its turn of the deployment's send rate, and marks it sent. */
async function sendOne(db: Database, message: SmsMessage, opts: SendOptions = {}): Promise<void> {
  await turnFor(message, opts);
  await sendInTurn(message, opts.deadline);
}

/**
 * Waits for a message's turn of the send rate (none is needed when SMS only go to the log). A
 * message whose last try went unheard takes two: TextMagic is asked first (`transmit`).
 */
async function turnFor(message: SmsMessage, opts: SendOptions): Promise<void> {
  if (!textMagicConfigured()) return;
  await waitForTurn(smsPriority(message.kind), {
    by: opts.by,
    behindQueued: opts.behindQueued,
    turns: message.unheardSince ? 2 : 1,
  });
}

/** Sends a claimed SMS whose turn has come, and marks it sent. */
async function sendInTurn(message: SmsMessage, deadline?: Deadline): Promise<void> {
  const sent = await transmit(message, deadline);
  for (let attempt = 0; ; attempt++) {
    try {
      await markSent(message.id, sent);
      businessEvent('SMS sent', message.kind === 'teaser' ? { TeasersSent: message.recipients.length } : {}, {
        smsId: message.id,
        kind: message.kind,
        leadId: message.leadId,
        providerId: message.providerId,
        transport: sent.transport,
        messageId: sent.messageId,
        // Taken by TextMagic on an earlier try whose answer was lost: found, not sent again.
        ...(sent.found && { foundUnheard: true }),
      });
      return;
    } catch (err) {
      const pause = RECORD_RETRY_MS[attempt];
      if (pause === undefined || !isConnectionError(err)) {
        // Not a send failure: counting it as one would queue a resend at once. The lease keeps
        // the row from the dispatcher for a while; past it, this SMS may go out twice.
        log.error('SMS sent but not recorded as sent; it may be sent again after the lease', {
          smsId: message.id,
          err,
        });
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}

/** It runs after every SMS: a named statement where DATABASE_PREPARED_STATEMENTS allows. */
async function markSent(id: number, sent: SentSms): Promise<void> {
  await namedRows(
    'mark_sms_sent',
    sql`update sms_messages set status = 'sent', transport = ${sent.transport},
      provider_message_id = ${sent.messageId ?? null}, provider_session_id = ${sent.sessionId ?? null},
      sent_at = now(), updated_at = now(), last_error = null, unheard_since = null
    where id = ${id}`,
  );
}

/**
 * Sends SMS just committed by a request, within the request's budget after commit (`deadline`,
 * shared with its other work then; INLINE_WORK_BUDGET_MS from now if not given), each in its
 * turn of the send rate. Never throws: what is not sent stays queued for the dispatcher, and so
 * does a request's teaser while older SMS wait for the rate (it does not jump the queue).
 */
export async function sendNow(db: Database, ids: number[], deadline = inlineDeadline()): Promise<void> {
  await workNow(db, smsMessages, ids, inlineSend(db), deadline);
}

/**
 * Sends SMS written with `claimedNow` and just committed, like `sendNow`; never throws.
 * `drainQueue`, for a request with nothing else to do after (a new lead's teasers): left behind
 * older SMS, it spends what is left of its budget sending the queue's head (`drainSms`), which
 * keeps the rate busy through a burst before the dispatcher's next run.
 */
export async function sendClaimedNow(
  db: Database,
  messages: SmsMessage[],
  deadline = inlineDeadline(),
  opts: { drainQueue?: boolean } = {},
): Promise<void> {
  const { behind } = await workClaimed(db, smsMessages, messages, inlineSend(db), deadline);
  if (!behind || !opts.drainQueue) return;
  // A backlog: a dispatcher run for it now, unless one is sending (not the next scheduled one).
  await kickDispatcher(deadline);
  await drainSms(db, { until: deadline, inFlight: 1, inline: true });
}

const inlineSend =
  (db: Database) =>
  (m: SmsMessage, d?: Deadline): Promise<void> =>
    // Teasers keep their order behind a queue (a burst of leads); a reply to someone waiting on
    // their phone, or a client's details, goes in the next turn its priority gets.
    sendOne(db, m, { deadline: d, by: d, behindQueued: m.kind === 'teaser' });

/**
 * Sends due SMS, a client's details first and teasers last, oldest first within each, until none
 * is due or `until` is too close. One loop claims the queue's head and waits for its turn, so
 * turns follow the priorities; the sends themselves overlap, up to `inFlight` at once, so that
 * TextMagic's answer time does not cap the rate. A request (`inline`) gives its sends what is left
 * of its budget as their timeout; the dispatcher gives them TEXTMAGIC_TIMEOUT_MS. Never throws
 * when inline.
 */
export async function drainSms(
  db: Database,
  opts: {
    until: Deadline;
    inFlight: number;
    inline: boolean;
    onClaimed?: (row: Claimed<typeof smsMessages>) => void;
  },
): Promise<QueueRun> {
  const run: QueueRun = { done: 0, retry: 0, failed: 0 };
  const sending = new Set<Promise<void>>();
  const send = async (row: SmsMessage) => {
    try {
      await sendInTurn(row, opts.inline ? opts.until : undefined);
      run.done++;
    } catch (err) {
      run[await recordFailure(db, smsMessages, row, err)]++;
    }
  };
  try {
    while (msLeft(opts.until) >= MIN_CALL_MS) {
      if (sending.size >= opts.inFlight) await Promise.race(sending);
      const { rows, claimed } = await claimDue(db, smsMessages, { limit: 1 });
      const row = rows[0];
      if (!row) {
        if (claimed > 0) continue; // a cancelled teaser: the next one may be due
        break;
      }
      opts.onClaimed?.(row);
      try {
        await turnFor(row, { by: opts.until });
      } catch (err) {
        if (!(err instanceof NoSendTurn)) throw err;
        await release(db, smsMessages, [row]);
        break;
      }
      const p = send(row).finally(() => sending.delete(p));
      sending.add(p);
    }
    await Promise.all(sending);
  } catch (err) {
    await Promise.allSettled(sending);
    if (!opts.inline) throw err;
    log.warn('sending the queue after commit failed; the dispatcher will retry', { err });
  }
  return run;
}

/** How long a dispatcher run sends for at most (its function's timeout is 70 s, its schedule 1 minute). */
export const DISPATCH_RUN_MS = 60_000;
/** A run waits for SMS due this soon (a 429's Retry-After, a request's leftovers) rather than end. */
const LINGER_MS = 5_000;
/** After a burst, a run looks for more this often, until none came for this long. */
const BURST_POLL_MS = 500;
const BURST_QUIET_MS = 10_000;

/**
 * The scheduled dispatcher's sends: everything due, in priority order, at the deployment's send
 * rate, for up to `runMs`. A run ends when nothing is due within a few seconds (an SMS waiting out
 * a 429's Retry-After is sent in the same run, not a minute later), or after a burst when it has
 * been quiet for 10 s; consecutive runs overlap (every minute, each up to 60 s), so a long burst
 * always has a sender once a run has found it. Before that, new leads' requests keep the rate busy
 * (`sendClaimedNow`'s `drainQueue`). Each run reports how long
 * the oldest SMS it claimed had been due, which an alarm watches.
 */
export async function dispatchDueSms(db: Database, runMs = DISPATCH_RUN_MS): Promise<QueueRun> {
  const until = deadlineIn(runMs);
  // While this run sends, a burst's requests start no other (dispatcher-kick.ts).
  const held = await startDispatching(runMs);
  try {
    return await sendDue(db, until);
  } finally {
    // Not freed (the database gone): the lease ends on its own at the run's end.
    await endDispatching(held).catch(() => undefined);
  }
}

async function sendDue(db: Database, until: Deadline): Promise<QueueRun> {
  const rate = config().textmagic.ratePerSecond;
  // Enough sends in flight to fill the rate while each waits up to ~0.5 s for TextMagic's answer.
  const inFlight = Math.min(32, Math.max(2, Math.ceil(rate / 2)));
  const total: QueueRun = { done: 0, retry: 0, failed: 0 };
  let oldest = 0;
  let claimed = 0;
  let lastWorkAt = Date.now();
  for (;;) {
    const run = await drainSms(db, {
      until,
      inFlight,
      inline: false,
      onClaimed: (row) => {
        claimed++;
        oldest = Math.max(oldest, row.dueForSeconds);
      },
    });
    total.done += run.done;
    total.retry += run.retry;
    total.failed += run.failed;
    if (run.done + run.retry + run.failed > 0) lastWorkAt = Date.now();
    // Due soon (a 429's Retry-After, a request's leftovers): wait for it. In a burst (two
    // seconds' worth of the rate sent by this run), more is likely coming: look again every half
    // second until the burst has been quiet for a while.
    const nextInMs = (await nextDueInMs(db)) ?? Infinity;
    const burst = total.done + total.retry >= 2 * rate && Date.now() - lastWorkAt < BURST_QUIET_MS;
    const pause = nextInMs <= LINGER_MS ? nextInMs : burst ? BURST_POLL_MS : undefined;
    if (pause === undefined || pause > msLeft(until) - MIN_CALL_MS) break;
    await new Promise((resolve) => setTimeout(resolve, Math.max(20, pause)));
  }
  businessEvent('outbox due', { OldestDueOutboxAgeSeconds: Math.round(oldest) }, { claimed });
  return total;
}

/**
 * Milliseconds until the next queued SMS is due (0 when one is), undefined when none is queued.
 * Rows another transaction holds are skipped, as the claim skips them: a run does not wait on them.
 */
async function nextDueInMs(db: Database): Promise<number | undefined> {
  const [row] = await db
    .select({ ms: sql<number>`(extract(epoch from ${smsMessages.nextAttemptAt} - now()) * 1000)::float8` })
    .from(smsMessages)
    .where(sql`${smsMessages.status} = 'queued'`)
    .orderBy(smsMessages.nextAttemptAt)
    .limit(1)
    .for('update', { skipLocked: true });
  return row === undefined ? undefined : Math.max(0, Number(row.ms));
}
