/** Parameter checks every Stripe resource shares, with Stripe's own refusals. */
import { invalid, unknownParam } from './errors';

export const isObj = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === 'object' && !Array.isArray(v);

export function checkKnown(obj: Record<string, unknown>, allowed: readonly string[], prefix: string) {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) throw unknownParam(prefix ? `${prefix}[${k}]` : k);
  }
}

function paramName(path: string[]): string {
  return (
    path[0]! +
    path
      .slice(1)
      .map((p) => `[${p}]`)
      .join('')
  );
}

/** Stripe refuses empty strings on create: they mean "unset", which cannot apply to a new object. */
export function rejectEmptyStrings(v: unknown, path: string[]) {
  if (path[0] === 'metadata' || path.includes('metadata')) return;
  if (v === '') {
    const name = paramName(path);
    throw invalid(
      `You passed an empty string for '${name}'. We assume empty values are an attempt to unset a parameter; however '${name}' cannot be unset. You should remove '${name}' from your request or supply a non-empty value.`,
      name,
    );
  }
  if (Array.isArray(v)) v.forEach((x, i) => rejectEmptyStrings(x, [...path, String(i)]));
  else if (isObj(v)) for (const [k, x] of Object.entries(v)) rejectEmptyStrings(x, [...path, k]);
}

export function str(v: unknown, param: string): string {
  if (typeof v !== 'string') throw invalid(`Invalid string: ${param} must be a string.`, param);
  return v;
}

export function int(v: unknown, param: string): number {
  if (typeof v !== 'string' || !/^-?\d+$/.test(v)) throw invalid(`Invalid integer: ${String(v)}`, param);
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw invalid(`Invalid integer: ${v}`, param);
  return n;
}

export function bool(v: unknown, param: string): boolean {
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw invalid(`Invalid boolean: ${String(v)}`, param);
}

export function email(v: unknown, param: string): string {
  const s = str(v, param);
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s)) {
    throw invalid(`Invalid email address: ${s}`, param, 'email_invalid');
  }
  return s;
}

export function validUrl(v: unknown, param: string): string {
  const s = str(v, param);
  try {
    const u = new URL(s.replace('{CHECKOUT_SESSION_ID}', 'x'));
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
  } catch {
    throw invalid('Not a valid URL', param, 'url_invalid');
  }
  if (s.length > 5000) throw invalid('Not a valid URL', param, 'url_invalid');
  return s;
}

export function validMetadata(v: unknown, param: string): Record<string, string> {
  if (v === undefined || v === '') return {};
  if (!isObj(v)) throw invalid('Invalid metadata: metadata must be a hash of string keys and values.', param);
  const entries = Object.entries(v);
  if (entries.length > 50) {
    throw invalid(
      `Invalid metadata: metadata can have up to 50 keys, but you passed in ${entries.length} keys.`,
      param,
    );
  }
  const out: Record<string, string> = {};
  for (const [k, val] of entries) {
    if (k.length > 40) throw invalid(`Invalid key: ${k} must be a string under 40 characters`, param);
    if (typeof val !== 'string')
      throw invalid(`Invalid val: metadata[${k}] must be a string under 500 characters`, param);
    if (val.length > 500) throw invalid(`Invalid val: ${val} must be a string under 500 characters`, param);
    if (val !== '') out[k] = val;
  }
  return out;
}

/** An optional string of at most `max` characters (Stripe's words when it is longer). */
export function shortText(v: unknown, param: string, max: number): string | null {
  if (v === undefined) return null;
  const s = str(v, param);
  if (s.length > max) throw invalid(`This value must be ${max} characters or fewer.`, param);
  return s;
}
