/**
 * Runs one Lambda handler in a process of its own, for the crash tests: reads
 * `{"handler": "<functions/ file name>", "event": {…}}` on stdin, prints the response on stdout.
 */
import type { Context } from 'aws-lambda';

type Input = { handler: string; event: unknown };

const chunks: Buffer[] = [];
for await (const c of process.stdin) chunks.push(c as Buffer);
const input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Input;
if (!/^[a-z-]+$/.test(input.handler)) throw new Error(`bad handler name: ${input.handler}`);
const mod = (await import(`../../functions/${input.handler}.ts`)) as {
  handler: (event: unknown, context: Context) => Promise<unknown>;
};
const result = await mod.handler(input.event, {} as Context);
process.stdout.write(JSON.stringify(result));
const { closeDb } = await import('../../lib/db/client');
await closeDb();
