import { config } from '../lib/config';
import { getDb } from '../lib/db/client';
import { badRequest } from '../lib/errors';
import { leadSummary } from '../lib/admin/lead-view';
import { requireLeadKey } from '../lib/http/auth';
import { jsonBody } from '../lib/http/body';
import { httpHandler } from '../lib/http/handler';
import { json } from '../lib/http/response';
import { createLead } from '../lib/unlock/create-lead';
import { leadInput } from '../lib/validation';
import { initClients } from '../lib/init-clients';

// Configuration, pool and query builder built in Lambda's init phase (lib/init-clients.ts).
await initClients(config, getDb);

let schema: ReturnType<typeof leadInput> | undefined;

export const handler = httpHandler(async (req) => {
  requireLeadKey(req);
  schema ??= leadInput(config().defaultCountry);
  const input = jsonBody(req, schema);
  const key = req.headers['idempotency-key']?.trim();
  if (key !== undefined && (key.length === 0 || key.length > 255)) {
    throw badRequest('invalid_idempotency_key', 'Idempotency-Key must be 1 to 255 characters');
  }
  const result = await createLead(await getDb(), input, key);
  return json(result.created ? 201 : 200, leadSummary(result.lead, result.offeredTo));
});
