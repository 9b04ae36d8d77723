import { getDb } from '../lib/db/client';
import { notFound } from '../lib/errors';
import { listReturns } from '../lib/returns/return-list';
import { requireAdmin } from '../lib/http/auth';
import { jsonBody, parseWith } from '../lib/http/body';
import { httpFunction } from '../lib/http/handler';
import type { HttpRequest } from '../lib/http/request';
import { json } from '../lib/http/response';
import { approveReturn, declineReturn, openReturnFromConsole } from '../lib/returns/returns';
import { consoleReturnInput, declineReturnInput, returnListQuery } from '../lib/returns/return-input';
import { uuidParam } from '../lib/http/fields';

/** The `{id}` of the path (a 404 naming `what` for one that is not a UUID). */
function idOf(req: HttpRequest, what: string): string {
  const id = uuidParam().safeParse(req.pathParams.id);
  if (!id.success) throw notFound(`No ${what} with this id`);
  return id.data;
}

/**
 * Admin: the Returns queue; approve (the refund and the SMS, once; 409 once decided), decline
 * `{note}`, and a return opened for the provider `{reason, text?}`.
 */
export const handler = await httpFunction(
  'returns',
  {
    'GET /returns': async (req) => {
      await requireAdmin(req, 'read');
      return json(200, await listReturns(await getDb(), parseWith(returnListQuery(), req.query)));
    },
    'POST /returns/{id}/approve': async (req) => {
      await requireAdmin(req, 'money');
      return json(200, { return: await approveReturn(await getDb(), idOf(req, 'return')) });
    },
    'POST /returns/{id}/decline': async (req) => {
      await requireAdmin(req, 'change');
      const id = idOf(req, 'return');
      const { note } = jsonBody(req, declineReturnInput());
      return json(200, { return: await declineReturn(await getDb(), id, note) });
    },
    'POST /unlocks/{id}/return': async (req) => {
      await requireAdmin(req, 'change');
      const id = idOf(req, 'purchase');
      const input = jsonBody(req, consoleReturnInput());
      return json(201, { return: await openReturnFromConsole(await getDb(), id, input) });
    },
  },
  [getDb],
);
