import { getDb } from '../lib/db/client';
import { badRequest } from '../lib/errors';
import { leadSummary } from '../lib/leads/lead-view';
import { requireLeadKey } from '../lib/http/auth';
import { jsonFields } from '../lib/http/body';
import { httpFunction } from '../lib/http/handler';
import { json } from '../lib/http/response';
import { createLead } from '../lib/leads/create-lead';
import { checkedLead } from '../lib/leads/lead-input';

export const handler = await httpFunction(
  'createLead',
  {
    'POST /leads': async (req) => {
      requireLeadKey(req);
      const input = checkedLead(jsonFields(req));
      const key = req.headers['idempotency-key']?.trim();
      if (key !== undefined && (key.length === 0 || key.length > 255)) {
        throw badRequest('invalid_idempotency_key', 'Idempotency-Key must be 1 to 255 characters');
      }
      const result = await createLead(await getDb(), input, key);
      return json(
        result.created ? 201 : 200,
        leadSummary(result.lead, result.offeredTo, result.teasersHeldUntil),
      );
    },
  },
  [getDb],
);
