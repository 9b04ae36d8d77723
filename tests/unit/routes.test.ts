/**
 * A route is one entry of lib/http/routes.ts, its handler and its tests: this fails when an entry
 * names no function, has no throttling or no example, when an admin change route has no audit
 * action, when serverless.yml writes a route of its own, or when the README's routes table or docs/routes.md is stale. The package: tests/packaging/
 * routes-as-packaged.test.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { handlerFile, ROUTES, routeKey, type RouteSpec } from '../../lib/http/routes';
import { renderRoutesPage, withRoutesTable } from '../../scripts/route-docs';

type Fn = { handler: string; events?: Array<Record<string, unknown>> };
const read = (file: string) => readFileSync(file, 'utf8');
const { functions } = parse(read('serverless.yml'), { logLevel: 'error' }) as {
  functions: Record<string, Fn>;
};
const routes: readonly RouteSpec[] = ROUTES;
const keys = routes.map(routeKey);

describe('the route table', () => {
  it('every function of serverless.yml names a handler file that exports it', () => {
    for (const [name, fn] of Object.entries(functions)) {
      const [file, exported] = fn.handler.split(/\.(?=[^.]+$)/) as [string, string];
      expect(existsSync(`${file}.ts`), `${name}: ${file}.ts`).toBe(true);
      expect(read(`${file}.ts`), `${name}: export ${exported}`).toMatch(
        new RegExp(`export const ${exported}\\b`),
      );
    }
  });

  it('names each route once, served by a function of serverless.yml (functions/<its name>.ts), which writes no route of its own', () => {
    expect(new Set(keys).size).toBe(keys.length);
    for (const r of routes) {
      expect(functions[r.fn], `${routeKey(r)}: no function ${r.fn}`).toBeDefined();
      expect(`${functions[r.fn]!.handler.replace(/\.[^.]+$/, '')}.ts`, routeKey(r)).toBe(handlerFile(r.fn));
    }
    for (const [name, fn] of Object.entries(functions)) {
      expect(
        (fn.events ?? []).filter((e) => 'httpApi' in e || 'http' in e),
        name,
      ).toEqual([]);
    }
  });

  it('every route has its own throttling', () => {
    for (const r of routes) {
      expect(r.throttle, routeKey(r)).toEqual({ burst: expect.any(Number), rate: expect.any(Number) });
      expect(r.throttle.burst, routeKey(r)).toBeGreaterThanOrEqual(r.throttle.rate);
      expect(r.throttle.rate, routeKey(r)).toBeGreaterThanOrEqual(1);
    }
  });

  it('every route has an example request naming each of its path parameters (the hostile-input test sends it)', () => {
    for (const r of routes) {
      const params = [...r.path.matchAll(/\{(\w+)\+?\}/g)].map((m) => m[1]!);
      expect(Object.keys(r.example.params ?? {}).sort(), routeKey(r)).toEqual(params.sort());
      if (r.method !== 'GET') expect(r.example.query, routeKey(r)).toBeUndefined();
      if (r.method === 'GET') expect(r.example.body, routeKey(r)).toBeUndefined();
    }
  });

  it('every admin route that changes something (not a GET) has its audit action, <object>.<verb>, and only those', () => {
    for (const r of routes) {
      if (r.who === 'admin' && r.method !== 'GET') {
        expect(r.audit, `${routeKey(r)}: add an \`audit\` action (docs/audit.md)`).toMatch(
          /^[a-z][a-z_]*\.[a-z][a-z_]*$/,
        );
      } else {
        expect(r.audit, routeKey(r)).toBeUndefined();
      }
    }
    const actions = routes.flatMap((r) => (r.audit ? [r.audit] : []));
    expect(new Set(actions).size, 'one action per route').toBe(actions.length);
  });

  it("the README's routes table and docs/routes.md are generated from it (npm run docs)", async () => {
    const readme = read('README.md');
    const options = (file: string) => resolveConfig(file).then((o) => ({ ...(o ?? {}), filepath: file }));
    expect(readme, 'run `npm run docs`').toBe(
      await format(withRoutesTable(readme), await options('README.md')),
    );
    expect(read('docs/routes.md'), 'run `npm run docs`').toBe(
      await format(renderRoutesPage(), await options('docs/routes.md')),
    );
    for (const key of keys) expect(readme).toContain(`\`${key}\``);
  });
});
