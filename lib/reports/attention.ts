import { sql, type SQL } from 'drizzle-orm';
import { smsMessages } from '../db/schema';
import { resendKeySql, UNDELIVERED_CODES } from '../messaging/delivery-report';

/**
 * Whether an SMS needs the operator, as a column of a select on sms_messages: the send failed
 * for good (a 4xx from TextMagic, or every try used), or a delivery report says a phone did not
 * get it and no resend to that phone followed. The one definition: the lead view
 * (`GET /leads/{id}`, `needsAttention`, `smsNeedingAttention`) and `GET /sms?status=attention`.
 */
export const needsAttention = (): SQL<boolean> =>
  sql<boolean>`(${smsMessages.status} = 'failed' or exists (
    select from jsonb_each_text(coalesce(${smsMessages.deliveryStatus}, '{}'::jsonb)) as d(receiver, code)
    where d.code in (${sql.join(
      UNDELIVERED_CODES.map((c) => sql`${c}`),
      sql`, `,
    )})
      and not exists (
        select from sms_messages resend
        where resend.dedupe_key = ${resendKeySql(sql`${smsMessages.id}`, sql`d.receiver`)})))`;
