import { config } from '../lib/config';
import * as z from 'zod/mini';
import { getDb } from '../lib/db/client';
import { requireSmsToken } from '../lib/http/auth';
import { formFields, hasNoNul, parseWith, stripNul } from '../lib/http/body';
import { httpHandler } from '../lib/http/handler';
import { json } from '../lib/http/response';
import { handleInboundSms } from '../lib/unlock/handle-reply';
import { initClients } from '../lib/init-clients';

// Configuration, pool and query builder built in Lambda's init phase (lib/init-clients.ts).
await initClients(config, getDb);

const id = z.pipe(
  z.union([z.string().check(z.trim(), z.minLength(1), z.maxLength(64)), z.int().check(z.nonnegative())]),
  z.transform(String).check(z.refine(hasNoNul, 'must not contain NUL characters')),
);
const digits = z.pipe(z.union([z.string(), z.number()]), z.transform(String));
const inbound = z.object({
  id,
  sender: z.pipe(digits, z.string().check(z.regex(/^\+?\d{7,15}$/, 'must be a phone number in digits'))),
  receiver: z.optional(z.pipe(digits, z.transform(stripNul))),
  text: z.pipe(z._default(z.string().check(z.maxLength(2000)), ''), z.transform(stripNul)),
  messageTime: z.optional(z.pipe(z.string().check(z.maxLength(64)), z.transform(stripNul))),
});

/** TextMagic's inbound SMS callback; 200 for anything accepted, each TextMagic id handled once. */
export const handler = httpHandler(async (req) => {
  requireSmsToken(req);
  const sms = parseWith(inbound, await formFields(req));
  const outcome = await handleInboundSms(await getDb(), sms);
  return json(200, { status: 'accepted', outcome });
});
