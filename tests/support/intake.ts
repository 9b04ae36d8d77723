/** Drives the intake function (lib/intake/) as a browser and form tools would. */
import { handler as intake } from '../../functions/intake';
import { invoke, type EventInput, type Reply } from '../../emulators/events';
import { formStamp } from '../../lib/intake/form-stamp';
import type { TestApp } from './app';
import { KEYS } from './app';

/** A stamp from a page served `ageMs` ago (old enough by default), signed as the form signs it. */
export const stamp = (ageMs = 10_000) => formStamp(KEYS.form, Date.now() - ageMs);

/** Adds active categories to the catalogue (slug, name, synonyms), as the catalogue stores them. */
export async function addServices(app: TestApp, services: Array<[string, string, string[]?, boolean?]>) {
  for (const [slug, name, synonyms = [], active = true] of services) {
    await app.db.query(
      `insert into categories (slug, name, synonyms, price_cents, max_unlocks, ttl_hours, active)
       values ($1, $2, $3, 1500, 3, 72, $4) on conflict (slug) do nothing`,
      [slug, name, synonyms, active],
    );
  }
}

export const intakeApi = {
  getForm(query: Record<string, string> = {}): Promise<Reply> {
    return invoke(intake, { method: 'GET', path: '/request', query });
  },

  /** The form as a browser posts it: form-encoded, base64 (API Gateway HTTP API) by default. */
  postForm(
    fields: Record<string, string>,
    opts: { query?: Record<string, string>; ip?: string; userAgent?: string; version?: 'v1' | 'v2' } = {},
  ): Promise<Reply> {
    return invoke(intake, {
      method: 'POST',
      path: '/request',
      query: opts.query,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'user-agent': opts.userAgent ?? 'Mozilla/5.0 (X11; Linux x86_64) FormTest/1.0',
      },
      body: new URLSearchParams(fields).toString(),
      sourceIp: opts.ip ?? '198.51.100.7',
      version: opts.version ?? 'v2',
    });
  },

  putSource(source: string, body: unknown, authorization = `Bearer ${KEYS.admin}`): Promise<Reply> {
    return invoke(intake, {
      method: 'PUT',
      path: `/intake/sources/${source}`,
      pathParams: { source },
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  },

  listSources(): Promise<Reply> {
    return invoke(intake, {
      method: 'GET',
      path: '/intake/sources',
      headers: { authorization: `Bearer ${KEYS.admin}` },
    });
  },

  /** A form tool's post: `body` already encoded, with its content type. */
  post(
    source: string,
    token: string | undefined,
    body: string,
    contentType: string,
    version: EventInput['version'] = 'v2',
  ): Promise<Reply> {
    return invoke(intake, {
      method: 'POST',
      path: `/intake/${source}`,
      pathParams: { source },
      query: token === undefined ? undefined : { token },
      headers: { 'content-type': contentType },
      body,
      version,
    });
  },
};
