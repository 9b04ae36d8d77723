/**
 * The sandbox is local only: what `serverless package` builds for a deploy has no `/sandbox`
 * route, and no bundle carries the sandbox, the local stack or the stand-ins (each bundle's
 * build's metafile names every input that left code in it; every file of every zip is read too).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleContents } from '../../scripts/bundle-contents';
import { packaged } from '../support/packaged';

/** Sources that must never be deployed. */
const LOCAL_ONLY = [
  /(^|\/)sandbox\//,
  /(^|\/)scripts\/local-stack\.ts$/,
  /(^|\/)scripts\/start\.ts$/,
  /(^|\/)emulators\//,
];

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? filesUnder(file) : [file];
  });
}

describe('the deployed package carries no sandbox', () => {
  it('no /sandbox route in the CloudFormation template, no sandbox source in any bundle', async () => {
    const pkg = await packaged('lambda');
    const template = readFileSync(path.join(pkg.dir, 'cloudformation-template-update-stack.json'), 'utf8');
    const { Resources } = JSON.parse(template) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    const routeKeys = Object.values(Resources)
      .filter((r) => r.Type === 'AWS::ApiGatewayV2::Route')
      .map((r) => String(r.Properties.RouteKey));
    expect(routeKeys.length).toBeGreaterThan(0);
    expect(routeKeys.filter((k) => /sandbox/i.test(k))).toEqual([]);
    expect(template).not.toMatch(/\/sandbox/i);

    expect(pkg.functions.length).toBeGreaterThan(0);
    for (const fn of pkg.functions) {
      const { inputs } = await bundleContents(pkg, fn);
      // A list that names nothing would prove nothing: each names its own handler.
      expect(
        inputs.some((s) => s.endsWith(fn.entry)),
        fn.name,
      ).toBe(true);
      const local = inputs.filter((s) => LOCAL_ONLY.some((re) => re.test(s.replaceAll('\\', '/'))));
      expect(local, fn.name).toEqual([]);
      // Nor any file in the zip (a console asset, say) that names a sandbox route.
      for (const file of filesUnder(path.join(pkg.dir, fn.name))) {
        expect(readFileSync(file, 'latin1'), `${fn.name}: ${path.relative(pkg.dir, file)}`).not.toContain(
          '/sandbox/',
        );
      }
    }
  }, 200_000);
});
