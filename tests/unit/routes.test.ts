/**
 * A route is its handler file, its entry in serverless.yml and its tests: this fails when an
 * entry has no handler, no throttling, or no hostile-input property test. The packaged stage's
 * throttling: tests/packaging/routes-as-packaged.test.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

type HttpApiEvent = { method: string; path: string; throttle?: { burst: number; rate: number } };
type Fn = { handler: string; events?: Array<{ httpApi?: HttpApiEvent; schedule?: unknown }> };
const { functions } = parse(readFileSync('serverless.yml', 'utf8'), { logLevel: 'error' }) as {
  functions: Record<string, Fn>;
};

const routes = Object.entries(functions).flatMap(([name, fn]) =>
  (fn.events ?? []).flatMap((e) =>
    e.httpApi ? [{ name, key: `${e.httpApi.method} ${e.httpApi.path}`, ...e.httpApi }] : [],
  ),
);

describe('routes in serverless.yml', () => {
  it('every function names a handler file that exports it', () => {
    for (const [name, fn] of Object.entries(functions)) {
      const [file, exported] = fn.handler.split(/\.(?=[^.]+$)/) as [string, string];
      expect(existsSync(`${file}.ts`), `${name}: ${file}.ts`).toBe(true);
      expect(readFileSync(`${file}.ts`, 'utf8'), `${name}: export ${exported}`).toMatch(
        new RegExp(`export const ${exported}\\b`),
      );
    }
  });

  it('every route has its own throttling', () => {
    expect(routes.length).toBeGreaterThan(0);
    for (const r of routes) {
      expect(r.throttle, r.key).toEqual({ burst: expect.any(Number), rate: expect.any(Number) });
      expect(r.throttle!.burst, r.key).toBeGreaterThanOrEqual(r.throttle!.rate);
    }
  });

  it('every route is in the hostile-input properties', () => {
    const hostile = readFileSync('tests/integration/hostile-input.test.ts', 'utf8');
    const titles = [...hostile.matchAll(/\bit\(\s*'([^']+)'/g)].map((m) => m[1]!);
    const missing = routes.filter((r) => !titles.some((t) => t.includes(r.key))).map((r) => r.key);
    expect(missing).toEqual([]);
  });
});
