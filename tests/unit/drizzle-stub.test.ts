// The bench's drizzle stand-in (bench/drizzle-stub.ts) must export every name the deployed code
// imports from drizzle-orm: a missing one fails only the cold-start bench's build, late.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as stub from '../../bench/drizzle-stub';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : /\.tsx?$/.test(e.name) ? [p] : [];
  });
}

/** Value names imported from drizzle-orm or its pg-core (`import type` and `type X` left out). */
function importedNames(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const names: string[] = [];
  for (const m of text.matchAll(/import\s+(type\s+)?\{([^}]*)\}\s+from\s+'drizzle-orm(?:\/pg-core)?'/g)) {
    if (m[1]) continue;
    for (const part of m[2]!.split(',')) {
      const name = part.trim();
      if (name && !name.startsWith('type ')) names.push(name.split(/\s+as\s+/)[0]!);
    }
  }
  return names;
}

describe('bench/drizzle-stub.ts', () => {
  it('exports every drizzle-orm name lib/ and functions/ import', () => {
    const files = [...sources('lib'), ...sources('functions')];
    const names = new Set(files.flatMap(importedNames));
    expect(names.size).toBeGreaterThan(10);
    const missing = [...names].filter((n) => !(n in stub));
    expect(missing).toEqual([]);
  });
});
