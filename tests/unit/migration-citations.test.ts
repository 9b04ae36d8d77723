/**
 * A comment that cites a migration or a definition file names what that file holds
 * (tests/support/sql-citations.ts has the convention): a migration number that moved, or a
 * function cited by the migration that once wrote it, fails here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { citationProblems, readSqlFiles, repoTextFiles } from '../support/sql-citations';

const sql = readSqlFiles();
/** This file: its examples below are wrong on purpose. */
const SELF = 'tests/unit/migration-citations.test.ts';
const problems = (text: string) => citationProblems(text, sql).map((c) => c.problem);

describe('citations of SQL files', () => {
  it('every citation in the repository names something the cited file holds', () => {
    const files = repoTextFiles().filter((file) => file !== SELF);
    expect(files).toEqual(expect.arrayContaining(['README.md', 'docs/how-it-works.md', 'lib/db/schema.ts']));
    const wrong = files.flatMap((file) =>
      citationProblems(readFileSync(file, 'utf8'), sql).map(
        (c) => `${file}:${c.line}: ${c.cited}: ${c.problem}`,
      ),
    );
    expect(wrong).toEqual([]);
  });

  it('accepts a table by its migration, and a function or trigger by its definition file', () => {
    for (const text of [
      'writes a row of `admin_sessions` (drizzle/0015) and sets the cookie.',
      'Always an original: `duplicate_of` (drizzle/0010_duplicate-leads.sql).',
      'calls `teaser_window_start()` (drizzle/functions/teaser-window-start.sql), which',
      'Triggers (`drizzle/functions/lead-funnels.sql`) keep `lead_funnels`, one row per lead.',
      'the columns `teaser_hours_start` and `teaser_hours_end` (migration 0013).',
    ])
      expect(problems(text), text).toEqual([]);
  });

  it('refuses a migration that does not hold what the sentence names, or does not exist', () => {
    expect(problems('it calls `lead_duplicate_of()` (drizzle/0009), which locks')).toEqual([
      expect.stringMatching(
        /function or trigger is cited by its definition file \(drizzle\/functions\/lead-duplicate-of\.sql\)/,
      ),
    ]);
    expect(problems('a column `duplicate_of` (drizzle/0009).')).toEqual([
      'drizzle/0009_provider-language.sql does not contain `duplicate_of`',
    ]);
    expect(problems('a table `admin_sessions` (drizzle/0099).')).toEqual([
      'no migration 0099 in drizzle/meta/_journal.json',
    ]);
    expect(problems('the column `duplicate_of` (drizzle/0010_quiet-hours.sql).')).toEqual([
      'migration 0010 is drizzle/0010_duplicate-leads.sql',
    ]);
    expect(problems('the column `teasers_sent` (drizzle/0006, 0014).')).toEqual([
      'drizzle/0006_stats-rollup.sql does not contain `teasers_sent`',
    ]);
    expect(problems('never another duplicate (lib/leads/create-lead.ts, drizzle/0010).')).toEqual([
      'its sentence names no table, column, index, function or trigger for it to be checked against',
    ]);
  });

  it('refuses a function or trigger cited by the migration that once wrote it', () => {
    for (const text of [
      'Copied from the lead by the trigger `unlocks_stamp` (drizzle/0006): the UTC day.',
      'kept by triggers on leads, offers, sms_messages and unlocks (drizzle/0006) in the transaction.',
      '`teaser_window_start()`, 0013_quiet-hours.sql: Postgres does the arithmetic.',
    ])
      expect(problems(text), text).toEqual([expect.stringContaining('cited by its definition file')]);
    expect(problems('`teaser_window_start()` (drizzle/functions/quiet-hours.sql).')).toEqual([
      expect.stringMatching(/^no such definition file/),
    ]);
    expect(problems('`lead_funnels_rebuild()` (drizzle/functions/teaser-window-start.sql).')).toEqual([
      'drizzle/functions/teaser-window-start.sql does not contain `lead_funnels_rebuild`',
    ]);
  });
});
