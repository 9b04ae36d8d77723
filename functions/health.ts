import { config } from '../lib/config';
import { httpHandler } from '../lib/http/handler';
import { json } from '../lib/http/response';
import { health } from '../lib/health';
import { getPool } from '../lib/db/pool';
import { initClients } from '../lib/init-clients';

// Configuration and pool built in Lambda's init phase (lib/init-clients.ts).
await initClients(config, getPool);

export const handler = httpHandler(async () => {
  const report = await health();
  return json(report.status === 'ok' ? 200 : 503, report);
});
