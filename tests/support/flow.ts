import { handler as categories } from '../../functions/categories';
import { handler as createLead } from '../../functions/create-lead';
import { handler as inboundSms } from '../../functions/inbound-sms';
import { handler as leadRoute } from '../../functions/lead';
import { handler as payLink } from '../../functions/pay-link';
import { handler as providers } from '../../functions/providers';
import { handler as smsStatus } from '../../functions/sms-status';
import { handler as stripeWebhook } from '../../functions/stripe-webhook';
import { KEYS, phoneNumber, tmDigits } from './app';
import { encodeFields, invoke, type Reply } from '../../emulators/events';

let inboundIds = 0;

/** Drives the handlers the way API Gateway, TextMagic and Stripe would. */
export const api = {
  async addProvider(overrides: Record<string, unknown> = {}): Promise<{ id: string; phone: string }> {
    const res = await invoke(providers, {
      method: 'POST',
      path: '/providers',
      headers: { authorization: `Bearer ${KEYS.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Pat Plumber',
        phone: phoneNumber(),
        categories: ['plumbing'],
        zipCodes: ['78701'],
        ...overrides,
      }),
    });
    if (res.status !== 201) throw new Error(`addProvider: ${res.status} ${res.text}`);
    return res.json;
  },

  /** `PATCH /providers/{id}` with the admin key and a JSON body. */
  patchProvider(id: string, body: unknown): Promise<Reply> {
    return invoke(providers, {
      method: 'PATCH',
      path: `/providers/${id}`,
      pathParams: { id },
      headers: { authorization: `Bearer ${KEYS.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  },

  /** `GET /providers/{id}` with the admin key. */
  getProvider(id: string): Promise<Reply> {
    return invoke(providers, {
      method: 'GET',
      path: `/providers/${id}`,
      pathParams: { id },
      headers: { authorization: `Bearer ${KEYS.admin}` },
    });
  },

  /** The catalogue's routes with the admin key: `GET /categories`, `POST /categories`, `PATCH /categories/{slug}`. */
  categories(method: 'GET' | 'POST' | 'PATCH', body?: unknown, slug?: string): Promise<Reply> {
    return invoke(categories, {
      method,
      path: slug === undefined ? '/categories' : `/categories/${encodeURIComponent(slug)}`,
      ...(slug !== undefined && { pathParams: { slug } }),
      headers: { authorization: `Bearer ${KEYS.admin}`, 'content-type': 'application/json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
  },

  postLead(body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Reply> {
    return invoke(createLead, {
      method: 'POST',
      path: '/leads',
      headers: { 'x-api-key': KEYS.lead, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  },

  getLead(id: string): Promise<Reply> {
    return invoke(leadRoute, {
      method: 'GET',
      path: `/leads/${id}`,
      pathParams: { id },
      headers: { authorization: `Bearer ${KEYS.admin}` },
    });
  },

  /** An inbound SMS as TextMagic posts it (form-encoded by default, digits without `+`). */
  reply(
    phone: string,
    text: string,
    opts: { id?: string; as?: 'json' | 'form' | 'multipart'; version?: 'v1' | 'v2' } = {},
  ): Promise<Reply> {
    const fields = {
      id: opts.id ?? String(Date.now() * 1000 + ++inboundIds),
      sender: tmDigits(phone),
      receiver: '15125550000',
      messageTime: new Date().toISOString(),
      text,
    };
    return api.inbound(fields, opts);
  },

  /** Raw fields posted to the inbound route as TextMagic would (form-encoded by default). */
  inbound(
    fields: Record<string, unknown>,
    opts: { as?: 'json' | 'form' | 'multipart'; version?: 'v1' | 'v2' } = {},
  ): Promise<Reply> {
    const { body, contentType } = encodeFields(fields, opts.as ?? 'form');
    return invoke(inboundSms, {
      method: 'POST',
      path: '/sms/inbound',
      query: { token: KEYS.sms },
      headers: { 'content-type': contentType },
      body,
      version: opts.version,
    });
  },

  /** A delivery report as TextMagic posts it (form-encoded by default); `token: null` sends none. */
  deliveryReport(
    fields: Record<string, unknown>,
    opts: { as?: 'json' | 'form'; token?: string | null; version?: 'v1' | 'v2' } = {},
  ): Promise<Reply> {
    const { body, contentType } = encodeFields(fields, opts.as ?? 'form');
    const token = opts.token === undefined ? KEYS.sms : opts.token;
    return invoke(smsStatus, {
      method: 'POST',
      path: '/sms/status',
      query: token === null ? undefined : { token },
      headers: { 'content-type': contentType },
      body,
      version: opts.version,
    });
  },

  openPayLink(token: string): Promise<Reply> {
    return invoke(payLink, { method: 'GET', path: `/p/${token}`, pathParams: { token } });
  },

  /** Posts a Stripe event with the given signature header over the exact payload bytes. */
  webhook(payload: string, signature: string | undefined, version: 'v1' | 'v2' = 'v1'): Promise<Reply> {
    return invoke(stripeWebhook, {
      method: 'POST',
      path: '/stripe/webhook',
      headers: {
        'content-type': 'application/json',
        ...(signature === undefined ? {} : { 'stripe-signature': signature }),
      },
      body: payload,
      version,
    });
  },
};

/** The token at the end of a pay link in an SMS body. */
export function linkToken(body: string): string {
  const match = /\/p\/([A-Za-z0-9_-]+)/.exec(body);
  if (!match) throw new Error(`no pay link in: ${body}`);
  return match[1]!;
}

export { lead } from '../../emulators/lead-body';
