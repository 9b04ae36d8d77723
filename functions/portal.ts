import { getDb } from '../lib/db/client';
import { notFound } from '../lib/errors';
import { requireProvider } from '../lib/http/auth';
import { jsonBody, parseWith } from '../lib/http/body';
import { uuidParam } from '../lib/http/fields';
import { httpFunction } from '../lib/http/handler';
import { json } from '../lib/http/response';
import { portalBuy, portalLeads, portalLeadsQuery } from '../lib/portal/leads';
import {
  portalOpenReturn,
  portalReturnInput,
  portalReturns,
  portalReturnsQuery,
} from '../lib/portal/returns';

/**
 * The provider portal's JSON API (issue 24): each route signs the provider in first
 * (requireProvider) and reads or changes only their own data.
 */
export const handler = await httpFunction(
  'portal',
  {
    'GET /portal/api/leads': async (req) => {
      const { providerId } = await requireProvider(req);
      return json(
        200,
        await portalLeads(await getDb(), providerId, parseWith(portalLeadsQuery(), req.query)),
      );
    },
    'POST /portal/api/offers/{id}/buy': async (req) => {
      const { providerId } = await requireProvider(req);
      const id = uuidParam().safeParse(req.pathParams.id);
      if (!id.success) throw notFound('No offer with this id');
      return json(200, await portalBuy(await getDb(), providerId, id.data));
    },
    'GET /portal/api/returns': async (req) => {
      const { providerId } = await requireProvider(req);
      return json(
        200,
        await portalReturns(await getDb(), providerId, parseWith(portalReturnsQuery(), req.query)),
      );
    },
    'POST /portal/api/returns': async (req) => {
      const { providerId } = await requireProvider(req);
      const input = jsonBody(req, portalReturnInput());
      return json(201, { return: await portalOpenReturn(await getDb(), providerId, input) });
    },
  },
  [getDb],
);
