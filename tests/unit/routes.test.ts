/**
 * A route is its handler file, its entry in serverless.yml and its tests: this fails when an
 * entry has no handler, no throttling, or no hostile-input property test.
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

describe('routes as packaged', () => {
  it('the CloudFormation stage throttles every route, after the route exists', async () => {
    const { packaged } = await import('../support/packaged');
    const { dir } = await packaged('lambda');
    type Resource = { Type: string; DependsOn?: string[]; Properties: Record<string, unknown> };
    const template = JSON.parse(readFileSync(`${dir}/cloudformation-template-update-stack.json`, 'utf8')) as {
      Resources: Record<string, Resource>;
    };
    const resources = Object.entries(template.Resources);
    const routeIds = resources.filter(([, r]) => r.Type === 'AWS::ApiGatewayV2::Route').map(([id]) => id);
    const [, stage] = resources.find(([, r]) => r.Type === 'AWS::ApiGatewayV2::Stage')!;
    expect(routeIds).toHaveLength(routes.length);
    expect([...(stage.DependsOn ?? [])].sort()).toEqual(expect.arrayContaining([...routeIds].sort()));
    const settings = stage.Properties.RouteSettings as Record<string, unknown>;
    expect(Object.keys(settings).sort()).toEqual(routes.map((r) => r.key).sort());
    for (const r of routes) {
      expect(settings[r.key]).toEqual({
        ThrottlingBurstLimit: r.throttle!.burst,
        ThrottlingRateLimit: r.throttle!.rate,
      });
    }
  }, 200_000);
});
