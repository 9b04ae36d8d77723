import { eq, sql } from 'drizzle-orm';
import type { Database, Queryable } from '../db/client';
import { smsMessages, type SmsMessage } from '../db/schema';
import { log } from '../log';
import { sendTextMagic, textMagicConfigured, type SentSms } from '../textmagic';
import { claimDue, recordFailure } from './claim';

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
  | 'refunded';

export type NewSms = {
  kind: SmsKind;
  recipients: string[];
  body: string;
  /** Makes the SMS at most once: a second row with the same key is not written. */
  dedupeKey?: string;
  leadId?: string;
  providerId?: string;
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

async function transmit(message: SmsMessage): Promise<SentSms> {
  if (textMagicConfigured()) return sendTextMagic(message.body, message.recipients);
  log.info('SMS not sent (TextMagic is not configured): logged and stored as sent', {
    smsId: message.id,
    kind: message.kind,
    to: message.recipients,
    body: message.body,
  });
  return { transport: 'log' };
}

export type SendOutcome = 'sent' | 'retry' | 'failed';

async function sendOne(db: Database, message: SmsMessage): Promise<SendOutcome> {
  try {
    const sent = await transmit(message);
    await db
      .update(smsMessages)
      .set({
        status: 'sent',
        transport: sent.transport,
        providerMessageId: sent.messageId ?? null,
        providerSessionId: sent.sessionId ?? null,
        sentAt: sql`now()`,
        updatedAt: sql`now()`,
        lastError: null,
      })
      .where(eq(smsMessages.id, message.id));
    return 'sent';
  } catch (err) {
    return recordFailure(db, smsMessages, message, err);
  }
}

export type DispatchResult = { sent: number; retry: number; failed: number };

async function sendClaimed(db: Database, messages: SmsMessage[]): Promise<DispatchResult> {
  const result: DispatchResult = { sent: 0, retry: 0, failed: 0 };
  // One at a time keeps TextMagic's rate limits and our pool small; batches are short.
  for (const message of messages) result[await sendOne(db, message)]++;
  return result;
}

/**
 * Sends SMS just committed by a request. Never throws: whatever is not sent stays queued
 * for the dispatcher, so a TextMagic or database fault here loses nothing.
 */
export async function sendNow(db: Database, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  try {
    await sendClaimed(db, await claimDue(db, smsMessages, { ids, limit: ids.length }));
  } catch (err) {
    log.warn('sending after commit failed; the dispatcher will retry', { err });
  }
}

/** The scheduled dispatcher's batch: everything due, oldest first. */
export async function dispatchDueSms(db: Database, limit = 50): Promise<DispatchResult> {
  return sendClaimed(db, await claimDue(db, smsMessages, { limit }));
}
