/**
 * A value as a jsonb parameter. A lone UTF-16 surrogate (a client can send one, `"\ud800"` in a
 * JSON body) has no UTF-8 form: as text Postgres gets U+FFFD, as the encoder writes it, but
 * JSON.stringify escapes it as `\ud800`, which jsonb refuses (a 500). So strings get U+FFFD here too.
 */
export function jsonParam(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'string' ? v.replace(/\p{Cs}/gu, '\uFFFD') : v,
  );
}
