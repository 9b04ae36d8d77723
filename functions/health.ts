import { httpHandler } from '../lib/http/handler';
import { json } from '../lib/http/response';
import { health } from '../lib/health';

export const handler = httpHandler(async () => {
  const report = await health();
  return json(report.status === 'ok' ? 200 : 503, report);
});
