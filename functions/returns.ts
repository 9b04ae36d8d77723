import { getDb } from '../lib/db/client';
import { AppError, notFound } from '../lib/errors';
import { listReturns } from '../lib/returns/return-list';
import { requireAdmin } from '../lib/http/auth';
import { jsonBody, parseWith } from '../lib/http/body';
import { httpFunction } from '../lib/http/handler';
import { json } from '../lib/http/response';
import { approveReturn, declineReturn, openReturnFromConsole } from '../lib/returns/returns';
import { consoleReturnInput, declineReturnInput, returnListQuery } from '../lib/returns/return-input';
import { uuidParam } from '../lib/http/fields';

/**
 * Admin: the Returns queue. `GET /returns?status=open`, `POST /returns/{id}/approve` (the
 * refund and the SMS, once; 409 once decided), `POST /returns/{id}/decline` `{note}`, and
 * `POST /unlocks/{id}/return` `{reason, text?}` (a return opened for the provider).
 */
export const handler = await httpFunction(
  async (req) => {
    await requireAdmin(req);
    const db = await getDb();
    if (req.method === 'GET' && req.path.replace(/\/+$/, '') === '/returns') {
      return json(200, await listReturns(db, parseWith(returnListQuery(), req.query)));
    }
    if (req.method !== 'POST')
      throw new AppError(405, 'method_not_allowed', `${req.method} is not supported here`);
    const id = uuidParam().safeParse(req.pathParams.id);
    if (req.path.startsWith('/unlocks/')) {
      if (!id.success) throw notFound('No purchase with this id');
      const input = jsonBody(req, consoleReturnInput());
      return json(201, { return: await openReturnFromConsole(db, id.data, input) });
    }
    if (!id.success) throw notFound('No return with this id');
    if (req.path.endsWith('/approve')) return json(200, { return: await approveReturn(db, id.data) });
    if (req.path.endsWith('/decline')) {
      const { note } = jsonBody(req, declineReturnInput());
      return json(200, { return: await declineReturn(db, id.data, note) });
    }
    throw notFound('No such route');
  },
  [getDb],
);
