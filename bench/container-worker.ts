/**
 * One simulated Lambda container for bench/containers.ts, in a worker thread of its own: its own
 * module instances, hence its own configuration and database pool at the default
 * DATABASE_POOL_MAX, serving one request at a time as a container does.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { v1Event } from '../emulators/events';
import { distinctClient, lead } from '../emulators/lead-body';

type Input = { env: Record<string, string>; requests: number; zip: string; id: number };
const input = workerData as Input;
Object.assign(process.env, input.env);
const { handler } = await import('../functions/create-lead');
const { closeDb } = await import('../lib/db/client');

parentPort!.once('message', () => void run());
async function run(): Promise<void> {
  const statuses: number[] = [];
  for (let i = 0; i < input.requests; i++) {
    const event = v1Event({
      method: 'POST',
      path: '/leads',
      headers: {
        'x-api-key': input.env.LEAD_API_KEY!,
        'content-type': 'application/json',
        'idempotency-key': `container-${input.id}-${i}-${Date.now()}`,
      },
      body: JSON.stringify(
        lead({ zipCode: input.zip, description: `Job ${input.id}.${i}`, ...distinctClient() }),
      ),
    });
    const res = (await handler(event)) as { statusCode: number };
    statuses.push(res.statusCode);
  }
  parentPort!.postMessage({ statuses });
  await closeDb();
}
parentPort!.postMessage('ready');
