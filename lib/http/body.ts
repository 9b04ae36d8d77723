import type * as z from 'zod/mini';
import { AppError, badRequest, unsupportedMediaType } from '../errors';
import type { HttpRequest } from './request';

/**
 * Postgres text and jsonb cannot hold U+0000, and some SMS gateways pass GSM-7 '@' (0x00) as
 * NUL: free text from TextMagic is cleaned rather than failed with a 500 it would retry forever.
 */
export const stripNul = (s: string): string => s.replaceAll('\u0000', '');
export const hasNoNul = (s: string): boolean => !s.includes('\u0000');
/** Nesting kept by `stripNulDeep`; deeper values are replaced (a callback's fields are flat). */
export const MAX_STORED_DEPTH = 16;
/**
 * A string jsonb can store: no NUL, and no lone UTF-16 surrogate (JSON.parse makes one from a
 * `"\udfff"` escape; Postgres refuses it in jsonb), replaced by U+FFFD as UTF-8 encoding does.
 */
const storable = (s: string): string => stripNul(s).replace(/\p{Cs}/gu, '\uFFFD');
/**
 * `stripNul` through a parsed JSON value (keys too), for storing it as jsonb: lone surrogates
 * replaced, and anything nested deeper than `MAX_STORED_DEPTH` replaced by a marker, so a hostile
 * body can neither overflow the stack nor be refused by Postgres (a 500 the sender would retry).
 */
export function stripNulDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return storable(value);
  if (value && typeof value === 'object') {
    if (depth >= MAX_STORED_DEPTH) return '[nested too deep]';
    if (Array.isArray(value)) return value.map((v) => stripNulDeep(v, depth + 1));
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [storable(k), stripNulDeep(v, depth + 1)]),
    );
  }
  return value;
}

const mediaType = (req: HttpRequest) =>
  (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();

/** The field names an object schema at `path` within `schema` knows (through optional and pipe). */
function knownFields(schema: z.ZodMiniType, path: PropertyKey[]): string[] {
  let def = schema._zod.def as { type: string; shape?: Record<string, z.ZodMiniType> } & Record<
    string,
    unknown
  >;
  const unwrap = () => {
    for (;;) {
      const inner = (def.innerType ?? (def.type === 'pipe' ? def.in : undefined)) as
        z.ZodMiniType | undefined;
      if (!inner) return;
      def = inner._zod.def as typeof def;
    }
  };
  unwrap();
  for (const key of path) {
    const next = def.shape?.[String(key)];
    if (!next) return [];
    def = next._zod.def as typeof def;
    unwrap();
  }
  return Object.keys(def.shape ?? {});
}

/**
 * Zod issues as `[{ field, message }]`, every bad field named. A field the request does not know
 * (a strict object's, as `POST /leads` has) is `unknown_fields`, each one a detail of its own, so a
 * misspelt `clientEmail` is refused rather than lost.
 */
export function validationError(error: z.core.$ZodError, schema?: z.ZodMiniType): AppError {
  const unknown = error.issues.flatMap((i) =>
    i.code === 'unrecognized_keys'
      ? i.keys.map((key) => {
          const known = schema ? knownFields(schema, i.path) : [];
          return {
            field: [...i.path, key].join('.'),
            message: known.length
              ? `is not a known field (known: ${known.join(', ')})`
              : 'is not a known field',
          };
        })
      : [],
  );
  const details = [
    ...unknown,
    ...error.issues
      .filter((i) => i.code !== 'unrecognized_keys')
      .map((i) => ({ field: i.path.length ? i.path.join('.') : '(body)', message: i.message })),
  ];
  const fields = [...new Set(details.map((d) => d.field))].join(', ');
  if (unknown.length) {
    return badRequest('unknown_fields', `Unknown fields: ${unknown.map((d) => d.field).join(', ')}`, details);
  }
  return badRequest('validation_failed', `Invalid fields: ${fields}`, details);
}

export function parseWith<S extends z.ZodMiniType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(result.error, schema);
  return result.data;
}

/** The body parsed as JSON, which must be an object. */
function jsonObject(req: HttpRequest): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(req.rawBody.toString('utf8'));
  } catch {
    throw badRequest('invalid_json', 'The body is not valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest('invalid_json', 'The body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

/** A JSON object body, validated by `schema`. */
export function jsonBody<S extends z.ZodMiniType>(req: HttpRequest, schema: S): z.output<S> {
  return parseWith(schema, jsonFields(req));
}

/** The JSON object a request carries, not yet checked (for a check made elsewhere). */
export function jsonFields(req: HttpRequest): Record<string, unknown> {
  const type = mediaType(req);
  if (type && type !== 'application/json' && !type.endsWith('+json')) {
    throw unsupportedMediaType('Send the body as application/json');
  }
  return jsonObject(req);
}

/**
 * A flat set of fields from JSON, `application/x-www-form-urlencoded` or `multipart/form-data`
 * (TextMagic posts callbacks in whichever its account is set to).
 */
export async function formFields(req: HttpRequest): Promise<Record<string, unknown>> {
  const type = mediaType(req);
  const text = () => req.rawBody.toString('utf8');
  if (type === 'application/json' || type.endsWith('+json')) return jsonObject(req);
  if (type === 'application/x-www-form-urlencoded') {
    return Object.fromEntries(new URLSearchParams(text()));
  }
  if (type === 'multipart/form-data') {
    // Node's own fetch Response parses multipart: no parser package needed.
    let form: FormData;
    try {
      form = await new Response(new Uint8Array(req.rawBody), {
        headers: { 'content-type': req.headers['content-type']! },
      }).formData();
    } catch {
      throw badRequest('invalid_body', 'The multipart body could not be parsed');
    }
    const fields: Record<string, unknown> = {};
    form.forEach((value, key) => {
      if (typeof value === 'string') fields[key] = value;
    });
    return fields;
  }
  throw unsupportedMediaType(
    'Send the body as application/json, application/x-www-form-urlencoded or multipart/form-data',
  );
}
