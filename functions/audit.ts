import { listAudit, auditQuery } from '../lib/audit/audit-list';
import { getDb } from '../lib/db/client';
import { requireAdmin } from '../lib/http/auth';
import { parseWith } from '../lib/http/body';
import { httpFunction } from '../lib/http/handler';
import { json } from '../lib/http/response';

/** Admin: the audit trail (lib/audit/, docs/audit.md), for an owner or the admin key. */
export const handler = await httpFunction(
  'audit',
  {
    'GET /audit': async (req) => {
      await requireAdmin(req, 'owner');
      return json(200, await listAudit(await getDb(), parseWith(auditQuery(), req.query)));
    },
  },
  [getDb],
);
