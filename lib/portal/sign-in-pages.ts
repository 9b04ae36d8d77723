/**
 * The provider portal's sign-in pages, rendered on the server (`/portal/s/<token>`, and the page
 * after signing out): no script at all, the styles one `<style>` element allowed by its hash (no
 * 'unsafe-inline'), mobile first. Pure: the handler says which page, in which language.
 */
import { createHash } from 'node:crypto';
import { escapeHtml as esc, type HttpResponse } from '../http/response';
import { DEFAULT_LANGUAGE, LANGUAGES, languageModule } from '../sms/language';
import type { PortalPagesText } from '../sms/languages/language-module';

/** A link that starts no session: opened already, out of time (or its provider paused), or not ours. */
export type LinkPage = 'used' | 'expired' | 'unknown';

const CSS = `*{box-sizing:border-box}body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;padding:1.25rem;line-height:1.5;color:#1a1a1a;background:#fff}main{max-width:30rem;margin:2rem auto}h1{font-size:1.5rem;margin:0 0 .75rem}p{margin:0 0 1rem}button{font:inherit;font-weight:600;padding:.875rem 1.5rem;border:0;border-radius:.375rem;background:#1d4ed8;color:#fff;cursor:pointer;width:100%;min-height:3rem}button:hover{background:#1e40af}button:focus{outline:3px solid #1d4ed8;outline-offset:2px}.new{font-weight:600}@media (min-width:40rem){button{width:auto}}`;

const STYLE_HASH = `'sha256-${createHash('sha256').update(CSS).digest('base64')}'`;

/**
 * No script, this style only, forms posting only to ourselves, never framed. The referrer goes to
 * our own origin only: the page's address holds the link's token, and a form posted from a page
 * under `no-referrer` carries `Origin: null` (Fetch: "append a request `Origin` header"), which
 * the own-origin check must refuse.
 */
export function portalPageHeaders(local: boolean): Record<string, string> {
  return {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': `default-src 'none'; style-src ${STYLE_HASH}; img-src 'none'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'same-origin',
    'x-robots-tag': 'noindex',
    ...(local ? {} : { 'strict-transport-security': 'max-age=31536000; includeSubDomains' }),
  };
}

const render = (status: number, lang: string, title: string, body: string, local: boolean): HttpResponse => ({
  statusCode: status,
  headers: portalPageHeaders(local),
  body: `<!doctype html><html lang="${esc(lang)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${esc(title)}</title><style>${CSS}</style></head><body><main><h1>${esc(title)}</h1>${body}</main></body></html>`,
});

const text = (lang: string): PortalPagesText => languageModule(lang).portalPages;

/**
 * The page a link opens: one button that posts to the page's own address (no `action`), so that
 * only a person's press uses the link, never a previewer's GET.
 */
export function signInPage(lang: string, local: boolean): HttpResponse {
  const t = text(lang).signIn;
  return render(
    200,
    lang,
    t.title,
    `<p>${esc(t.message)}</p><form method="post"><button type="submit">${esc(t.button)}</button></form>`,
    local,
  );
}

const STATUS: Record<LinkPage, number> = { used: 410, expired: 410, unknown: 404 };

/**
 * A link that starts no session, and how to get a new one (to `ourNumber` when configured): in
 * the provider's language when the link is theirs, else in the default one with every other
 * language's line on how to get a new link.
 */
export function linkRefusedPage(
  page: LinkPage,
  lang: string | undefined,
  ourNumber: string | undefined,
  local: boolean,
): HttpResponse {
  const shown = lang ?? DEFAULT_LANGUAGE;
  const t = text(shown);
  const others = lang ? [] : LANGUAGES.filter((l) => l.code !== shown);
  const lines = [
    `<p class="new">${esc(t.newLink(ourNumber))}</p>`,
    ...others.map((l) => `<p class="new" lang="${esc(l.code)}">${esc(l.portalPages.newLink(ourNumber))}</p>`),
  ];
  return render(STATUS[page], shown, t[page].title, `<p>${esc(t[page].message)}</p>${lines.join('')}`, local);
}

/** After signing out, and how to sign in again. */
export function signedOutPage(lang: string, ourNumber: string | undefined, local: boolean): HttpResponse {
  const shown = languageModule(lang).code;
  const t = text(shown);
  return render(
    200,
    shown,
    t.signedOut.title,
    `<p>${esc(t.signedOut.message)}</p><p class="new">${esc(t.newLink(ourNumber))}</p>`,
    local,
  );
}
