import { config } from '../lib/config';
import { getDb } from '../lib/db/client';
import { notFound } from '../lib/errors';
import { providerDetail } from '../lib/providers/provider-detail';
import { providerThread } from '../lib/messaging/provider-thread';
import { createProvider, listProviders, updateProvider } from '../lib/providers/providers';
import { audited } from '../lib/audit/audited';
import { requireAdmin } from '../lib/http/auth';
import { jsonBody, parseWith } from '../lib/http/body';
import { httpFunction } from '../lib/http/handler';
import type { HttpRequest } from '../lib/http/request';
import { json } from '../lib/http/response';
import { lazy } from '../lib/lazy';
import { providerInput, providerPatch, providerThreadQuery } from '../lib/providers/provider-input';
import { uuidParam } from '../lib/http/fields';

const schema = lazy(() => providerInput(config().defaultCountry));
const patchSchema = lazy(() => providerPatch(config().defaultCountry));

/** The provider `{id}` names (a 404 for an id that is not a UUID). */
function providerId(req: HttpRequest): string {
  const id = uuidParam().safeParse(req.pathParams.id);
  if (!id.success) throw notFound('No provider with this id');
  return id.data;
}

/** Admin: the providers, one provider's page, and their SMS conversation. */
export const handler = await httpFunction(
  'providers',
  {
    'POST /providers': audited('provider.create', 'change', async (req, caller) => {
      const source = caller.sessionId ? 'console' : 'api';
      const provider = await createProvider(await getDb(), jsonBody(req, schema()), source);
      return { response: json(201, provider), objectId: provider.id };
    }),
    'GET /providers': async (req) => {
      await requireAdmin(req, 'read');
      return json(200, { providers: await listProviders(await getDb()) });
    },
    'GET /providers/{id}': async (req) => {
      await requireAdmin(req, 'read');
      return json(200, await providerDetail(await getDb(), providerId(req)));
    },
    'PATCH /providers/{id}': audited('provider.update', 'change', async (req) => {
      const id = providerId(req);
      return { response: json(200, await updateProvider(await getDb(), id, jsonBody(req, patchSchema()))) };
    }),
    'GET /providers/{id}/sms': async (req) => {
      await requireAdmin(req, 'read');
      const id = providerId(req);
      return json(200, await providerThread(await getDb(), id, parseWith(providerThreadQuery(), req.query)));
    },
  },
  [getDb],
);
