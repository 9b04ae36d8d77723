/**
 * The provider portal's pages (issue 24): the SPA's shell for every page path under /portal, and
 * its hashed assets. Only lib/portal/sign-in.ts's routes (function portalPages) import this, and
 * with it the built SPA; the JSON it calls is functions portal and portalAccount's.
 */
import { assets, indexHtml } from 'portal-assets';
import { notFound } from '../errors';
import type { HttpRequest } from '../http/request';
import { consoleHeaders, consolePage, escapeHtml, immutableAsset, type HttpResponse } from '../http/response';

const ASSETS = '/portal/assets/';
const API = '/portal/api';

/**
 * The console's policy (its own scripts, styles and API only, no inline script, never framed),
 * but the referrer kept on our own origin: Sign out is a form POST, and a form posted from a page
 * under `no-referrer` carries `Origin: null`, which the own-origin check refuses
 * (lib/portal/sign-in-pages.ts portalPageHeaders says the same of the link's page).
 */
export const portalAppHeaders = (local: boolean): Record<string, string> => ({
  ...consoleHeaders(local),
  'referrer-policy': 'same-origin',
});

/**
 * The shell, naming our SMS number (when we have one) for the page a signed-out visitor gets:
 * "Text ACCOUNT to <number>". A `<meta>`, not a script: the CSP allows no inline script.
 */
const shell = (ourNumber: string | undefined): string =>
  ourNumber === undefined
    ? indexHtml
    : indexHtml.replace('</head>', `<meta name="lu-sms-number" content="${escapeHtml(ourNumber)}">\n</head>`);

/**
 * `GET /portal`, `GET /portal/{proxy+}`: an asset by its hashed name, else the shell for a page.
 * An unknown JSON route under /portal/api is a JSON 404, not a page.
 */
export function servePortal(req: HttpRequest, ourNumber: string | undefined, local: boolean): HttpResponse {
  const path = req.path.replace(/\/+$/, '');
  const headers = portalAppHeaders(local);
  if (path === API || path.startsWith(`${API}/`)) throw notFound('No such portal route');
  if (path.startsWith(ASSETS) || path === ASSETS.slice(0, -1)) {
    const name = path.slice(ASSETS.length);
    const asset = Object.hasOwn(assets, name) ? assets[name] : undefined;
    if (!asset) throw notFound('No such portal asset');
    const res = immutableAsset(asset.contentType, asset.body);
    return { ...res, headers: { ...res.headers, ...headers } };
  }
  const res = consolePage(shell(ourNumber));
  return { ...res, headers: { ...res.headers, ...headers } };
}
