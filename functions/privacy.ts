import { config } from '../lib/config';
import { getDb } from '../lib/db/client';
import { audited } from '../lib/audit/audited';
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
    // The entry names the erased lead when the request named one; never the phone or e-mail.
    'POST /privacy/erasures': audited('client.erase', 'money', async (req, caller) => {
      const input = jsonBody(req, schema());
      const erased = await eraseClient(await getDb(), input, caller);
      return {
        response: json(200, erased),
        objectId: 'leadId' in input ? input.leadId : undefined,
        changed: erased.erasedLeads > 0,
      };
    }),
  },
  [getDb],
);
