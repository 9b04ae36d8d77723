/**
 * `.env.example` and the README's configuration table, rendered from lib/config.ts's table of
 * variables: pure functions, used by `npm run docs` to write them and by a test to check them.
 */
import { VARIABLES, type Variable } from '../lib/config';
import { table } from './markdown';

const entries = () => Object.entries(VARIABLES) as Array<[string, Variable]>;

/** Words wrapped to comment lines of at most `width` characters. */
function comment(text: string, width = 100): string[] {
  const lines: string[] = [];
  let line = '#';
  for (const word of text.replace(/`/g, '').split(/\s+/)) {
    if (line.length + 1 + word.length > width && line !== '#') {
      lines.push(line);
      line = '#';
    }
    line += ` ${word}`;
  }
  return [...lines, line];
}

export function renderEnvExample(): string {
  const out = [
    '# Lead Unlock configuration, generated from lib/config.ts by `npm run docs`: edit that table, not',
    '# this file. Every variable is optional locally (`npm start` works with none); an empty value is',
    '# unset. Copy to .env (git-ignored; `npm start` and `npm run db:migrate` read it) or export them.',
    '# Secrets come from SSM Parameter Store in a deployed stage (README, Deploying).',
  ];
  let group = '';
  for (const [name, v] of entries()) {
    if (v.group !== group) {
      group = v.group;
      out.push('', `# ${group.replace(/`/g, '')}`);
    }
    const unset = v.default === undefined && v.unset ? ` Unset: ${v.unset}.` : '';
    out.push(...comment(`${v.meaning}.${unset}${v.secret ? ' Secret.' : ''}`), `${name}=${v.default ?? ''}`);
  }
  return `${out.join('\n')}\n`;
}

export function renderConfigTable(): string {
  return table(
    ['variable', 'meaning', 'default'],
    entries().map(([name, v]) => [
      `\`${name}\``,
      `${v.secret ? '**secret** (SSM when deployed): ' : ''}${v.meaning}`,
      v.default !== undefined ? `\`${v.default}\`` : (v.unset ?? 'none'),
    ]),
  );
}

export const CONFIG_START = '<!-- config:start -->';
export const CONFIG_END = '<!-- config:end -->';

/** The README with the table between its markers replaced. */
export function withConfigTable(readme: string): string {
  const start = readme.indexOf(CONFIG_START);
  const end = readme.indexOf(CONFIG_END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${CONFIG_START} … ${CONFIG_END}`);
  return `${readme.slice(0, start + CONFIG_START.length)}\n\n${renderConfigTable()}\n\n${readme.slice(end)}`;
}
