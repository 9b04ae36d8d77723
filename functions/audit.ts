import { listAudit, auditQuery } from '../lib/audit/audit-list';
import { getDb } from '../lib/db/client';
import { forbidden } from '../lib/errors';
import { requireAdmin } from '../lib/http/auth';
import { parseWith } from '../lib/http/body';
import { httpFunction } from '../lib/http/handler';
import { json } from '../lib/http/response';

/** Admin: the audit trail (lib/audit/, docs/audit.md), for an owner or the admin key. */
export const handler = await httpFunction(
  'audit',
  {
    'GET /audit': async (req) => {
      const caller = await requireAdmin(req);
      if (caller.role !== 'owner') throw forbidden('The audit trail is for an owner or the admin key');
      return json(200, await listAudit(await getDb(), parseWith(auditQuery(), req.query)));
    },
  },
  [getDb],
);
