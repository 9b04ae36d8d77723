/**
 * Structured JSON logs, one line per entry, each with the Lambda request id and function name
 * (set by the handler pipeline) so that one grep follows a request, and the lead, offer and
 * provider ids its caller passes so that one grep follows a lead.
 *
 * Contact data is masked by where it is: the values of fields that hold it (`name`, `phone`,
 * `email`, `to`, `sender`, `description`…) wherever they nest, and, in free text, e-mail
 * addresses and what can only be a phone number. Ids and timestamps stay intact: UUIDs, Stripe
 * ids (`cs_`, `pi_`, `evt_`), TextMagic's numeric ids, ISO and epoch times.
 */
type Level = 'debug' | 'info' | 'warn' | 'error';

const EMAIL = /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})/g;
/**
 * Phone numbers in free text: with a leading + (E.164 as we store them; a space ends one, so
 * that a number next to it stays whole), North American style
 * with separators ((512) 555-0142, 512-555-0142), or a bare run of 10 to 15 digits that stands
 * alone (not inside an id, a time or a decimal). A bare run that starts with 1 is a phone only
 * at 11 digits (country code 1 and ten digits): 10 and 13 digits from 1 are epoch seconds and
 * milliseconds.
 */
const PHONE = new RegExp(
  [
    String.raw`\+\d(?:[().-]?\d){6,14}(?!\d)`,
    String.raw`(?<![\w.:-])\(?[2-9]\d{2}\)?[\s.-]\d{3}[\s.-]\d{4}(?!\w|[.:-]\d)`,
    String.raw`(?<![\w.:+-])(?:1\d{10}|[2-9]\d{9,14})(?!\w|[.:-]\d)`,
  ].join('|'),
  'g',
);
/** Fields whose values are a client's or provider's contact data or free text, whatever they look like. */
const CONTACT_FIELDS = new Set([
  'name',
  'phone',
  'email',
  'to',
  'sender',
  'receiver',
  'recipient',
  'recipients',
  'description',
  'budget',
  'text',
]);

const maskPhone = (m: string) => {
  const digits = m.replace(/\D/g, '');
  return `${m.startsWith('+') ? '+' : ''}${digits.slice(0, 1)}${'*'.repeat(Math.max(0, digits.length - 3))}${digits.slice(-2)}`;
};

/** Masks e-mails (`j***@example.com`) and phone numbers (`+1*******23`) in free text. */
export function maskText(text: string): string {
  return text
    .replace(EMAIL, (_m, first: string, domain: string) => `${first}***@${domain}`)
    .replace(PHONE, maskPhone);
}

/** A contact field's value: a phone or e-mail masked as in text, anything else by its length only. */
function maskContact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskContact);
  if (typeof value !== 'string') return value === null || typeof value !== 'object' ? value : '[masked]';
  const masked = maskText(value);
  return masked !== value || value === '' ? masked : `[${value.length} chars]`;
}

/** A statement's text, one line and cut short: enough to tell which it was (and its name, if any). */
const statementLabel = (query: string) => query.replace(/\s+/g, ' ').trim().slice(0, 120);

/** The stack's frames without its first line, which repeats the message. */
export function stackFrames(err: unknown): string[] | undefined {
  if (!(err instanceof Error) || !err.stack) return undefined;
  return err.stack
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('at '));
}

function mask(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskText(value);
  if (value instanceof Error) {
    // drizzle's DrizzleQueryError spells the statement's parameters into its message (a client's
    // name, a lead's description): the statement is logged instead, never its parameters.
    const { code, query, params } = value as { code?: unknown; query?: unknown; params?: unknown };
    const failedQuery = typeof query === 'string' && Array.isArray(params);
    // The code and the cause too: a wrapped error ("Failed query") says little without what it
    // wraps (a timeout, ECONNREFUSED, a constraint).
    return {
      name: value.name,
      message: failedQuery ? 'Failed query' : maskText(value.message),
      ...(failedQuery && { statement: statementLabel(query) }),
      ...(typeof code === 'string' && { code }),
      ...(value.cause !== undefined && depth < 5 && { cause: mask(value.cause, depth + 1) }),
    };
  }
  if (depth > 5 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => mask(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      CONTACT_FIELDS.has(k.toLowerCase()) ? maskContact(v) : mask(v, depth + 1),
    ]),
  );
}

/** Fields on every line until replaced: the invocation's request id, function name, cold start. */
let context: Record<string, unknown> = {};

/** Sets the fields every following line carries (the handler pipeline calls it per invocation). */
export function setLogContext(fields: Record<string, unknown>): void {
  context = fields;
}

/** One JSON line, `fields` masked; `extra` is written as given (metric blocks, built by us). */
export function writeLine(
  level: Level,
  message: string,
  fields?: Record<string, unknown>,
  extra?: Record<string, unknown>,
): void {
  if (process.env.LOG_LEVEL === 'silent') return;
  if (level === 'debug' && process.env.LOG_LEVEL !== 'debug') return;
  const line = JSON.stringify({
    level,
    time: new Date().toISOString(),
    message: maskText(message),
    ...context,
    ...(fields ? (mask(fields) as Record<string, unknown>) : {}),
    ...extra,
  });
  if (level === 'error' || level === 'warn') console.error(line);
  else console.log(line);
}

export const log = {
  debug: (message: string, fields?: Record<string, unknown>) => writeLine('debug', message, fields),
  info: (message: string, fields?: Record<string, unknown>) => writeLine('info', message, fields),
  warn: (message: string, fields?: Record<string, unknown>) => writeLine('warn', message, fields),
  error: (message: string, fields?: Record<string, unknown>) => writeLine('error', message, fields),
};
