/**
 * The hosted inquiry form: `GET /request` serves it, `POST /request` takes it. A submission goes
 * through the checks of `POST /leads` (lib/leads/lead-input.ts) into the same createLead, with
 * `consent` the wording the page showed, the client's address, browser and the page's URL.
 *
 * Abuse is refused without any outside service, each refusal counted (lib/intake/form-guard.ts)
 * and nothing else written: a filled honeypot (answered with the thank-you page, so a bot learns
 * nothing), a stamp not ours, too old, or too young (lib/intake/form-stamp.ts), too many
 * submissions from one address or for one phone, a body over FORM_MAX_BODY_BYTES.
 */
import { log } from '../log';
import { isIP } from 'node:net';
import { config } from '../config';
import type { Database } from '../db/client';
import { AppError } from '../errors';
import { formFields } from '../http/body';
import type { HttpRequest } from '../http/request';
import type { HttpResponse } from '../http/response';
import { createLead } from '../leads/create-lead';
import * as z from 'zod/mini';
import { checkedLead, sourceInput } from '../leads/lead-input';
import { LOCAL_BRAND } from '../sms/sender';
import type { FormField, FormProblem } from '../sms/languages/language-module';
import { countBlocked, overRateLimit } from './form-guard';
import {
  formLanguage,
  formPage,
  formText,
  HONEYPOT,
  STAMP,
  thanksPage,
  unavailablePage,
  type FormState,
  type Service,
} from './form-page';
import { checkStamp, formStamp } from './form-stamp';
import { formServices, prefilledService } from './services';

/**
 * Under the 64 KiB of every route: the longest valid form (a 2,000-character description of
 * three-byte characters, percent-encoded) is about 20 KiB.
 */
export const FORM_MAX_BODY_BYTES = 32 * 1024;

const FIELDS: FormField[] = ['name', 'phone', 'email', 'category', 'zipCode', 'description'];

type Context = {
  lang: string;
  query: URLSearchParams;
  consent: string;
  secret: string;
  services: Service[];
};

/** What the form needs that may be missing: its secret and a wording naming a brand. */
function settings(req: HttpRequest): { lang: string; secret?: string; consent?: string } {
  const cfg = config();
  const lang = formLanguage(req.query.lang);
  const brand = cfg.smsBrandName ?? (cfg.local ? LOCAL_BRAND : undefined);
  const consent = cfg.consentText ?? (brand ? formText(lang).consent(brand) : undefined);
  return { lang, secret: cfg.keys.formSecret, consent };
}

const pageQuery = (req: HttpRequest) => new URLSearchParams(req.query);

function render(ctx: Context, status: number, state: Partial<FormState> & { stamp: string }): HttpResponse {
  const cfg = config();
  return formPage(
    status,
    {
      lang: ctx.lang,
      query: ctx.query,
      consent: ctx.consent,
      services: ctx.services,
      values: {},
      errors: {},
      ...state,
    },
    cfg.local,
    cfg.formFrameAncestors,
  );
}

async function context(db: Database, req: HttpRequest): Promise<Context | HttpResponse> {
  const { lang, secret, consent } = settings(req);
  const cfg = config();
  if (!secret || !consent) {
    // The operator's to fix: say what, where the 503 is seen (the visitor's page says only "unavailable").
    if (!secret) log.error('The hosted form answers 503: its secret is not configured (FORM_SECRET)');
    else log.error('The hosted form answers 503: no consent wording (CONSENT_TEXT, or SMS_BRAND_NAME)');
    return unavailablePage(503, lang, cfg.local, cfg.formFrameAncestors);
  }
  return { lang, secret, consent, query: pageQuery(req), services: await formServices(db) };
}

/** `GET /request`: the form, prefilled by `?category=` (a service's slug or name) and `?zip=`. */
export async function getForm(db: Database, req: HttpRequest): Promise<HttpResponse> {
  const ctx = await context(db, req);
  if (!('secret' in ctx)) return ctx;
  const service = prefilledService(ctx.services, req.query.category);
  const zip = (req.query.zip ?? '').trim().slice(0, 20);
  return render(ctx, 200, {
    stamp: formStamp(ctx.secret),
    values: { ...(service ? { category: service.slug } : {}), ...(zip ? { zipCode: zip } : {}) },
  });
}

/** The client's address, browser and the page, as `consent` takes them (left out when unusable). */
function consentOf(req: HttpRequest, text: string) {
  const base = `${config().publicBaseUrl}/request`;
  const query = pageQuery(req).toString();
  const pageUrl = query && base.length + query.length < 2000 ? `${base}?${query}` : base;
  const ip = req.sourceIp && isIP(req.sourceIp) ? req.sourceIp : undefined;
  const userAgent = req.headers['user-agent']?.replaceAll('\u0000', '').slice(0, 1000) || undefined;
  return { text, pageUrl, ...(ip ? { ip } : {}), ...(userAgent ? { userAgent } : {}) };
}

/** The page's campaign parameters, by the names `POST /leads`' `source` gives them. */
const SOURCE_PARAMS = {
  utm_source: 'utmSource',
  utm_medium: 'utmMedium',
  utm_campaign: 'utmCampaign',
  gclid: 'gclid',
  fbclid: 'fbclid',
  affiliate: 'affiliate',
} as const;

/**
 * Where the client came from, as the page's URL says (`?utm_source=…`, ad click ids), for
 * `GET /stats?groupBy=source`; a value it cannot store (too long, control characters) is left out,
 * since the client cannot fix a link they followed.
 */
function sourceOf(req: HttpRequest) {
  const kept = Object.entries(SOURCE_PARAMS).flatMap(([param, key]) => {
    const value = req.query[param]?.trim();
    const field = { [key]: value };
    return value && z.safeParse(sourceInput(), field).success ? Object.entries(field) : [];
  });
  return kept.length ? Object.fromEntries(kept) : undefined;
}

/** Each field's message, in the form's language, from POST /leads' validation details. */
function fieldErrors(lang: string, values: Partial<Record<FormField, string>>, details: unknown) {
  const t = formText(lang);
  const errors: Partial<Record<FormField, string>> = {};
  for (const d of Array.isArray(details) ? (details as Array<{ field?: unknown }>) : []) {
    const field = (typeof d.field === 'string' ? d.field : '').split('.')[0] as FormField;
    if (!FIELDS.includes(field) || errors[field]) continue;
    errors[field] = values[field]?.trim() ? t.invalid[field] : t.required;
  }
  return errors;
}

/** `POST /request`. */
export async function postForm(db: Database, req: HttpRequest): Promise<HttpResponse> {
  const ctx = await context(db, req);
  if (!('secret' in ctx)) return ctx;
  const fresh = () => formStamp(ctx.secret);
  const problem = (status: number, p: FormProblem, values = {}, stamp = fresh()) =>
    render(ctx, status, { problem: p, values, stamp });

  if (req.rawBody.length > FORM_MAX_BODY_BYTES) {
    await countBlocked(db, 'too_large');
    return problem(413, 'too_large');
  }
  let posted: Record<string, unknown>;
  try {
    posted = await formFields(req);
  } catch (err) {
    if (!(err instanceof AppError) || err.status >= 500) throw err;
    return problem(400, 'invalid');
  }
  const values: Partial<Record<FormField, string>> = {};
  for (const f of FIELDS) if (typeof posted[f] === 'string') values[f] = posted[f];

  const honeypot = posted[HONEYPOT];
  if (honeypot !== undefined && honeypot !== '') {
    await countBlocked(db, 'honeypot');
    return thanks(ctx);
  }
  const stamp = checkStamp(ctx.secret, posted[STAMP]);
  if (!stamp.ok && stamp.reason !== 'too_fast') {
    await countBlocked(db, stamp.reason);
    return problem(400, 'stale', values);
  }
  // Ours: kept through the answers below, so that its age goes on counting.
  const kept = posted[STAMP] as string;

  let input: ReturnType<typeof checkedLead>;
  try {
    input = checkedLead({
      name: values.name ?? '',
      phone: values.phone ?? '',
      email: values.email?.trim() || undefined,
      category: values.category ?? '',
      zipCode: values.zipCode ?? '',
      description: values.description ?? '',
      consent: consentOf(req, ctx.consent),
      source: sourceOf(req),
    });
  } catch (err) {
    if (!(err instanceof AppError) || err.status !== 400) throw err;
    const errors = fieldErrors(ctx.lang, values, err.details);
    if (!Object.keys(errors).length) errors.category = formText(ctx.lang).invalid.category;
    return render(ctx, 400, { problem: 'invalid', values, errors, stamp: kept });
  }

  // Too quick, once the fields are right (a person told of a mistake first): the same stamp,
  // which will be old enough when they press again.
  if (!stamp.ok) {
    await countBlocked(db, stamp.reason);
    return problem(400, 'too_fast', values, kept);
  }
  const over = await overRateLimit(db, req.sourceIp?.trim() || 'unknown', input.phone);
  if (over) {
    await countBlocked(db, over);
    return problem(429, 'rate_limited', values, kept);
  }
  try {
    await createLead(db, input, `form:${stamp.nonce}`);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    // The same page sent again with other details: a new request needs a new stamp.
    if (err.status === 409) return problem(409, 'already_sent', values);
    if (err.status !== 400) throw err;
    // Another refusal of POST /leads' (an unknown or inactive category): beside its field.
    const errors = fieldErrors(ctx.lang, values, err.details);
    if (!Object.keys(errors).length) errors.category = formText(ctx.lang).invalid.category;
    return render(ctx, 400, { problem: 'invalid', values, errors, stamp: kept });
  }
  return thanks(ctx);
}

const thanks = (ctx: Context) => {
  const cfg = config();
  return thanksPage(ctx.lang, cfg.local, cfg.formFrameAncestors);
};
