/** Small pure helpers for the pages the tools write (docs/performance.md, docs/guarantees.md). */

/** A markdown table; `|` inside a cell is escaped so that a cell never splits. */
export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** `2026-12-01T23:59:29.213Z` → `2026-12-01 23:59 UTC`: a run's time, to the minute. */
export const when = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

/** `2 CPUs (model)`, or '' when the results did not record the machine. */
export function machine(cpus: number | undefined, model: string | undefined): string {
  if (cpus === undefined) return '';
  return `${cpus} CPU${cpus === 1 ? '' : 's'}${model ? ` (${model.trim()})` : ''}`;
}
