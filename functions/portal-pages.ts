import { getDb } from '../lib/db/client';
import { httpFunction } from '../lib/http/handler';
import { portalPagesRoutes } from '../lib/portal/sign-in';

/** The provider portal's sign-in: the one-time link's page and its button, and signing out. */
export const handler = await httpFunction('portalPages', portalPagesRoutes, [getDb]);
