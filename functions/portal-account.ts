import { config } from '../lib/config';
import { optOutFromPortal } from '../lib/messaging/handle-reply';
import { clearedPortalCookie } from '../lib/portal/session';
import { getDb } from '../lib/db/client';
import { requireProvider } from '../lib/http/auth';
import { jsonBody, parseWith } from '../lib/http/body';
import { portalSpending, spendingQuery } from '../lib/portal/spending';
import { removeCard, startCardSetup } from '../lib/portal/card';
import { portalCompare } from '../lib/portal/compare';
import { httpFunction } from '../lib/http/handler';
import { json } from '../lib/http/response';
import { lazy } from '../lib/lazy';
import { portalAccount, portalLimits, updatePortalAccount } from '../lib/portal/account';
import { portalAccountPatch } from '../lib/portal/account-input';

const patchSchema = lazy(() => portalAccountPatch(portalLimits()));

/** The portal's Settings, Spending, saved card and How they compare: the signed-in provider's own. */
export const handler = await httpFunction(
  'portalAccount',
  {
    'GET /portal/api/account': async (req) => {
      const { providerId } = await requireProvider(req);
      return json(200, await portalAccount(await getDb(), providerId));
    },
    'PATCH /portal/api/account': async (req) => {
      const { providerId } = await requireProvider(req);
      const patch = jsonBody(req, patchSchema());
      return json(200, await updatePortalAccount(await getDb(), providerId, patch));
    },
    'POST /portal/api/stop': async (req) => {
      const { providerId } = await requireProvider(req);
      await optOutFromPortal(await getDb(), providerId);
      const res = json(200, { optedOut: true });
      res.headers['set-cookie'] = clearedPortalCookie(!config().local);
      return res;
    },
    'GET /portal/api/spending': async (req) => {
      const { providerId } = await requireProvider(req);
      return json(
        200,
        await portalSpending(await getDb(), providerId, parseWith(spendingQuery(), req.query)),
      );
    },
    'POST /portal/api/card': async (req) => {
      const { providerId } = await requireProvider(req);
      return json(200, await startCardSetup(await getDb(), providerId));
    },
    'POST /portal/api/card/remove': async (req) => {
      const { providerId } = await requireProvider(req);
      return json(200, await removeCard(await getDb(), providerId));
    },
    'GET /portal/api/compare': async (req) => {
      const { providerId } = await requireProvider(req);
      return json(200, await portalCompare(await getDb(), providerId));
    },
  },
  [getDb],
);
