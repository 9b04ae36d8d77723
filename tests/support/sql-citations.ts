/**
 * Comments that cite a SQL file, checked against what the file holds. The convention:
 *
 * - a function or trigger is cited by its definition file, `drizzle/functions/<subject>.sql`,
 *   which holds its current definition (earlier ones in migrations are history);
 * - a migration, `drizzle/00NN` or `drizzle/00NN_<tag>.sql`, is cited for what it did to the
 *   tables (a table, column, index, constraint or backfill), never for a function or trigger;
 * - the sentence of a citation names the database object it is about (`lead_funnels`,
 *   `teaser_window_start()`): the one nearest before the citation (else after it) must occur in
 *   the cited file.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export type SqlFiles = {
  /** Migration number → its journal tag (`0010_duplicate-leads`) and text. */
  migrations: Map<number, { tag: string; text: string }>;
  /** drizzle/functions/ file name → its text. */
  definitions: Map<string, string>;
};

export type Citation = { cited: string; line: number; problem: string };

const CITATION =
  /\bdrizzle\/functions\/([\w.-]+)|\bdrizzle\/(\d{4})(?:_([\w-]+?))?(?:\.sql)?(?![\w-])((?:(?:,\s*|,?\s+and\s+)\d{4}\b)*)|(?<!\/)\b(\d{4})_([\w-]+?)\.sql\b|\bmigrations?\s+(\d{4})\b/gi;
const SNAKE = /\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b|`([a-z][a-z0-9]*)(?:\(\))?`/g;
const SENTENCE_END = /[.!?](?=\s)|\n[ \t]*(?:\*|\/\/|--|#)?[ \t]*\n|\/\*\*|\*\//g;
const SPEAKS_OF_ROUTINES = /\b(?:triggers?|functions?)\b/i;

export function readSqlFiles(root = '.'): SqlFiles {
  const drizzle = path.join(root, 'drizzle');
  const journal = JSON.parse(readFileSync(path.join(drizzle, 'meta/_journal.json'), 'utf8')) as {
    entries: Array<{ idx: number; tag: string }>;
  };
  return {
    migrations: new Map(
      journal.entries.map(({ idx, tag }) => [
        idx,
        { tag, text: readFileSync(path.join(drizzle, `${tag}.sql`), 'utf8') },
      ]),
    ),
    definitions: new Map(
      readdirSync(path.join(drizzle, 'functions'))
        .filter((name) => name.endsWith('.sql'))
        .map((name) => [name, readFileSync(path.join(drizzle, 'functions', name), 'utf8')]),
    ),
  };
}

/** Names the definition files give their functions and triggers. */
export function definedRoutines(sql: SqlFiles): Map<string, string> {
  const names = new Map<string, string>();
  for (const [file, text] of sql.definitions) {
    for (const m of text.matchAll(/\bcreate\s+(?:or\s+replace\s+)?(?:function|trigger)\s+(\w+)/gi))
      names.set(m[1]!.toLowerCase(), file);
  }
  return names;
}

const containsWord = (text: string, word: string) => new RegExp(`(?<![\\w])${word}(?![\\w])`, 'i').test(text);

/** The sentence around `at`: from the previous sentence end (or comment start) to the next. */
function sentenceAround(text: string, at: number): { start: number; end: number } {
  let start = 0;
  let end = text.length;
  for (const m of text.matchAll(SENTENCE_END)) {
    if (m.index + m[0].length <= at) start = m.index + m[0].length;
    else if (m.index >= at) {
      end = m.index;
      break;
    }
  }
  return { start, end };
}

/** What is wrong with each citation of a SQL file in `text` (empty when every one holds). */
export function citationProblems(text: string, sql: SqlFiles): Citation[] {
  const problems: Citation[] = [];
  const routines = definedRoutines(sql);
  const allSql = [...[...sql.migrations.values()].map((m) => m.text), ...sql.definitions.values()].join('\n');
  for (const m of text.matchAll(CITATION)) {
    const cited = m[0];
    const line = text.slice(0, m.index).split('\n').length;
    const fail = (problem: string) => problems.push({ cited, line, problem });
    const { start, end } = sentenceAround(text, m.index);
    const before = text.slice(start, m.index);
    const after = text.slice(m.index + cited.length, end);
    const names = (part: string) =>
      [...part.matchAll(SNAKE)]
        .map((n) => (n[1] ?? n[0]).toLowerCase())
        .filter((n) => containsWord(allSql, n));
    const named = names(before).at(-1) ?? names(after)[0];

    // The files cited: one definition file, or one or more migrations.
    let files: Array<{ label: string; text: string; migration: boolean }>;
    if (m[1] !== undefined) {
      const body = sql.definitions.get(m[1]);
      if (body === undefined) {
        fail(`no such definition file (drizzle/functions/ holds ${[...sql.definitions.keys()].join(', ')})`);
        continue;
      }
      files = [{ label: `drizzle/functions/${m[1]}`, text: body, migration: false }];
    } else {
      const numbers = [m[2] ?? m[5] ?? m[7]!, ...(m[4] ?? '').split(/\D+/).filter(Boolean)];
      const tag = m[3] ?? m[6];
      files = [];
      for (const n of numbers) {
        const migration = sql.migrations.get(Number(n));
        if (!migration) fail(`no migration ${n} in drizzle/meta/_journal.json`);
        else if (tag !== undefined && numbers.length === 1 && migration.tag !== `${n}_${tag}`)
          fail(`migration ${n} is drizzle/${migration.tag}.sql`);
        else files.push({ label: `drizzle/${migration.tag}.sql`, text: migration.text, migration: true });
      }
      if (files.length < numbers.length) continue;
    }

    if (named === undefined) {
      fail('its sentence names no table, column, index, function or trigger for it to be checked against');
      continue;
    }
    for (const file of files) {
      if (file.migration && (routines.has(named) || SPEAKS_OF_ROUTINES.test(before))) {
        const home = routines.get(named);
        fail(
          `a function or trigger is cited by its definition file${home ? ` (drizzle/functions/${home})` : ''}, not by the migration that once wrote it`,
        );
      } else if (!containsWord(file.text, named)) fail(`${file.label} does not contain \`${named}\``);
    }
  }
  return problems;
}

/** Folders and root files whose text may cite SQL files (generated and vendored ones aside). */
const SCANNED = [
  'lib',
  'functions',
  'docs',
  'drizzle',
  'tests',
  'bench',
  'scripts',
  'sandbox',
  'emulators',
  'console',
  'reliability',
];
const SKIPPED = new Set(['node_modules', 'meta']);
const TEXT = /\.(?:ts|tsx|cts|mts|js|cjs|mjs|md|sql|ya?ml|sh)$/;

export function repoTextFiles(root = '.'): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
      const rel = path.join(dir, e.name);
      if (e.isDirectory()) return SKIPPED.has(e.name) ? [] : walk(rel);
      return TEXT.test(e.name) ? [rel] : [];
    });
  const rootFiles = readdirSync(root).filter((name) => TEXT.test(name));
  return [...rootFiles, ...SCANNED.flatMap((dir) => walk(dir))].sort();
}
