import { getDb } from '../lib/db/client';
import { integrationHealth } from '../lib/reports/integration-health';
import { requireAdmin } from '../lib/http/auth';
import { httpFunction } from '../lib/http/handler';
import { json } from '../lib/http/response';

/** Admin: `GET /health/integrations`, Stripe, TextMagic, the outbox and the dispatcher. */
export const handler = await httpFunction(
  'integrationHealth',
  {
    'GET /health/integrations': async (req) => {
      await requireAdmin(req, 'read');
      return json(200, await integrationHealth(await getDb()));
    },
  },
  [getDb],
);
