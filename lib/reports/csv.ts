/**
 * CSV as RFC 4180 writes it (https://www.rfc-editor.org/rfc/rfc4180#section-2): CRLF between
 * records, a field holding a comma, a double quote, CR or LF enclosed in double quotes, and a
 * double quote inside one doubled. Written by hand: the rules are these few lines, and a CSV
 * package would be more than the code it replaces.
 *
 * Text that a spreadsheet would run as a formula (OWASP, "CSV Injection": a cell starting with
 * `=`, `+`, `-`, `@`, a tab or a carriage return) is prefixed with `'`, so that it shows as the
 * text it is. Only text is guarded: numbers, booleans and our own timestamps are written as they are.
 */
export type CsvValue = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One field: text guarded against formulas, then quoted when RFC 4180 asks for it. */
export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The header line and one line per row, each ending in CRLF. */
export function toCsv<K extends string>(columns: readonly K[], rows: Iterable<Record<K, CsvValue>>): string {
  const lines = [columns.map(csvField).join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvField(row[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
