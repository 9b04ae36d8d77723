import { getDb } from '../lib/db/client';
import { notFound } from '../lib/errors';
import { listReturns } from '../lib/returns/return-list';
import { audited } from '../lib/audit/audited';
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
    'POST /returns/{id}/approve': audited('return.approve', 'money', async (req) => {
      const { leadReturn, refundedCents } = await approveReturn(await getDb(), idOf(req, 'return'));
      return { response: json(200, { return: leadReturn }), amountCents: refundedCents };
    }),
    'POST /returns/{id}/decline': audited('return.decline', 'change', async (req) => {
      const id = idOf(req, 'return');
      const { note } = jsonBody(req, declineReturnInput());
      return { response: json(200, { return: await declineReturn(await getDb(), id, note) }) };
    }),
    // The purchase in the path; the entry names the return it opened (and its refund when approved at once).
    'POST /unlocks/{id}/return': audited('return.open', 'change', async (req) => {
      const id = idOf(req, 'purchase');
      const input = jsonBody(req, consoleReturnInput());
      const { leadReturn, refundedCents } = await openReturnFromConsole(await getDb(), id, input);
      return {
        response: json(201, { return: leadReturn }),
        objectId: leadReturn.id,
        amountCents: refundedCents,
      };
    }),
  },
  [getDb],
);
