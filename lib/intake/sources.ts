/**
 * Intake sources: a form tool's mapping and token (`PUT /intake/sources/{source}`), and the check
 * of a post's token (`POST /intake/{source}?token=…`). Only the token's SHA-256 is stored; every
 * PUT issues a new token, shown once, and the old one stops working.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { sql } from 'drizzle-orm';
import * as z from 'zod/mini';
import { rows, type Database } from '../db/client';
import { AppError } from '../errors';
import { text } from '../http/fields';
import { lazy } from '../lazy';
import { type SourceDefaults, type SourceFields } from './mapping';

export const SOURCE_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

const postedName = () => text(200);
const mapped = () =>
  z.union(
    [
      postedName(),
      z
        .array(postedName())
        .check(z.minLength(1, 'must name at least one field'), z.maxLength(4, 'must name at most 4 fields')),
    ],
    {
      error: 'must be the name of the field as posted, or (for name) a list of them',
    },
  );

/** `PUT /intake/sources/{source}`'s body: every lead field it knows, each a posted name. */
export const sourceInput = lazy(() =>
  z
    .strictObject({
      fields: z.strictObject({
        name: mapped(),
        phone: postedName(),
        email: z.optional(postedName()),
        category: z.optional(postedName()),
        zipCode: postedName(),
        description: z.optional(postedName()),
        consent: z.optional(postedName()),
      }),
      defaults: z.optional(z.strictObject({ category: z.optional(text(100)) })),
    })
    .check(
      z.refine((o) => o.fields.category !== undefined || o.defaults?.category !== undefined, {
        message: 'map a field to category, or give defaults.category',
        path: ['fields', 'category'],
      }),
    ),
);
export type SourceInput = z.output<ReturnType<typeof sourceInput>>;

const sha256 = (s: string) => createHash('sha256').update(s).digest();

/** Stores the mapping and a new token; answers the token (never stored as such). */
export async function putSource(db: Database, source: string, input: SourceInput): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await rows(
    db,
    'intake_source_put',
    sql`insert into intake_sources (source, fields, defaults, token_hash)
        values (${source}, ${JSON.stringify(input.fields)}::jsonb, ${JSON.stringify(input.defaults ?? {})}::jsonb,
          ${sha256(token).toString('hex')})
        on conflict (source) do update set fields = excluded.fields, defaults = excluded.defaults,
          token_hash = excluded.token_hash, updated_at = now()`,
  );
  return token;
}

export type Source = { source: string; fields: SourceFields; defaults: SourceDefaults };

/** Any other caller: an unknown source and a wrong token are answered alike. */
const refused = () =>
  new AppError(401, 'invalid_intake_token', 'Unknown intake source, or a missing or wrong token');

/** A dummy hash, so an unknown source costs the same comparison as a known one. */
const NO_HASH = Buffer.alloc(32);

/** The source if `token` is its own (compared in constant time over the hashes), else a 401. */
export async function authorisedSource(
  db: Database,
  source: string | undefined,
  token: string | undefined,
): Promise<Source> {
  const known = source && SOURCE_NAME.test(source);
  const [row] = known
    ? await rows<{ source: string; fields: SourceFields; defaults: SourceDefaults; token_hash: string }>(
        db,
        'intake_source_get',
        sql`select source, fields, defaults, token_hash from intake_sources where source = ${source}`,
      )
    : [];
  const stored = row ? Buffer.from(row.token_hash, 'hex') : NO_HASH;
  const same = timingSafeEqual(sha256(token ?? ''), stored);
  if (!row || !token || !same) throw refused();
  return { source: row.source, fields: row.fields, defaults: row.defaults };
}

/** Every source's mapping, never a token. */
export async function listSources(db: Database) {
  return rows<{
    source: string;
    fields: SourceFields;
    defaults: SourceDefaults;
    createdAt: string;
    updatedAt: string;
  }>(
    db,
    'intake_sources_list',
    sql`select source, fields, defaults, created_at as "createdAt", updated_at as "updatedAt"
        from intake_sources order by source`,
  );
}
