/**
 * Alarms per stage, and what the zips ship (issue 20 §5), read from the package `serverless
 * package` builds (stage `dev`): every alarm watches this stage's metrics only and says when it is
 * over (OKActions); the outbox alarm cannot fire on a fresh stack yet reports a dispatcher gone
 * silent; each zip holds its bundle and nothing else (no source map nobody reads).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ServicePackage } from '../../scripts/package-service';
import { packaged } from '../support/packaged';

type Alarm = {
  Namespace: string;
  MetricName: string;
  Dimensions: Array<{ Name: string; Value: unknown }>;
  TreatMissingData: string;
  AlarmActions?: unknown[];
  OKActions?: unknown[];
  InsufficientDataActions?: unknown[];
};
type Template = { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };

let pkg: ServicePackage;
let template: Template;
beforeAll(async () => {
  pkg = await packaged('lambda');
  template = JSON.parse(
    readFileSync(path.join(pkg.dir, 'cloudformation-template-update-stack.json'), 'utf8'),
  ) as Template;
}, 180_000);

const alarms = () =>
  Object.fromEntries(
    Object.entries(template.Resources)
      .filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm')
      .map(([id, r]) => [id, r.Properties as Alarm]),
  );

describe('alarms', () => {
  it("watch this stage's metrics only: the business metrics by their stage dimension", () => {
    const all = alarms();
    expect(Object.keys(all).sort()).toEqual(
      ['Api5xxAlarm', 'DispatcherErrorsAlarm', 'OutboxBacklogAlarm', 'SmsFailedAlarm'].sort(),
    );
    for (const [id, a] of Object.entries(all)) {
      const dims = Object.fromEntries(a.Dimensions.map((d) => [d.Name, d.Value]));
      if (a.Namespace === 'LeadUnlock') {
        expect(dims, id).toEqual({ service: 'lead-unlock', stage: 'dev' });
      } else if (a.Namespace === 'AWS/Lambda') {
        expect(dims.FunctionName, id).toBe('lead-unlock-dev-smsDispatcher');
      } else {
        expect(dims.ApiId, id).toEqual({ Ref: 'HttpApi' });
      }
    }
    // The functions write that stage into their metrics (lib/metrics.ts reads STAGE).
    const fn = Object.values(template.Resources).find((r) => r.Type === 'AWS::Lambda::Function')!;
    expect((fn.Properties.Environment as { Variables: Record<string, string> }).Variables.STAGE).toBe('dev');
  });

  it('say when they are over (OKActions) as when they fire, to the stage topic', () => {
    for (const [id, a] of Object.entries(alarms())) {
      expect(a.AlarmActions, id).toEqual([{ Ref: 'AlarmTopic' }]);
      expect(a.OKActions, id).toEqual([{ Ref: 'AlarmTopic' }]);
    }
  });

  it('none fires on missing data alone; the outbox one reports silence as INSUFFICIENT_DATA', () => {
    for (const [id, a] of Object.entries(alarms())) expect(a.TreatMissingData, id).not.toBe('breaching');
    const backlog = alarms().OutboxBacklogAlarm!;
    expect(backlog).toMatchObject({ MetricName: 'OldestDueOutboxAgeSeconds', TreatMissingData: 'missing' });
    expect(backlog.InsufficientDataActions).toEqual([{ Ref: 'AlarmTopic' }]);
  });
});

describe('the zips', () => {
  it('hold each its handler bundle and nothing else: no source map', () => {
    for (const fn of pkg.functions) {
      const entries = Object.keys(unzipSync(readFileSync(fn.zip))).filter((e) => !e.endsWith('/'));
      expect(entries, fn.name).toEqual([path.relative(path.join(pkg.dir, fn.name), fn.file)]);
      expect(
        entries.filter((e) => e.endsWith('.map')),
        fn.name,
      ).toEqual([]);
    }
  });
});
