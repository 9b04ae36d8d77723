import { businessEvent } from '../metrics';
import { sql } from 'drizzle-orm';
import { namedRows, type Database, type Queryable } from '../db/client';
import { config } from '../config';
import { isConnectionError } from '../db/pool';
import type { Deadline } from '../deadline';
import { smsMessages, type SmsMessage } from '../db/schema';
import { log } from '../log';
import { findSentTextMagic, sendTextMagic, textMagicConfigured, type SentSms } from '../textmagic';
import { workClaimed, workNow, workQueue, type QueueRun } from '../queue/work-queue';

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

/** Sends one claimed SMS and marks it sent. */
async function sendOne(db: Database, message: SmsMessage, deadline?: Deadline): Promise<void> {
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
 * shared with its other work then; INLINE_WORK_BUDGET_MS from now if not given). Never throws:
 * what is not sent stays queued for the dispatcher.
 */
export const sendNow = (db: Database, ids: number[], deadline?: Deadline): Promise<void> =>
  workNow(db, smsMessages, ids, (m, d) => sendOne(db, m, d), deadline);

/** Sends SMS written with `claimedNow` and just committed, like `sendNow`; never throws. */
export const sendClaimedNow = (db: Database, messages: SmsMessage[], deadline?: Deadline): Promise<void> =>
  workClaimed(db, smsMessages, messages, (m, d) => sendOne(db, m, d), deadline);

/**
 * The scheduled dispatcher's batch: everything due, oldest first, with the full timeouts. Each
 * run reports how long the oldest due SMS had waited (0 when none; claimed oldest first, so the
 * batch holds it), which an alarm watches.
 */
export const dispatchDueSms = (db: Database, limit = 50): Promise<QueueRun> =>
  workQueue(
    db,
    smsMessages,
    { limit },
    (m) => sendOne(db, m),
    (rows) => {
      const oldest = Math.max(0, ...rows.map((r) => r.dueForSeconds));
      businessEvent(
        'outbox due',
        { OldestDueOutboxAgeSeconds: Math.round(oldest) },
        { claimed: rows.length },
      );
    },
  );
