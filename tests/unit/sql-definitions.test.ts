/**
 * Every SQL function and trigger has one current definition, in one file of drizzle/functions/
 * (lib/db/migrate.ts applies them after the migrations). tests/integration/migrations.test.ts
 * checks what a migrated database ends up with.
 */
import { describe, expect, it } from 'vitest';
import { readSqlFiles } from '../support/sql-citations';

const sql = readSqlFiles();
const CREATES = /\bcreate\s+(?:or\s+replace\s+)?(function|trigger)\s+(\w+)/gi;
/** The last migration written before drizzle/functions/: its predecessors' definitions are history. */
const LAST_WITH_DEFINITIONS = 15;

describe('SQL functions and triggers', () => {
  it('are each created in one definition file, once, with `create or replace` (the runner applies them every time)', () => {
    const seen = new Map<string, string[]>();
    for (const [file, text] of sql.definitions) {
      for (const m of text.matchAll(CREATES)) {
        expect(m[0].toLowerCase(), `${file}: ${m[0]}`).toMatch(/^create\s+or\s+replace\s/);
        const key = `${m[1]!.toLowerCase()} ${m[2]!.toLowerCase()}`;
        seen.set(key, [...(seen.get(key) ?? []), file]);
      }
    }
    expect([...seen.keys()]).toEqual(
      expect.arrayContaining([
        'function lead_funnels_rebuild',
        'trigger unlocks_funnel_refund',
        'function teaser_window_start',
      ]),
    );
    expect([...seen].filter(([, files]) => files.length > 1)).toEqual([]);
  });

  it('are defined in no migration written after drizzle/functions/ (a migration may drop one)', () => {
    const defining = [...sql.migrations]
      .filter(([idx, m]) => idx > LAST_WITH_DEFINITIONS && [...m.text.matchAll(CREATES)].length > 0)
      .map(([, m]) => m.tag);
    expect(defining, 'define functions and triggers in drizzle/functions/').toEqual([]);
    // The ones before it did, and stay as they are: they are history, applied in deployed databases.
    expect(sql.migrations.get(14)!.text).toMatch(CREATES);
  });
});
