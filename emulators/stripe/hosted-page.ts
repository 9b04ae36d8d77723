/**
 * The fake's hosted "checkout page" (`/pay/<session>`); its Pay button completes the session and,
 * when a webhook URL is set, delivers the signed event there, then follows success_url.
 */
import type http from 'node:http';
import { displayAmount } from './amounts';
import { checkoutPage, paymentFailedPage, unknownCheckoutPage } from './checkout-page';
import { complete } from './checkout-payment';
import { post, sign } from './events';
import type { StripeState } from './state';

export const isPayPage = (method: string, path: string) =>
  (method === 'GET' || method === 'POST') && path.startsWith('/pay/');

export function servePayPage(state: StripeState, req: http.IncomingMessage, res: http.ServerResponse): void {
  const path = (req.url ?? '/').split('?', 2)[0]!;
  let id = '';
  try {
    id = decodeURIComponent(path.slice(5));
  } catch {
    // malformed percent-encoding: no such session
  }
  const s = state.sessions.get(id);
  const html = (status: number, body: string, extra: Record<string, string> = {}) => {
    res.writeHead(status, {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Content-Security-Policy':
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' http: https:",
      'X-Content-Type-Options': 'nosniff',
      ...extra,
    });
    res.end(body);
  };
  if (req.method === 'POST' && s?.status === 'open') {
    void payAndDeliver(state, s.id).then(
      (delivered) => {
        res.writeHead(303, { Location: s.success_url ?? `/pay/${s.id}`, 'X-Webhook-Status': delivered });
        res.end();
      },
      (err: Error) => html(502, paymentFailedPage(`webhook delivery failed: ${err.message}`)),
    );
    return;
  }
  if (!s) return html(404, unknownCheckoutPage());
  return html(
    200,
    checkoutPage({
      id: s.id,
      status: s.status,
      productName:
        s.mode === 'setup'
          ? 'Save a card for later payments'
          : s.lineItems.map((l) => (l.quantity > 1 ? `${l.quantity} × ${l.name}` : l.name)).join(', '),
      amount: s.amount_total === null ? '' : displayAmount(s.amount_total, s.currency!),
      successUrl: s.success_url,
      cancelUrl: s.cancel_url,
    }),
  );
}

/** Completes an open session and posts the signed event to `webhookUrl`; returns its status. */
async function payAndDeliver(state: StripeState, id: string): Promise<string> {
  const event = complete(state, id);
  if (!state.webhookUrl) return 'not_delivered';
  const res = await post(state.webhookUrl, sign(state, event));
  return String(res.status);
}
