import type { AppError } from '../errors';

export type HttpResponse = {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
};

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

/** For pages a provider's phone opens: no caching, no framing, no sniffing, no scripts. */
const HTML_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
};

/** The operator console's policy: its own scripts, styles and API only; never framed. */
export const CONSOLE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";

/**
 * On every response of the console function (its pages, assets, sign-in and errors alike).
 * HSTS only where the console is served over https (not under serverless-offline).
 */
export function consoleHeaders(local: boolean): Record<string, string> {
  return {
    'content-security-policy': CONSOLE_CSP,
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
    ...(local ? {} : { 'strict-transport-security': 'max-age=31536000; includeSubDomains' }),
  };
}

/** The console's page: never cached (a new deploy names new assets). */
export const consolePage = (html: string): HttpResponse => ({
  statusCode: 200,
  headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
  body: html,
});

/** A hashed asset: its name changes with its content, so it is cached for a year. */
export const immutableAsset = (contentType: string, body: string): HttpResponse => ({
  statusCode: 200,
  headers: { 'content-type': contentType, 'cache-control': 'public, max-age=31536000, immutable' },
  body,
});

export const json = (statusCode: number, body: unknown): HttpResponse => ({
  statusCode,
  headers: { ...JSON_HEADERS },
  body: JSON.stringify(body),
});

export const errorResponse = (err: AppError): HttpResponse =>
  json(err.status, {
    error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) },
  });

export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A small self-contained page; `title` and `message` are plain text, in language `lang`. */
export const page = (statusCode: number, title: string, message: string, lang = 'en'): HttpResponse => ({
  statusCode,
  headers: { ...HTML_HEADERS },
  body: `<!doctype html><html lang="${escapeHtml(lang)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;line-height:1.5}</style></head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></body></html>`,
});

export const redirect = (location: string): HttpResponse => ({
  statusCode: 303,
  headers: { location, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' },
  body: '',
});

/** A file to download (`name`, ASCII), never cached or sniffed as another type. */
export const download = (contentType: string, name: string, body: string): HttpResponse => ({
  statusCode: 200,
  headers: {
    'content-type': contentType,
    'content-disposition': `attachment; filename="${name}"`,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  },
  body,
});
