/**
 * The CloudFormation stage `serverless package` builds throttles every route of serverless.yml
 * as the route declares (tests/unit/routes.test.ts checks the declarations themselves).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { packaged } from '../support/packaged';

type HttpApiEvent = { method: string; path: string; throttle?: { burst: number; rate: number } };
const { functions } = parse(readFileSync('serverless.yml', 'utf8'), { logLevel: 'error' }) as {
  functions: Record<string, { events?: Array<{ httpApi?: HttpApiEvent }> }>;
};
const routes = Object.values(functions)
  .flatMap((fn) => fn.events ?? [])
  .flatMap(({ httpApi }) => (httpApi ? [{ key: `${httpApi.method} ${httpApi.path}`, ...httpApi }] : []));

describe('routes as packaged', () => {
  it('the CloudFormation stage throttles every route, after the route exists', async () => {
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
