/**
 * Structured JSON logs, one line per entry. Phone numbers and e-mail addresses are masked
 * wherever they appear (keys or free text), so a log line never carries a client's contact.
 */
type Level = 'debug' | 'info' | 'warn' | 'error';

const EMAIL = /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})/g;
// Runs of 7+ digits, optionally with a leading + and the usual separators.
const PHONE = /\+?\d(?:[\s().-]*\d){6,}/g;

/** Masks e-mails (`j***@example.com`) and phone numbers (`+1*******23`) in free text. */
export function maskText(text: string): string {
  return text
    .replace(EMAIL, (_m, first: string, domain: string) => `${first}***@${domain}`)
    .replace(PHONE, (m) => {
      const digits = m.replace(/\D/g, '');
      return `${m.startsWith('+') ? '+' : ''}${digits.slice(0, 1)}${'*'.repeat(Math.max(0, digits.length - 3))}${digits.slice(-2)}`;
    });
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
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mask(v, depth + 1)]));
}

function write(level: Level, message: string, fields?: Record<string, unknown>): void {
  if (process.env.LOG_LEVEL === 'silent') return;
  if (level === 'debug' && process.env.LOG_LEVEL !== 'debug') return;
  const line = JSON.stringify({
    level,
    time: new Date().toISOString(),
    message: maskText(message),
    ...(fields ? (mask(fields) as Record<string, unknown>) : {}),
  });
  if (level === 'error' || level === 'warn') console.error(line);
  else console.log(line);
}

export const log = {
  debug: (message: string, fields?: Record<string, unknown>) => write('debug', message, fields),
  info: (message: string, fields?: Record<string, unknown>) => write('info', message, fields),
  warn: (message: string, fields?: Record<string, unknown>) => write('warn', message, fields),
  error: (message: string, fields?: Record<string, unknown>) => write('error', message, fields),
};
