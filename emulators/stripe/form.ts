/** Stripe's request encoding: `application/x-www-form-urlencoded` with bracket notation (a[b][0][c]=v). */
import { invalid } from './errors';

function decodeComponent(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    throw invalid('Invalid request: the request body could not be decoded (malformed percent-encoding).');
  }
}

function parseKeyPath(key: string): string[] {
  const m = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
  if (!m) return [key];
  const path = [m[1]!];
  for (const seg of m[2]!.matchAll(/\[([^[\]]*)\]/g)) path.push(seg[1]!);
  return path;
}

type Tree = { [k: string]: Tree | string };

/** Parses `application/x-www-form-urlencoded` with Stripe's bracket notation into nested objects/arrays. */
export function parseStripeForm(body: string): Record<string, unknown> {
  const root: Tree = {};
  for (const part of body.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const key = decodeComponent(eq >= 0 ? part.slice(0, eq) : part);
    const value = decodeComponent(eq >= 0 ? part.slice(eq + 1) : '');
    setPath(root, key, parseKeyPath(key), value);
  }
  return toArrays(root, '') as Record<string, unknown>;
}

function setPath(root: Tree, key: string, path: string[], value: string) {
  let node: Tree = root;
  for (let i = 0; i < path.length; i++) {
    let seg = path[i]!;
    if (seg === '') seg = String(Object.keys(node).length); // a[]=x appends
    const last = i === path.length - 1;
    if (last) {
      if (typeof node[seg] === 'object') throw invalid(`Invalid value for ${key}: expected a hash.`, key);
      node[seg] = value;
    } else {
      const next = node[seg];
      if (next === undefined) node = node[seg] = {};
      else if (typeof next === 'string')
        throw invalid(`Invalid hash: ${path.slice(0, i + 1).join('.')}`, key);
      else node = next;
    }
  }
}

function toArrays(node: Tree | string, parentKey: string): unknown {
  if (typeof node === 'string') return node;
  const keys = Object.keys(node);
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = toArrays(node[k]!, k);
  if (parentKey !== 'metadata' && keys.length > 0 && keys.every((k, i) => k === String(i))) {
    return keys.map((k) => out[k]);
  }
  return out;
}

/** The parameters as one string, keys sorted: two requests with the same parameters compare equal. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}
