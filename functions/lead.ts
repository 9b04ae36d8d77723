import { config } from '../lib/config';
import { getDb } from '../lib/db/client';
import { notFound } from '../lib/errors';
import { leadDetail } from '../lib/admin/lead-view';
import { requireAdmin } from '../lib/http/auth';
import { httpHandler } from '../lib/http/handler';
import { json } from '../lib/http/response';
import { uuidParam } from '../lib/validation';
import { initClients } from '../lib/init-clients';

// Configuration, pool and query builder built in Lambda's init phase (lib/init-clients.ts).
await initClients(config, getDb);

/** Admin: `GET /leads/{id}` with its offers and unlocks. */
export const handler = httpHandler(async (req) => {
  requireAdmin(req);
  const id = uuidParam().safeParse(req.pathParams.id);
  if (!id.success) throw notFound('No lead with this id');
  return json(200, await leadDetail(await getDb(), id.data));
});
