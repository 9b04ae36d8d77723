import { getDb } from '../lib/db/client';
import { notFound } from '../lib/errors';
import { listSms, retrySms } from '../lib/messaging/sms-attention';
import { audited } from '../lib/audit/audited';
import { requireAdmin } from '../lib/http/auth';
import { parseWith } from '../lib/http/body';
import { httpFunction } from '../lib/http/handler';
import { json } from '../lib/http/response';
import { smsIdParam, smsListQuery } from '../lib/messaging/sms-input';

/** Admin: the SMS needing the operator (`?status=failed|attention`), and a failed one sent again. */
export const handler = await httpFunction(
  'smsAdmin',
  {
    'GET /sms': async (req) => {
      await requireAdmin(req, 'read');
      return json(200, await listSms(await getDb(), parseWith(smsListQuery(), req.query)));
    },
    'POST /sms/{id}/retry': audited('sms.retry', 'change', async (req) => {
      const id = smsIdParam().safeParse(req.pathParams.id);
      if (!id.success) throw notFound('No SMS with this id');
      const result = await retrySms(await getDb(), id.data);
      return { response: json(result.retried ? 202 : 200, result), changed: result.retried };
    }),
  },
  [getDb],
);
