import { config } from '../lib/config';
import { getDb } from '../lib/db/client';
import { badRequest } from '../lib/errors';
import { leadSummary } from '../lib/leads/lead-view';
import { requireLeadKey } from '../lib/http/auth';
import { jsonBody } from '../lib/http/body';
import { httpFunction } from '../lib/http/handler';
import { json } from '../lib/http/response';
import { lazy } from '../lib/lazy';
import { createLead } from '../lib/leads/create-lead';
import { leadInput, requireConsent } from '../lib/leads/lead-input';

const schema = lazy(() => leadInput(config().defaultCountry));

export const handler = await httpFunction(
  'createLead',
  {
    'POST /leads': async (req) => {
      requireLeadKey(req);
      const input = jsonBody(req, schema());
      if (config().requireClientConsent) requireConsent(input);
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
