import { getDb } from '../lib/db/client';
import { stats } from '../lib/reports/stats';
import { requireAdmin } from '../lib/http/auth';
import { parseWith } from '../lib/http/body';
import { httpFunction } from '../lib/http/handler';
import { json } from '../lib/http/response';
import { statsQuery } from '../lib/reports/stats-query';

/** Admin: `GET /stats?from=&to=&groupBy=day|category`, the funnel per group and in total. */
export const handler = await httpFunction(
  'stats',
  {
    'GET /stats': async (req) => {
      await requireAdmin(req, 'read');
      return json(200, await stats(await getDb(), parseWith(statsQuery(), req.query)));
    },
  },
  [getDb],
);
