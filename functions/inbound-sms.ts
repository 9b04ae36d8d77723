import { z } from 'zod';
import { getDb } from '../lib/db/client';
import { requireSmsToken } from '../lib/http/auth';
import { formFields, hasNoNul, parseWith, stripNul } from '../lib/http/body';
import { httpHandler } from '../lib/http/handler';
import { json } from '../lib/http/response';
import { handleInboundSms } from '../lib/unlock/handle-reply';

const id = z
  .union([z.string().trim().min(1).max(64), z.number().int().nonnegative()])
  .transform(String)
  .refine(hasNoNul, 'must not contain NUL characters');
const inbound = z.object({
  id,
  sender: z
    .union([z.string(), z.number()])
    .transform(String)
    .pipe(z.string().regex(/^\+?\d{7,15}$/, 'must be a phone number in digits')),
  receiver: z.union([z.string(), z.number()]).transform(String).transform(stripNul).optional(),
  text: z.string().max(2000).default('').transform(stripNul),
  messageTime: z.string().max(64).transform(stripNul).optional(),
});

/** TextMagic's inbound SMS callback; 200 for anything accepted, each TextMagic id handled once. */
export const handler = httpHandler(async (req) => {
  requireSmsToken(req);
  const sms = parseWith(inbound, await formFields(req));
  const outcome = await handleInboundSms(await getDb(), sms);
  return json(200, { status: 'accepted', outcome });
});
