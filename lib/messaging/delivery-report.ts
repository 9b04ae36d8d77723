import { and, count, eq, or, sql, type SQL } from 'drizzle-orm';
import { transaction, type Database } from '../db/client';
import { smsDeliveryReports, smsMessages } from '../db/schema';
import { log } from '../log';
import { ERASED_BODY } from '../privacy/erased-body';
import { fromTextMagicNumber } from '../phone';
import { queueSms, sendNow, type SmsKind } from './outbox';

export type DeliveryReport = {
  /** TextMagic's message id. */
  id: string;
  receiver?: string;
  status: string;
  sessionId?: string;
  payload: Record<string, unknown>;
};

/**
 * Codes that say the phone did not get it (failed, error, rejected). `u` (unknown) is not one:
 * the message may well have arrived, and a resend would then be a duplicate.
 */
export const UNDELIVERED_CODES = ['f', 'e', 'j'] as const;
const UNDELIVERED: ReadonlySet<string> = new Set(UNDELIVERED_CODES);

/**
 * A report as stored: without the `text` TextMagic may repeat, which is the message's body (kept
 * once, on its row, where an erasure can reach it), perhaps with a client's details.
 */
function withoutText(payload: Record<string, unknown>): Record<string, unknown> {
  const { text: _text, ...rest } = payload;
  return rest;
}

/** The dedupe key of the resend of one message to one receiver. */
export const resendKey = (smsId: number, receiver: string) => `resend:${smsId}:${receiver}`;
/** `resendKey` in SQL, for a message id and a receiver given as SQL expressions. */
export const resendKeySql = (smsId: SQL, receiver: SQL) => sql`'resend:' || ${smsId} || ':' || ${receiver}`;

/**
 * SMS sent again when TextMagic reports them undelivered: the details a provider paid for.
 * Other kinds are recorded only (a provider can always ask again by replying). Details of a
 * long description are several rows, one per message (`(2/3) …`): a report names one of them,
 * so only that message is sent again, and each counts its own resends.
 */
export const RESENT_KINDS: ReadonlySet<SmsKind> = new Set<SmsKind>(['details']);

/** Resends of one message before it is left for the operator (flagged in the lead view). */
export const MAX_RESENDS = 2;

/**
 * Records the latest status of one message, on the report table and on the outbox row. A
 * details SMS reported undelivered is queued again (a new outbox row, `resend_of` naming the
 * first message) up to MAX_RESENDS times and sent after commit; past that it stays flagged.
 * Returns whether the report matched a message of ours.
 */
export async function recordDeliveryReport(db: Database, report: DeliveryReport): Promise<boolean> {
  const reported = report.receiver ? fromTextMagicNumber(report.receiver) : null;
  const { matched, resendIds } = await transaction(async (tx) => {
    // Locked: reports for one message (and the resend they may queue) are applied one by one.
    const [sms] = await tx
      .select()
      .from(smsMessages)
      .where(
        or(
          eq(smsMessages.providerMessageId, report.id),
          report.sessionId ? eq(smsMessages.providerSessionId, report.sessionId) : undefined,
        ),
      )
      .limit(1)
      .for('update');
    await tx
      .insert(smsDeliveryReports)
      .values({
        messageId: report.id,
        receiver: reported,
        status: report.status,
        smsMessageId: sms?.id ?? null,
        payload: withoutText(report.payload),
      })
      .onConflictDoUpdate({
        target: smsDeliveryReports.messageId,
        set: {
          status: report.status,
          payload: withoutText(report.payload),
          // A report that came before our send stored the id is linked by a later one.
          smsMessageId: sql`coalesce(excluded.sms_message_id, ${smsDeliveryReports.smsMessageId})`,
          receiver: sql`coalesce(excluded.receiver, ${smsDeliveryReports.receiver})`,
          updatedAt: sql`now()`,
        },
      });
    if (!sms) return { matched: false, resendIds: [] };
    // A report without a receiver can only be about a message's one recipient.
    const receiver = reported ?? (sms.recipients.length === 1 ? sms.recipients[0]! : null);
    if (!receiver) return { matched: true, resendIds: [] };
    await tx
      .update(smsMessages)
      .set({
        deliveryStatus: sql`coalesce(${smsMessages.deliveryStatus}, '{}'::jsonb) || jsonb_build_object(${receiver}::text, ${report.status}::text)`,
        updatedAt: sql`now()`,
      })
      .where(eq(smsMessages.id, sms.id));

    // An erased message (the client's data, lib/privacy/) is never sent again.
    if (
      !UNDELIVERED.has(report.status) ||
      !RESENT_KINDS.has(sms.kind as SmsKind) ||
      sms.body === ERASED_BODY
    ) {
      return { matched: true, resendIds: [] };
    }
    // The chain of one message: the row first sent, and its resends, all naming it.
    const first = sms.resendOf ?? sms.id;
    const [done] = await tx
      .select({ n: count() })
      .from(smsMessages)
      .where(and(eq(smsMessages.resendOf, first), sql`${receiver}::text = any(${smsMessages.recipients})`));
    if ((done?.n ?? 0) >= MAX_RESENDS) {
      log.warn('SMS undelivered after every resend: left for the operator', {
        smsId: sms.id,
        firstSmsId: first,
        leadId: sms.leadId,
        providerId: sms.providerId,
        kind: sms.kind,
        status: report.status,
      });
      return { matched: true, resendIds: [] };
    }
    // Keyed by the message that failed: TextMagic repeating this report queues nothing more.
    const resendIds = await queueSms(tx, [
      {
        kind: sms.kind as SmsKind,
        recipients: [receiver],
        body: sms.body,
        dedupeKey: resendKey(sms.id, receiver),
        ...(sms.leadId && { leadId: sms.leadId }),
        ...(sms.providerId && { providerId: sms.providerId }),
        resendOf: first,
      },
    ]);
    log.info('SMS undelivered: sent again', {
      smsId: sms.id,
      firstSmsId: first,
      leadId: sms.leadId,
      providerId: sms.providerId,
      status: report.status,
    });
    return { matched: true, resendIds };
  });
  await sendNow(db, resendIds);
  return matched;
}
