import { getDb } from '../lib/db/client';
import { httpFunction } from '../lib/http/handler';
import { portalPagesRoutes } from '../lib/portal/sign-in';

/**
 * The provider portal's pages: the one-time link's page and its button, signing out, and the
 * portal's SPA (the one bundle that carries it).
 */
export const handler = await httpFunction('portalPages', portalPagesRoutes, [getDb]);
