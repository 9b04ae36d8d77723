import { config } from '../lib/config';
import * as z from 'zod/mini';
import { getDb } from '../lib/db/client';
import { requireSmsToken } from '../lib/http/auth';
import { formFields, hasNoNul, parseWith, stripNulDeep } from '../lib/http/body';
import { httpHandler } from '../lib/http/handler';
import { json } from '../lib/http/response';
import { recordDeliveryReport } from '../lib/unlock/delivery-report';
import { initClients } from '../lib/init-clients';

// Configuration, pool and query builder built in Lambda's init phase (lib/init-clients.ts).
await initClients(config, getDb);

const idLike = z.pipe(
  z.union([z.string().check(z.trim(), z.minLength(1), z.maxLength(64)), z.int().check(z.nonnegative())]),
  z.transform(String).check(z.refine(hasNoNul, 'must not contain NUL characters')),
);
const report = z.object({
  id: idLike,
  status: z
    .string()
    .check(z.trim(), z.minLength(1), z.maxLength(8), z.refine(hasNoNul, 'must not contain NUL characters')),
  receiver: z.optional(z.pipe(z.union([z.string(), z.number()]), z.transform(String))),
  sessionId: z.optional(idLike),
});

/** TextMagic's delivery report callback: the message's status is recorded on it. */
export const handler = httpHandler(async (req) => {
  requireSmsToken(req);
  const fields = await formFields(req);
  const parsed = parseWith(report, fields);
  // Kept as sent for the operator, less what jsonb cannot store.
  const payload = stripNulDeep(fields) as Record<string, unknown>;
  const matched = await recordDeliveryReport(await getDb(), { ...parsed, payload });
  return json(200, { status: 'recorded', matched });
});
