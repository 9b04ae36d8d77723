/**
 * The hosted inquiry form's pages (`GET /request`, and `POST /request`'s answers), rendered on the
 * server: no script at all, the styles one `<style>` element allowed by its hash (no inline style
 * attribute, no 'unsafe-inline'), so that it works with JavaScript off and under a strict CSP.
 * Each field's error sits beside it (aria-describedby) and the first one gets the focus.
 * Pure: the handler gives the state; nothing of a lead (id, code, offers) ever reaches a page.
 */
import { createHash } from 'node:crypto';
import { escapeHtml as esc, type HttpResponse } from '../http/response';
import { DEFAULT_LANGUAGE, LANGUAGES, languageModule } from '../sms/language';
import type { FormField, FormProblem, RequestFormText } from '../sms/languages/language-module';

export type Service = { slug: string; name: string; synonyms?: string[] };

export type FormState = {
  lang: string;
  /** The page's query string without `lang` (prefill, campaign tags): kept in the form's action. */
  query: URLSearchParams;
  values: Partial<Record<FormField, string>>;
  errors: Partial<Record<FormField, string>>;
  problem?: FormProblem;
  stamp: string;
  consent: string;
  services: Service[];
};

/** The honeypot: a field people never see (off-screen, out of the tab order); bots fill it in. */
export const HONEYPOT = 'website';
export const STAMP = 'stamp';

/** The languages the form speaks: those whose module has its wording. */
const FORM_LANGUAGES = LANGUAGES.filter((l) => l.requestForm);

/** `?lang=`'s language if the form speaks it, else the default. */
export function formLanguage(lang: string | undefined): string {
  return FORM_LANGUAGES.some((l) => l.code === lang) ? lang! : DEFAULT_LANGUAGE;
}

export const formText = (lang: string): RequestFormText =>
  languageModule(lang).requestForm ?? languageModule(DEFAULT_LANGUAGE).requestForm!;

const CSS = `*{box-sizing:border-box}body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;padding:1rem;line-height:1.5;color:#1a1a1a;background:#fff}main{max-width:36rem;margin:0 auto}h1{font-size:1.6rem;margin:.5rem 0}.langs{text-align:right;margin:0}.field{margin:0 0 1rem}label{display:block;font-weight:600;margin-bottom:.25rem}.opt{font-weight:400;color:#4a4a4a}input,select,textarea{width:100%;font:inherit;padding:.6rem;border:1px solid #6b6b6b;border-radius:.375rem;background:#fff;color:inherit}textarea{min-height:7rem;resize:vertical}input:focus,select:focus,textarea:focus,button:focus,a:focus,[tabindex]:focus{outline:3px solid #1d4ed8;outline-offset:2px}[aria-invalid=true]{border-color:#b3261e;border-width:2px}.error{color:#b3261e;margin:.25rem 0 0;font-weight:600}.notice{border:2px solid #b3261e;border-radius:.375rem;padding:.75rem;color:#7a1a14;background:#fdf2f1}.consent{font-size:.875rem;color:#333;margin:.5rem 0 1rem}button{font:inherit;font-weight:600;padding:.75rem 1.5rem;border:0;border-radius:.375rem;background:#1d4ed8;color:#fff;cursor:pointer;width:100%}button:hover{background:#1e40af}a{color:#1d4ed8}.hp{position:absolute;left:-10000px;top:auto;width:1px;height:1px;overflow:hidden}@media (min-width:40rem){body{padding:2rem}button{width:auto}}`;

const STYLE_HASH = `'sha256-${createHash('sha256').update(CSS).digest('base64')}'`;

/**
 * The form's security headers: no script, its own style only, posts only to itself, framed only
 * where the operator allows (FORM_FRAME_ANCESTORS; X-Frame-Options only when nowhere).
 */
export function formHeaders(frameAncestors: string, local: boolean): Record<string, string> {
  return {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': `default-src 'none'; style-src ${STYLE_HASH}; img-src 'none'; form-action 'self'; base-uri 'none'; frame-ancestors ${frameAncestors}`,
    ...(frameAncestors === "'none'" ? { 'x-frame-options': 'DENY' } : {}),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    ...(local ? {} : { 'strict-transport-security': 'max-age=31536000; includeSubDomains' }),
  };
}

const shell = (lang: string, title: string, body: string) =>
  `<!doctype html><html lang="${esc(lang)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${esc(title)}</title><style>${CSS}</style></head><body><main>${body}</main></body></html>`;

/** `request?…`: relative, so that it works under a stage prefix and a custom domain alike. */
const formUrl = (query: URLSearchParams, lang: string) => {
  const q = new URLSearchParams(query);
  q.delete('lang');
  if (lang !== DEFAULT_LANGUAGE) q.set('lang', lang);
  const s = q.toString();
  return s ? `request?${s}` : 'request';
};

const FIELDS: FormField[] = ['name', 'phone', 'email', 'category', 'zipCode', 'description'];
const OPTIONAL = new Set<FormField>(['email']);
const ATTRS: Record<FormField, string> = {
  name: 'type="text" autocomplete="name" maxlength="200"',
  phone: 'type="tel" autocomplete="tel" maxlength="40"',
  email: 'type="email" autocomplete="email" maxlength="254"',
  category: '',
  zipCode: 'type="text" autocomplete="postal-code" inputmode="numeric" maxlength="20"',
  description: 'maxlength="2000"',
};

function fieldHtml(state: FormState, t: RequestFormText, field: FormField, focus: boolean): string {
  const id = `f-${field}`;
  const value = state.values[field] ?? '';
  const error = state.errors[field];
  const optional = OPTIONAL.has(field);
  const attrs = [
    `id="${id}"`,
    `name="${field}"`,
    optional ? '' : 'required aria-required="true"',
    error ? `aria-invalid="true" aria-describedby="${id}-error"` : '',
    focus ? 'autofocus' : '',
  ]
    .filter(Boolean)
    .join(' ');
  let control: string;
  if (field === 'category') {
    const options = state.services.map(
      (s) => `<option value="${esc(s.slug)}"${s.slug === value ? ' selected' : ''}>${esc(s.name)}</option>`,
    );
    control = `<select ${attrs}><option value="">${esc(t.chooseService)}</option>${options.join('')}</select>`;
  } else if (field === 'description') {
    control = `<textarea ${attrs} ${ATTRS[field]}>${esc(value)}</textarea>`;
  } else {
    control = `<input ${attrs} ${ATTRS[field]} value="${esc(value)}">`;
  }
  const label = `<label for="${id}">${esc(t.labels[field])}${optional ? ` <span class="opt">${esc(t.optional)}</span>` : ''}</label>`;
  const message = error ? `<p class="error" id="${id}-error">${esc(error)}</p>` : '';
  return `<div class="field">${label}${control}${message}</div>`;
}

/** The form, empty, prefilled, or sent back with its errors. */
export function formPage(
  status: number,
  state: FormState,
  local: boolean,
  frameAncestors: string,
): HttpResponse {
  const t = formText(state.lang);
  const firstError = FIELDS.find((f) => state.errors[f]);
  const others = FORM_LANGUAGES.filter((l) => l.code !== state.lang).map(
    (l) =>
      `<a href="${esc(formUrl(state.query, l.code))}" hreflang="${l.code}" lang="${l.code}">${esc(l.requestForm!.switchLabel)}</a>`,
  );
  // The form-wide message takes the focus when no field's error does, so it is read first.
  const notice = state.problem
    ? `<p class="notice" id="form-notice" role="alert"${firstError ? '' : ' tabindex="-1" autofocus'}>${esc(t.problems[state.problem])}</p>`
    : '';
  const body = [
    others.length ? `<p class="langs">${others.join(' · ')}</p>` : '',
    `<h1>${esc(t.title)}</h1>`,
    `<p>${esc(t.intro)}</p>`,
    notice,
    `<form method="post" action="${esc(formUrl(state.query, state.lang))}" novalidate>`,
    ...FIELDS.map((f) => fieldHtml(state, t, f, f === firstError)),
    `<div class="hp" aria-hidden="true"><label for="f-${HONEYPOT}">Website</label><input id="f-${HONEYPOT}" name="${HONEYPOT}" type="text" tabindex="-1" autocomplete="off"></div>`,
    `<input type="hidden" name="${STAMP}" value="${esc(state.stamp)}">`,
    `<p class="consent" id="consent">${esc(state.consent)}</p>`,
    `<button type="submit" aria-describedby="consent">${esc(t.submit)}</button>`,
    `</form>`,
  ].join('');
  return {
    statusCode: status,
    headers: formHeaders(frameAncestors, local),
    body: shell(state.lang, t.title, body),
  };
}

/** After a submission: the same whatever became of it (never the lead's id, code or offers). */
export function thanksPage(lang: string, local: boolean, frameAncestors: string): HttpResponse {
  const t = formText(lang);
  return {
    statusCode: 200,
    headers: formHeaders(frameAncestors, local),
    body: shell(
      lang,
      t.thanks.title,
      `<h1>${esc(t.thanks.title)}</h1><p role="status">${esc(t.thanks.message)}</p>`,
    ),
  };
}

/** A page saying the form cannot be used now (not configured, or the database down). */
export function unavailablePage(
  status: number,
  lang: string,
  local: boolean,
  frameAncestors: string,
): HttpResponse {
  const t = formText(lang);
  return {
    statusCode: status,
    headers: formHeaders(frameAncestors, local),
    body: shell(
      lang,
      t.title,
      `<h1>${esc(t.title)}</h1><p class="notice" role="alert">${esc(t.problems.unavailable)}</p>`,
    ),
  };
}
