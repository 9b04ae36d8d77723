import { config } from '../lib/config';
import { getDb } from '../lib/db/client';
import { AppError, notFound } from '../lib/errors';
import { createProvider, listProviders, updateProvider } from '../lib/admin/providers';
import { requireAdmin } from '../lib/http/auth';
import { jsonBody } from '../lib/http/body';
import { httpHandler } from '../lib/http/handler';
import { json } from '../lib/http/response';
import { providerInput, providerPatch, uuidParam } from '../lib/validation';
import { initClients } from '../lib/init-clients';

// Configuration, pool and query builder built in Lambda's init phase (lib/init-clients.ts).
await initClients(config, getDb);

let schema: ReturnType<typeof providerInput> | undefined;

/** Admin: `POST /providers`, `GET /providers`, `PATCH /providers/{id}`. */
export const handler = httpHandler(async (req) => {
  requireAdmin(req);
  const db = await getDb();
  if (req.method === 'GET') return json(200, { providers: await listProviders(db) });
  if (req.method === 'POST') {
    schema ??= providerInput(config().defaultCountry);
    const input = jsonBody(req, schema);
    return json(201, await createProvider(db, input));
  }
  if (req.method === 'PATCH') {
    const id = uuidParam().safeParse(req.pathParams.id);
    if (!id.success) throw notFound('No provider with this id');
    return json(200, await updateProvider(db, id.data, jsonBody(req, providerPatch())));
  }
  throw new AppError(405, 'method_not_allowed', `${req.method} is not supported here`);
});
