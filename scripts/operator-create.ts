// `npm run operator:create -- --email … --name … --role owner|staff|viewer`: an operator, invited;
// prints the invite link to pass on (no e-mail is sent). With DATABASE_URL: the migrations, then
// straight into that database (a deployed stage's first owner; set PUBLIC_BASE_URL to the
// stage's URL, which the link is under). Without: through `npm start`'s API with its admin key
// (PORT, 3000; OPERATOR_API_URL for another), as `POST /operators`.
import { parseArgs } from 'node:util';
import './load-env';
import { LOCAL_DEV_KEYS } from '../lib/config';
import { closeDb } from '../lib/db/client';
import { runMigrations } from '../lib/db/migrate';
import { parseWith } from '../lib/http/body';
import { newOperatorInput } from '../lib/operators/operator-input';
import { createOperator } from '../lib/operators/operators';

const USAGE = 'usage: npm run operator:create -- --email you@example.com --name "Your Name" --role owner';

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

let input: ReturnType<ReturnType<typeof newOperatorInput>['parse']>;
try {
  const { values } = parseArgs({
    options: {
      email: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string', default: 'owner' },
    },
    strict: true,
  });
  input = parseWith(newOperatorInput(), values);
} catch (e) {
  const details = (e as { details?: Array<{ field: string; message: string }> }).details;
  fail(
    `${details ? details.map((d) => `--${d.field} ${d.message}`).join('\n') : (e as Error).message}\n${USAGE}`,
  );
}

async function direct(url: string): Promise<{ id: string; inviteUrl: string; inviteExpiresAt: string }> {
  if (!process.env.PUBLIC_BASE_URL) {
    console.warn(
      'PUBLIC_BASE_URL is not set: the link is under http://localhost:3000; set it to the stage’s URL.',
    );
  }
  await runMigrations(url);
  try {
    return await createOperator(input);
  } finally {
    await closeDb();
  }
}

async function viaApi(): Promise<{ id: string; inviteUrl: string; inviteExpiresAt: string }> {
  const api = process.env.OPERATOR_API_URL || `http://localhost:${process.env.PORT || 3000}`;
  const key = process.env.ADMIN_API_KEY || LOCAL_DEV_KEYS.adminApiKey;
  let res: Response;
  try {
    res = await fetch(new URL('/operators', api), {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(input),
    });
  } catch {
    fail(`Nothing answers at ${api}: start it with \`npm start\`, or set DATABASE_URL.`);
  }
  const body = (await res.json()) as {
    id: string;
    inviteUrl: string;
    inviteExpiresAt: string;
    error?: { message: string };
  };
  if (res.status !== 201) fail(`POST /operators answered ${res.status}: ${body.error?.message ?? ''}`);
  return body;
}

try {
  const url = process.env.DATABASE_URL;
  const created = url ? await direct(url) : await viaApi();
  console.log(`${input.role} ${input.email} invited (id ${created.id}).`);
  console.log(
    `Open this link to set the password (once, until ${created.inviteExpiresAt}):\n\n  ${created.inviteUrl}\n`,
  );
} catch (e) {
  fail((e as Error).message);
}
