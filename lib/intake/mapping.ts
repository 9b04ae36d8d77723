/**
 * A form tool's post read through its source's mapping (`PUT /intake/sources/{source}`): the
 * names each lead field is posted under, exactly as the tool writes them. Pure.
 *
 * What a name can be:
 * - a form field as posted (`your-phone`, `input_3`, Gravity Forms' `1.3`, `names[first_name]`);
 * - in a JSON body, a nested value written the way a form would post it: `{"names":
 *   {"first_name": "Ann"}}` is `names[first_name]`, an array item `items[0]`;
 * - in a Typeform webhook (`form_response.answers`), an answer by its field's `ref` (set in
 *   Typeform's editor, or the generated one the webhook carries) or `id`, and a hidden field by
 *   its name.
 */
export const LEAD_FIELDS = [
  'name',
  'phone',
  'email',
  'category',
  'zipCode',
  'description',
  'consent',
] as const;
export type LeadField = (typeof LEAD_FIELDS)[number];
export const REQUIRED_FIELDS: readonly LeadField[] = ['name', 'phone', 'zipCode'];

/** Their field names per lead field (`name` may join several, such as first and last). */
export type SourceFields = Partial<Record<LeadField, string | string[]>>;
export type SourceDefaults = { category?: string };

/** A problem with one lead field: ours, and the name(s) it is posted under. */
export type MappingProblem = { field: string; posted?: string; message: string };

const MAX_DEPTH = 8;

/** A value a field can hold, as text; undefined for an object (not one value). */
function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((v) => ['string', 'number', 'boolean'].includes(typeof v))) {
    return value.map(String).join(', ');
  }
  return undefined;
}

/** A Typeform answer's value, by its `type` (Typeform's webhook payload reference). */
function typeformAnswer(answer: Record<string, unknown>): unknown {
  const type = typeof answer.type === 'string' ? answer.type : '';
  const value = answer[type];
  if (type === 'choice')
    return (
      (value as { label?: unknown; other?: unknown } | undefined)?.label ??
      (value as { other?: unknown } | undefined)?.other
    );
  if (type === 'choices') return (value as { labels?: unknown } | undefined)?.labels;
  return value;
}

/** Every posted value by the name a mapping gives it. */
export function postedFields(body: Record<string, unknown>): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const walk = (name: string, value: unknown, depth: number) => {
    out.set(name, value);
    if (depth >= MAX_DEPTH || value === null || typeof value !== 'object') return;
    for (const [k, v] of Object.entries(value)) walk(`${name}[${k}]`, v, depth + 1);
  };
  for (const [k, v] of Object.entries(body)) walk(k, v, 0);
  const response = body.form_response as { answers?: unknown; hidden?: unknown } | undefined;
  if (response && typeof response === 'object') {
    if (response.hidden && typeof response.hidden === 'object') {
      for (const [k, v] of Object.entries(response.hidden)) out.set(k, v);
    }
    if (Array.isArray(response.answers)) {
      for (const a of response.answers as unknown[]) {
        if (!a || typeof a !== 'object') continue;
        const answer = a as Record<string, unknown>;
        const field = (answer.field ?? {}) as { id?: unknown; ref?: unknown };
        const value = typeformAnswer(answer);
        for (const key of [field.id, field.ref]) if (typeof key === 'string' && key) out.set(key, value);
      }
    }
  }
  return out;
}

const names = (mapped: string | string[] | undefined): string[] =>
  mapped === undefined ? [] : Array.isArray(mapped) ? mapped : [mapped];

/**
 * The lead's body (as `POST /leads` takes it) from a post, and what could not be read: a
 * required field the post does not have, or a value that is not one (an object).
 */
export function mapPost(
  fields: SourceFields,
  defaults: SourceDefaults,
  posted: Map<string, unknown>,
): { body: Record<string, unknown>; problems: MappingProblem[] } {
  const body: Record<string, unknown> = {};
  const problems: MappingProblem[] = [];
  for (const field of LEAD_FIELDS) {
    const given = names(fields[field]);
    const present = given.filter((n) => posted.has(n));
    const texts: string[] = [];
    for (const n of present) {
      const text = asText(posted.get(n));
      if (text === undefined) {
        if (posted.get(n) !== null)
          problems.push({ field, posted: n, message: `"${n}" is not a single value` });
      } else if (text.trim()) texts.push(text.trim());
    }
    const value = texts.join(' ');
    if (value) body[field] = value;
    else if (given.length && !present.length && REQUIRED_FIELDS.includes(field)) {
      problems.push({
        field,
        posted: given.join(', '),
        message: `is mapped to ${given.map((n) => `"${n}"`).join(', ')}, which this post does not have`,
      });
    }
  }
  if (body.category === undefined && defaults.category) body.category = defaults.category;
  // POST /leads requires a description; a form without one describes the lead by its service.
  if (body.description === undefined && typeof body.category === 'string') body.description = body.category;
  if (typeof body.consent === 'string') body.consent = { text: body.consent };
  return { body, problems };
}
