/**
 * What `serverless package` builds from lib/http/routes.ts: every route of the table, to its own
 * function, throttled by the CloudFormation stage after the route exists; no bundle carries the
 * table (tests/unit/routes.test.ts checks the table and the files generated from it).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROUTES, routeKey, type RouteSpec } from '../../lib/http/routes';
import { bundleContents } from '../../scripts/bundle-contents';
import { packaged } from '../support/packaged';

const read = (file: string) => readFileSync(file, 'utf8');
const routes: readonly RouteSpec[] = ROUTES;
const keys = routes.map(routeKey);
describe('routes as packaged', () => {
  it('every route of the table, to its function, throttled by the CloudFormation stage after the route exists; no bundle carries the table', async () => {
    const pkg = await packaged('lambda');
    type Resource = { Type: string; DependsOn?: string[]; Properties: Record<string, unknown> };
    const template = JSON.parse(read(`${pkg.dir}/cloudformation-template-update-stack.json`)) as {
      Resources: Record<string, Resource>;
    };
    const resources = Object.entries(template.Resources);
    const routeResources = resources.filter(([, r]) => r.Type === 'AWS::ApiGatewayV2::Route');
    const routeIds = routeResources.map(([id]) => id);
    const [, stage] = resources.find(([, r]) => r.Type === 'AWS::ApiGatewayV2::Stage')!;
    expect(routeIds).toHaveLength(routes.length);
    // Each route's integration is its own function's (HttpApiIntegration<Name>).
    const served = Object.fromEntries(
      routeResources.map(([, r]) => [
        r.Properties.RouteKey,
        JSON.stringify(r.Properties.Target).match(/HttpApiIntegration(\w+)/)![1],
      ]),
    );
    expect(served).toEqual(
      Object.fromEntries(routes.map((r) => [routeKey(r), r.fn[0]!.toUpperCase() + r.fn.slice(1)])),
    );
    expect([...(stage.DependsOn ?? [])].sort()).toEqual(expect.arrayContaining([...routeIds].sort()));
    const settings = stage.Properties.RouteSettings as Record<string, unknown>;
    expect(Object.keys(settings).sort()).toEqual([...keys].sort());
    for (const r of routes) {
      expect(settings[routeKey(r)]).toEqual({
        ThrottlingBurstLimit: r.throttle.burst,
        ThrottlingRateLimit: r.throttle.rate,
      });
    }
    // The functions import the table's types only: no bundle grows by carrying it.
    for (const fn of pkg.functions) {
      const { inputs } = await bundleContents(pkg, fn);
      expect(
        inputs.some((s) => s.endsWith(fn.entry)),
        fn.name,
      ).toBe(true);
      expect(
        inputs.filter((s) => s.endsWith('lib/http/routes.ts')),
        fn.name,
      ).toEqual([]);
    }
  }, 200_000);
});
