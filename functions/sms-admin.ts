import { getDb } from '../lib/db/client';
import { AppError, notFound } from '../lib/errors';
import { listSms, retrySms } from '../lib/messaging/sms-attention';
import { requireAdmin } from '../lib/http/auth';
import { parseWith } from '../lib/http/body';
import { httpFunction } from '../lib/http/handler';
import { json } from '../lib/http/response';
import { smsIdParam, smsListQuery } from '../lib/messaging/sms-input';

/** Admin: `GET /sms?status=failed|attention` (SMS needing the operator) and `POST /sms/{id}/retry`. */
export const handler = await httpFunction(
  async (req) => {
    await requireAdmin(req);
    const db = await getDb();
    if (req.method === 'GET') return json(200, await listSms(db, parseWith(smsListQuery(), req.query)));
    if (req.method === 'POST') {
      const id = smsIdParam().safeParse(req.pathParams.id);
      if (!id.success) throw notFound('No SMS with this id');
      const result = await retrySms(db, id.data);
      return json(result.retried ? 202 : 200, result);
    }
    throw new AppError(405, 'method_not_allowed', `${req.method} is not supported here`);
  },
  [getDb],
);
