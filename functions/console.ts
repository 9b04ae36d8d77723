import { consoleRoute } from '../lib/console/console';
import { config } from '../lib/config';
import { getDb } from '../lib/db/client';
import { httpFunction } from '../lib/http/handler';
import { consoleHeaders } from '../lib/http/response';

/** The operator console: `GET /admin…` (the SPA), `POST /admin/sign-in`, `POST /admin/sign-out`. */
export const handler = await httpFunction(consoleRoute, [getDb], {
  // A configuration that does not parse is answered as an error: with the deployed headers.
  headers: () => consoleHeaders(localOrFalse()),
});

function localOrFalse(): boolean {
  try {
    return config().local;
  } catch {
    return false;
  }
}
