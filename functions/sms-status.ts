import { getDb } from '../lib/db/client';
import { requireSmsToken } from '../lib/http/auth';
import { formFields, parseWith, stripNulDeep } from '../lib/http/body';
import { httpFunction } from '../lib/http/handler';
import { json } from '../lib/http/response';
import { recordDeliveryReport } from '../lib/messaging/delivery-report';
import { deliveryReportInput } from '../lib/messaging/sms-input';

/** TextMagic's delivery report callback: the message's status is recorded on it. */
export const handler = await httpFunction(
  'smsStatus',
  {
    'POST /sms/status': async (req) => {
      requireSmsToken(req);
      const fields = await formFields(req);
      const parsed = parseWith(deliveryReportInput(), fields);
      // Kept as sent for the operator, less what jsonb cannot store.
      const payload = stripNulDeep(fields) as Record<string, unknown>;
      const matched = await recordDeliveryReport(await getDb(), { ...parsed, payload });
      return json(200, { status: 'recorded', matched });
    },
  },
  [getDb],
);
