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

function mask(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskText(value);
  if (value instanceof Error) {
    // The code and the cause too: a wrapped error ("Failed query: …") says little without what
    // it wraps (a timeout, ECONNREFUSED, a constraint).
    const code = (value as { code?: unknown }).code;
    return {
      name: value.name,
      message: maskText(value.message),
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
