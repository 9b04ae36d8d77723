/**
 * Opaque cursors for newest-first lists ordered by `(created_at, id)`: base64url of the row's
 * `created_at` in microseconds since the epoch (Postgres keeps microseconds, a JS Date only
 * milliseconds, so a cursor built from a Date would skip or repeat rows created in the same
 * millisecond) and its id.
 */
export type Cursor = { micros: string; id: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const BASE64URL = /^[A-Za-z0-9_-]{1,200}$/;
/** Below 2^53: exact as a double, which the SQL turns back into a timestamp. */
const MICROS = /^\d{1,16}$/;

export const encodeCursor = (c: Cursor): string => Buffer.from(`${c.micros}.${c.id}`).toString('base64url');

/** The cursor a string holds, or undefined when it is not one of ours. */
export function decodeCursor(value: string): Cursor | undefined {
  if (!BASE64URL.test(value)) return undefined;
  const [micros, id, ...rest] = Buffer.from(value, 'base64url').toString('latin1').split('.');
  if (rest.length || !micros || !id || !MICROS.test(micros) || !UUID.test(id)) return undefined;
  if (Number(micros) > Number.MAX_SAFE_INTEGER) return undefined;
  return { micros, id };
}
