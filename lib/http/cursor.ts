import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';

/**
 * Opaque cursors for newest-first lists ordered by `(created_at, id)`: base64url of the row's
 * `created_at` in microseconds since the epoch (Postgres keeps microseconds, a JS Date only
 * milliseconds, so a cursor built from a Date would skip or repeat rows created in the same
 * millisecond) and its id (a UUID, or what `key` allows: the rest of the text after the first dot).
 */
export type Cursor = { micros: string; id: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const BASE64URL = /^[A-Za-z0-9_-]{1,200}$/;
/** Below 2^53: exact as a double, which the SQL turns back into a timestamp. */
const MICROS = /^\d{1,16}$/;

export const encodeCursor = (c: Cursor): string => Buffer.from(`${c.micros}.${c.id}`).toString('base64url');

/** The cursor a string holds, or undefined when it is not one of ours. */
export function decodeCursor(value: string, key: RegExp = UUID): Cursor | undefined {
  if (!BASE64URL.test(value)) return undefined;
  const text = Buffer.from(value, 'base64url').toString('utf8');
  const dot = text.indexOf('.');
  const [micros, id] = [text.slice(0, dot), text.slice(dot + 1)];
  if (dot < 0 || !MICROS.test(micros) || !key.test(id)) return undefined;
  if (Number(micros) > Number.MAX_SAFE_INTEGER) return undefined;
  return { micros, id };
}

/**
 * The key of a message in a provider's thread (lib/messaging/provider-thread.ts): `o:` and the outbox
 * id zero-padded (so that text order is number order), or `i:` and the TextMagic id of a reply.
 * `o` sorts after `i`: of two messages stamped the same microsecond, the reply came first and the
 * answer it caused second.
 */
export const THREAD_KEY = /^(o:\d{20}|i:[^\0]{1,64})$/u;

/** SQL: the row `(createdAt, id)` comes after `cursor` in a newest-first list (a row comparison the index walks). */
export const beforeCursor = (createdAt: SQLWrapper, id: SQLWrapper, cursor: Cursor): SQL =>
  sql`(${createdAt}, ${id}) < (timestamptz 'epoch' + ${cursor.micros}::float8 * interval '1 microsecond', ${cursor.id}::uuid)`;

/** SQL: a timestamp in microseconds since the epoch, as text (a Date would round it to milliseconds). */
export const micros = (createdAt: SQLWrapper) =>
  sql<string>`(extract(epoch from ${createdAt}) * 1000000)::bigint::text`;
