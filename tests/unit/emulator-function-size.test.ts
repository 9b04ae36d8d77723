/**
 * The stand-ins stay readable: no function in emulators/ runs over 150 lines (before they were
 * split by resource, `startFakeStripe` alone was 884). A function's lines are its body's, the
 * functions nested in it included, as the TypeScript compiler parses the file.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const LIMIT = 150;

type Size = { where: string; lines: number };

function functionSizes(fileName: string, text: string): Size[] {
  const file = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const line = (pos: number) => file.getLineAndCharacterOfPosition(pos).line;
  const sizes: Size[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const body = node.body as ts.Node;
      // `const f = () => …` and `{ f: () => … }` take their name from where they are held.
      const named = 'name' in node && node.name ? node : node.parent;
      const name =
        named && 'name' in named && named.name ? (named.name as ts.Node).getText(file) : '(anonymous)';
      sizes.push({
        where: `${fileName}:${line(node.getStart(file)) + 1} ${name}`,
        lines: line(body.getEnd()) - line(body.getStart(file)) + 1,
      });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return sizes;
}

describe('emulators/', () => {
  it(`has no function over ${LIMIT} lines`, () => {
    const files = readdirSync('emulators', { recursive: true, encoding: 'utf8' }).filter((f) =>
      f.endsWith('.ts'),
    );
    const sizes = files.flatMap((f) => {
      const p = path.join('emulators', f);
      return functionSizes(p, readFileSync(p, 'utf8'));
    });
    expect(sizes.length).toBeGreaterThan(100);
    const tooLong = sizes.filter((s) => s.lines > LIMIT).map((s) => `${s.where}: ${s.lines} lines`);
    expect(tooLong).toEqual([]);
  });

  it('counts the lines of a function with those of the functions inside it', () => {
    const body = (n: number) => '  call();\n'.repeat(n);
    const source = `export function outer() {\n${body(100)}  const inner = () => {\n${body(60)}  };\n}\n`;
    expect(functionSizes('x.ts', source).map((s) => [s.where, s.lines])).toEqual([
      ['x.ts:1 outer', 164],
      ['x.ts:102 inner', 62],
    ]);
  });
});
