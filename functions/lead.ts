import { getDb } from '../lib/db/client';
import { notFound } from '../lib/errors';
import { listLeads } from '../lib/leads/lead-list';
import { leadDetail } from '../lib/leads/lead-view';
import { requireAdmin } from '../lib/http/auth';
import { parseWith } from '../lib/http/body';
import { httpFunction } from '../lib/http/handler';
import { json } from '../lib/http/response';
import { leadListQuery } from '../lib/leads/lead-input';
import { uuidParam } from '../lib/http/fields';

/** Admin: the leads (newest first, filtered, a page at a time) and one lead with its offers and unlocks. */
export const handler = await httpFunction(
  'lead',
  {
    'GET /leads': async (req) => {
      await requireAdmin(req, 'read');
      return json(200, await listLeads(await getDb(), parseWith(leadListQuery(), req.query)));
    },
    'GET /leads/{id}': async (req) => {
      await requireAdmin(req, 'read');
      // An empty or bad id is a 404.
      const id = uuidParam().safeParse(req.pathParams.id);
      if (!id.success) throw notFound('No lead with this id');
      return json(200, await leadDetail(await getDb(), id.data));
    },
  },
  [getDb],
);
