import { getDb } from '../lib/db/client';
import { pendingStripeTasks } from '../lib/purchases/stripe-follow-ups';
import { requireAdmin } from '../lib/http/auth';
import { parseWith } from '../lib/http/body';
import { httpFunction } from '../lib/http/handler';
import { json } from '../lib/http/response';
import { stripeTasksQuery } from '../lib/purchases/stripe-follow-ups';

/** Admin: `GET /stripe/tasks?status=pending`, the Stripe follow-ups not done yet. */
export const handler = await httpFunction(
  'stripeFollowUps',
  {
    'GET /stripe/tasks': async (req) => {
      await requireAdmin(req, 'read');
      parseWith(stripeTasksQuery(), req.query);
      return json(200, await pendingStripeTasks(await getDb()));
    },
  },
  [getDb],
);
