import { getDb } from '../lib/db/client';
import { auditQuery, listAudit } from '../lib/audit/audit-list';
import { stats } from '../lib/reports/stats';
import { requireAdmin } from '../lib/http/auth';
import { parseWith } from '../lib/http/body';
import { httpFunction } from '../lib/http/handler';
import { download, json } from '../lib/http/response';
import { exportQuery, statsQuery } from '../lib/reports/stats-query';
import { EXPORT_KINDS, exportCsv, type ExportKind } from '../lib/reports/exports';
import { notFound } from '../lib/errors';
import { log } from '../lib/log';

/**
 * Admin: `GET /stats?from=&to=&groupBy=…`, the funnel per group and in total; `GET /exports/{kind}`,
 * a range's leads, purchases or refunds as CSV (the leads' with client contact: never logged);
 * `GET /audit`, the audit trail (lib/audit/, docs/audit.md), for an owner or the admin key.
 */
export const handler = await httpFunction(
  'stats',
  {
    'GET /stats': async (req) => {
      await requireAdmin(req, 'read');
      return json(200, await stats(await getDb(), parseWith(statsQuery(), req.query)));
    },
    'GET /exports/{kind}': async (req) => {
      await requireAdmin(req, 'read');
      const kind = EXPORT_KINDS.find((k) => k === req.pathParams.kind);
      if (!kind) throw notFound(`No such export: there are ${EXPORT_KINDS.join(', ')}`);
      const file = await exportCsv(
        await getDb(),
        kind satisfies ExportKind,
        parseWith(exportQuery(), req.query),
      );
      // Ids and counts only: the file holds client data.
      log.info('export', { kind, rows: file.rows });
      return download('text/csv; charset=utf-8', file.name, file.csv);
    },
    'GET /audit': async (req) => {
      await requireAdmin(req, 'owner');
      return json(200, await listAudit(await getDb(), parseWith(auditQuery(), req.query)));
    },
  },
  [getDb],
);
