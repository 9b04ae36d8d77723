import { eq, or, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { smsDeliveryReports, smsMessages } from '../db/schema';
import { fromTextMagicNumber } from '../phone';

export type DeliveryReport = {
  /** TextMagic's message id. */
  id: string;
  receiver?: string;
  status: string;
  sessionId?: string;
  payload: Record<string, unknown>;
};

/** `d` delivered; `f`, `e`, `j`, `u` failed, rejected or unknown; other codes are in flight. */
export function deliveryState(status: string): 'delivered' | 'failed' | 'in_flight' {
  if (status === 'd') return 'delivered';
  if (['f', 'e', 'j', 'u'].includes(status)) return 'failed';
  return 'in_flight';
}

/** Records the latest status of one message, on the report table and on the outbox row. */
export async function recordDeliveryReport(db: Database, report: DeliveryReport): Promise<boolean> {
  const receiver = report.receiver ? fromTextMagicNumber(report.receiver) : null;
  return db.transaction(async (tx) => {
    const [sms] = await tx
      .select({ id: smsMessages.id })
      .from(smsMessages)
      .where(
        or(
          eq(smsMessages.providerMessageId, report.id),
          report.sessionId ? eq(smsMessages.providerSessionId, report.sessionId) : undefined,
        ),
      )
      .limit(1);
    await tx
      .insert(smsDeliveryReports)
      .values({
        messageId: report.id,
        receiver,
        status: report.status,
        smsMessageId: sms?.id ?? null,
        payload: report.payload,
      })
      .onConflictDoUpdate({
        target: smsDeliveryReports.messageId,
        set: {
          status: report.status,
          payload: report.payload,
          // A report that came before our send stored the id is linked by a later one.
          smsMessageId: sql`coalesce(excluded.sms_message_id, ${smsDeliveryReports.smsMessageId})`,
          receiver: sql`coalesce(excluded.receiver, ${smsDeliveryReports.receiver})`,
          updatedAt: sql`now()`,
        },
      });
    if (sms && receiver) {
      await tx
        .update(smsMessages)
        .set({
          deliveryStatus: sql`coalesce(${smsMessages.deliveryStatus}, '{}'::jsonb) || jsonb_build_object(${receiver}::text, ${report.status}::text)`,
          updatedAt: sql`now()`,
        })
        .where(eq(smsMessages.id, sms.id));
    }
    return Boolean(sms);
  });
}
