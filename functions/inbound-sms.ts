import { getDb } from '../lib/db/client';
import { requireSmsToken } from '../lib/http/auth';
import { formFields, parseWith } from '../lib/http/body';
import { httpFunction } from '../lib/http/handler';
import { json } from '../lib/http/response';
import { handleInboundSms } from '../lib/messaging/handle-reply';
import { inboundSmsInput } from '../lib/messaging/sms-input';

/** TextMagic's inbound SMS callback; 200 for anything accepted, each TextMagic id handled once. */
export const handler = await httpFunction(
  'inboundSms',
  {
    'POST /sms/inbound': async (req) => {
      requireSmsToken(req);
      const sms = parseWith(inboundSmsInput(), await formFields(req));
      const outcome = await handleInboundSms(await getDb(), sms);
      return json(200, { status: 'accepted', outcome });
    },
  },
  [getDb],
);
