import { config } from '../lib/config';
import { getDb } from '../lib/db/client';
import { isConnectionError } from '../lib/db/pool';
import { AppError } from '../lib/errors';
import { audited } from '../lib/audit/audited';
import { requireAdmin } from '../lib/http/auth';
import { formFields, jsonBody } from '../lib/http/body';
import { httpFunction } from '../lib/http/handler';
import type { HttpRequest } from '../lib/http/request';
import { json, type HttpResponse } from '../lib/http/response';
import { blockedCounts } from '../lib/intake/form-guard';
import { formLanguage, unavailablePage } from '../lib/intake/form-page';
import { getForm, postForm } from '../lib/intake/hosted-form';
import { intakePost } from '../lib/intake/intake-post';
import { authorisedSource, listSources, putSource, SOURCE_NAME, sourceInput } from '../lib/intake/sources';
import { badRequest } from '../lib/errors';

/** The form's pages answer a page, not JSON, when the database is down. */
async function page(req: HttpRequest, serve: (req: HttpRequest) => Promise<HttpResponse>) {
  try {
    return await serve(req);
  } catch (err) {
    if (!isConnectionError(err) && !(err instanceof AppError && err.status === 503)) throw err;
    const cfg = config();
    return unavailablePage(503, formLanguage(req.query.lang), cfg.local, cfg.formFrameAncestors);
  }
}

/** The hosted inquiry form, form tools' posts, and their mappings (lib/intake/). */
export const handler = await httpFunction(
  'intake',
  {
    'GET /request': (req) => page(req, async (r) => getForm(await getDb(), r)),
    'POST /request': (req) => page(req, async (r) => postForm(await getDb(), r)),
    'POST /intake/{source}': async (req) => {
      const db = await getDb();
      const source = await authorisedSource(db, req.pathParams.source, req.query.token);
      const lead = await intakePost(db, source, await formFields(req), req.rawBody);
      return json(lead.created ? 201 : 200, {
        status: lead.created ? 'created' : 'duplicate_post',
        id: lead.id,
      });
    },
    'PUT /intake/sources/{source}': audited('intake_source.set', 'owner', async (req) => {
      const source = req.pathParams.source ?? '';
      if (!SOURCE_NAME.test(source)) {
        throw badRequest(
          'invalid_source',
          'A source is 1 to 63 of a-z, 0-9, - and _, starting with a letter or digit',
        );
      }
      const input = jsonBody(req, sourceInput());
      const token = await putSource(await getDb(), source, input);
      const url = `${config().publicBaseUrl}/intake/${source}?token=${token}`;
      return { response: json(200, { source, token, url }) };
    }),
    'GET /intake/sources': async (req) => {
      await requireAdmin(req, 'read');
      const db = await getDb();
      const [sources, formBlocked] = await Promise.all([listSources(db), blockedCounts(db)]);
      return json(200, { sources, formBlocked });
    },
  },
  [getDb],
);
