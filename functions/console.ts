import { consoleRoutes } from '../lib/console/console';
import { config } from '../lib/config';
import { getDb } from '../lib/db/client';
import { httpFunction } from '../lib/http/handler';
import { consoleHeaders } from '../lib/http/response';

/** The operator console: the SPA, its session, sign-in and sign-out. */
export const handler = await httpFunction('console', consoleRoutes, [getDb], {
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
