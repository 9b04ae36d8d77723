import { config } from '../lib/config';
import { getDb } from '../lib/db/client';
import { AppError, notFound } from '../lib/errors';
import { providerDetail } from '../lib/providers/provider-detail';
import { providerThread } from '../lib/messaging/provider-thread';
import { createProvider, listProviders, updateProvider } from '../lib/providers/providers';
import { requireAdmin } from '../lib/http/auth';
import { jsonBody } from '../lib/http/body';
import { httpFunction } from '../lib/http/handler';
import { json } from '../lib/http/response';
import { lazy } from '../lib/lazy';
import { parseWith } from '../lib/http/body';
import { providerInput, providerPatch, providerThreadQuery } from '../lib/providers/provider-input';
import { uuidParam } from '../lib/http/fields';

const schema = lazy(() => providerInput(config().defaultCountry));

/**
 * Admin: `POST /providers`, `GET /providers`, `GET /providers/{id}`, `PATCH /providers/{id}`,
 * `GET /providers/{id}/sms` (their SMS conversation).
 */
export const handler = await httpFunction(
  async (req) => {
    await requireAdmin(req);
    const db = await getDb();
    if (req.method === 'GET' && req.pathParams.id !== undefined) {
      const id = uuidParam().safeParse(req.pathParams.id);
      if (!id.success) throw notFound('No provider with this id');
      if (req.path.replace(/\/+$/, '').endsWith('/sms')) {
        return json(200, await providerThread(db, id.data, parseWith(providerThreadQuery(), req.query)));
      }
      return json(200, await providerDetail(db, id.data));
    }
    if (req.method === 'GET') return json(200, { providers: await listProviders(db) });
    if (req.method === 'POST') return json(201, await createProvider(db, jsonBody(req, schema())));
    if (req.method === 'PATCH') {
      const id = uuidParam().safeParse(req.pathParams.id);
      if (!id.success) throw notFound('No provider with this id');
      return json(200, await updateProvider(db, id.data, jsonBody(req, providerPatch())));
    }
    throw new AppError(405, 'method_not_allowed', `${req.method} is not supported here`);
  },
  [getDb],
);
