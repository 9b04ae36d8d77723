/**
 * The fake Stripe's hosted checkout page (`GET /pay/<session>`), as a provider sees it on a
 * phone under the local sandbox: who is paid, for what, how much, and a Pay button (a plain
 * form POST: no script at all). Everything shown is HTML-escaped.
 */
export type CheckoutView = {
  id: string;
  status: 'open' | 'complete' | 'expired';
  productName: string;
  amount: string;
  successUrl: string | null;
  cancelUrl: string | null;
};

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/** Only http(s) links are shown as links (a `javascript:` URL never is). */
const safeHref = (url: string | null): string | undefined => {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
};

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f6f8fa;color:#1a1f36}
.bar{background:#fff3c4;color:#5c4400;font-size:13px;text-align:center;padding:6px 12px}
main{max-width:420px;margin:0 auto;padding:24px 16px}
.merchant{font-weight:600;color:#425466;margin:0 0 16px}
.card{background:#fff;border-radius:12px;box-shadow:0 1px 3px rgba(0,0,0,.12);padding:20px}
.label{color:#697386;font-size:14px;margin:0}
.product{font-size:17px;margin:4px 0 16px;overflow-wrap:anywhere}
.amount{font-size:32px;font-weight:700;margin:0 0 20px}
button{width:100%;border:0;border-radius:8px;background:#635bff;color:#fff;font-size:17px;font-weight:600;padding:14px;cursor:pointer}
button:focus-visible{outline:3px solid #a5a1ff;outline-offset:2px}
.muted{color:#697386;font-size:13px;margin:16px 0 0;text-align:center}
a{color:#635bff}
.state{font-size:18px;font-weight:600;margin:0 0 8px}
`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<div class="bar">Test mode: the local Stripe stand-in. No real card is charged.</div>
<main>
<p class="merchant">Lead Unlock</p>
${body}
</main>
</body>
</html>
`;
}

export function checkoutPage(s: CheckoutView): string {
  const summary = `<p class="label">You are buying</p>
<p class="product">${escapeHtml(s.productName)}</p>
<p class="label">Total</p>
<p class="amount">${escapeHtml(s.amount)}</p>`;
  if (s.status === 'open') {
    const cancel = safeHref(s.cancelUrl);
    return page(
      `Pay ${s.amount}`,
      `<div class="card">
${summary}
<form method="post" action="/pay/${encodeURIComponent(s.id)}">
<button type="submit">Pay ${escapeHtml(s.amount)}</button>
</form>
</div>
${cancel ? `<p class="muted"><a href="${escapeHtml(cancel)}">Cancel and go back</a></p>` : ''}`,
    );
  }
  const next = s.status === 'complete' ? safeHref(s.successUrl) : undefined;
  const state = s.status === 'complete' ? 'This payment is complete.' : 'This checkout has expired.';
  return page(
    state,
    `<div class="card">
<p class="state">${escapeHtml(state)}</p>
${summary}
${next ? `<p><a href="${escapeHtml(next)}">Continue</a></p>` : ''}
</div>`,
  );
}

export function unknownCheckoutPage(): string {
  return page(
    'Checkout not found',
    `<div class="card">
<p class="state">This checkout is not known here.</p>
<p>The local Stripe stand-in keeps its sessions in memory and starts empty each time
<code>npm start</code> does: open the pay link from the SMS again for a new one.</p>
</div>`,
  );
}

export function paymentFailedPage(message: string): string {
  return page(
    'Payment not delivered',
    `<div class="card">
<p class="state">The payment went through, but the webhook did not reach the API.</p>
<p>${escapeHtml(message)}</p>
</div>`,
  );
}
