import { config } from '../lib/config';
import { getDb } from '../lib/db/client';
import { requireAdmin } from '../lib/http/auth';
import { jsonBody } from '../lib/http/body';
import { httpFunction } from '../lib/http/handler';
import { json } from '../lib/http/response';
import { lazy } from '../lib/lazy';
import { eraseClient } from '../lib/privacy/erase-client';
import { erasureInput } from '../lib/privacy/erasure-input';

const schema = lazy(() => erasureInput(config().defaultCountry));

/** Admin: erase a client's personal data at their request, by lead, phone or e-mail. */
export const handler = await httpFunction(
  'privacy',
  {
    'POST /privacy/erasures': async (req) => {
      const caller = await requireAdmin(req, 'money');
      return json(200, await eraseClient(await getDb(), jsonBody(req, schema()), caller));
    },
  },
  [getDb],
);
