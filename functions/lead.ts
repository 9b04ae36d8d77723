import { getDb } from '../lib/db/client';
import { notFound } from '../lib/errors';
import { leadDetail } from '../lib/admin/lead-view';
import { requireAdmin } from '../lib/http/auth';
import { httpFunction } from '../lib/http/handler';
import { json } from '../lib/http/response';
import { uuidParam } from '../lib/validation';

/** Admin: `GET /leads/{id}` with its offers and unlocks. */
export const handler = await httpFunction(
  async (req) => {
    requireAdmin(req);
    const id = uuidParam().safeParse(req.pathParams.id);
    if (!id.success) throw notFound('No lead with this id');
    return json(200, await leadDetail(await getDb(), id.data));
  },
  [getDb],
);
