import { getPool } from '../lib/db/pool';
import { health } from '../lib/health';
import { httpFunction } from '../lib/http/handler';
import { json } from '../lib/http/response';

export const handler = await httpFunction(
  'health',
  {
    'GET /health': async () => {
      const report = await health();
      return json(report.status === 'ok' ? 200 : 503, report);
    },
  },
  [getPool],
);
