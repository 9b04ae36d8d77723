/**
 * The fast project stays fast and no test file is left out: every test file under tests/ is in
 * exactly one project of vitest.config.ts, and only the packaging project's files run
 * `serverless package` (tests/support/packaged.ts or scripts/package-service.ts's packageService).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TestProjectInlineConfiguration } from 'vitest/config';
import config from '../../vitest.config';

const projects = (config.test?.projects ?? []) as TestProjectInlineConfiguration[];
const testFiles = readdirSync('tests', { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.test.ts'))
  .map((f) => path.posix.join('tests', f.split(path.sep).join('/')));

/** The projects whose include (each a folder's `<folder>/**\/*.test.ts`) takes `file`. */
function projectsOf(file: string): string[] {
  return projects
    .filter((p) => (p.test?.include ?? []).some((glob) => file.startsWith(folderOf(glob))))
    .map((p) => p.test!.name as string);
}

function folderOf(glob: string): string {
  const [folder, rest] = glob.split('/**/', 2);
  if (rest !== '*.test.ts') throw new Error(`${glob}: not <folder>/**/*.test.ts`);
  return `${folder}/`;
}

describe('vitest projects', () => {
  it('every test file is in exactly one project', () => {
    expect(testFiles.length).toBeGreaterThan(50);
    const misplaced = testFiles
      .map((f) => ({ f, in: projectsOf(f) }))
      .filter((x) => x.in.length !== 1)
      .map((x) => `${x.f}: ${x.in.join(', ') || 'no project'}`);
    expect(misplaced).toEqual([]);
  });

  it('only the packaging project runs serverless package', () => {
    const packaging = testFiles.filter((f) =>
      /from '\.\.\/support\/packaged'|\bpackageService\(/.test(readFileSync(f, 'utf8')),
    );
    expect(packaging.length).toBeGreaterThan(0);
    expect(packaging.filter((f) => projectsOf(f).join() !== 'packaging')).toEqual([]);
  });

  it('runs the fast project first', () => {
    const order = projects.map((p) => [p.test!.name, p.test!.sequence?.groupOrder ?? 0] as const);
    const fast = order.find(([name]) => name === 'fast')![1];
    expect(order.filter(([name, group]) => name !== 'fast' && group <= fast)).toEqual([]);
  });
});
