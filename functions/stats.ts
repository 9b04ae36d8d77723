import { getDb } from '../lib/db/client';
import { auditQuery, listAudit } from '../lib/audit/audit-list';
import { forbidden } from '../lib/errors';
import { stats } from '../lib/reports/stats';
import { requireAdmin } from '../lib/http/auth';
import { parseWith } from '../lib/http/body';
import { httpFunction } from '../lib/http/handler';
import { json } from '../lib/http/response';
import { statsQuery } from '../lib/reports/stats-query';

/**
 * Admin reports: `GET /stats?from=&to=&groupBy=day|category`, the funnel per group and in total;
 * `GET /audit`, the audit trail (lib/audit/, docs/audit.md), for an owner or the admin key.
 */
export const handler = await httpFunction(
  'stats',
  {
    'GET /stats': async (req) => {
      await requireAdmin(req);
      return json(200, await stats(await getDb(), parseWith(statsQuery(), req.query)));
    },
    'GET /audit': async (req) => {
      const caller = await requireAdmin(req);
      if (caller.role !== 'owner') throw forbidden('The audit trail is for an owner or the admin key');
      return json(200, await listAudit(await getDb(), parseWith(auditQuery(), req.query)));
    },
  },
  [getDb],
);
