import { getDb } from '../lib/db/client';
import { notFound } from '../lib/errors';
import { requireAdmin } from '../lib/http/auth';
import { jsonBody } from '../lib/http/body';
import { uuidParam } from '../lib/http/fields';
import { httpFunction } from '../lib/http/handler';
import { json } from '../lib/http/response';
import { closeLead } from '../lib/leads/close-lead';
import { offerLeadInput } from '../lib/leads/lead-input';
import { offerLead } from '../lib/leads/offer-lead';
import type { HttpRequest } from '../lib/http/request';

/** The lead's `{id}` (a 404 for one that is not a UUID). */
function leadId(req: HttpRequest): string {
  const id = uuidParam().safeParse(req.pathParams.id);
  if (!id.success) throw notFound('No lead with this id');
  return id.data;
}

/**
 * Admin: what an operator does to a lead: close it (its open Checkout Sessions expired at
 * Stripe), offer it to a provider they name (the teaser by TextMagic). A function of its own, so
 * that the lead list and view (functions/lead.ts) load neither Stripe nor the SMS sender.
 */
export const handler = await httpFunction(
  'leadActions',
  {
    'POST /leads/{id}/close': async (req) => {
      await requireAdmin(req);
      return json(200, { lead: await closeLead(await getDb(), leadId(req)) });
    },
    'POST /leads/{id}/offers': async (req) => {
      await requireAdmin(req);
      const id = leadId(req);
      const { providerId } = jsonBody(req, offerLeadInput());
      return json(201, await offerLead(await getDb(), id, providerId));
    },
  },
  [getDb],
);
