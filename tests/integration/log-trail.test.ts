/**
 * What an operator's one grep finds: a full flow at LOG_LEVEL=info leaves one line per business
 * event, each with the lead's id (and the offer's and provider's where known) intact, the Lambda
 * request id and function name, an Embedded Metric Format block CloudWatch turns into a metric,
 * and no contact data or free text of the client.
 */
import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { handler as createLead } from '../../functions/create-lead';
import { handler as dispatcher } from '../../functions/sms-dispatcher';
import { KEYS, useApp } from '../support/app';
import { v2Event } from '../../emulators/events';
import { api, lead, linkToken } from '../support/flow';

// A stage as the deploy names it (serverless.yml: STAGE: ${sls:stage}).
const app = useApp({ env: { STAGE: 'staging' } });
type Line = Record<string, unknown> & {
  message: string;
  _aws?: {
    CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }>;
  };
};

let lines: Line[] = [];
let raw: string[] = [];
const saved = process.env.LOG_LEVEL;
beforeEach(() => {
  lines = [];
  raw = [];
  process.env.LOG_LEVEL = 'info';
  for (const m of ['log', 'error'] as const) {
    vi.spyOn(console, m).mockImplementation((text: unknown) => {
      raw.push(String(text));
      lines.push(JSON.parse(String(text)) as Line);
    });
  }
});
afterEach(() => {
  vi.restoreAllMocks();
  process.env.LOG_LEVEL = saved;
});

const context = (requestId: string) =>
  ({ awsRequestId: requestId, functionName: 'lead-unlock-test-createLead' }) as Context;

describe('the log trail of a lead', () => {
  it('follows a lead from POST /leads to its details SMS by its id, with metrics and no contact data', async () => {
    const zip = '62001';
    const p = await api.addProvider({ zipCodes: [zip] });
    const client = { name: 'Jane Client', phone: '(512) 555-0142', email: 'jane.client@example.com' };
    const body = JSON.stringify(lead({ zipCode: zip, ...client }));
    const res = await createLead(
      v2Event({
        method: 'POST',
        path: '/leads',
        headers: { 'content-type': 'application/json', 'x-api-key': KEYS.lead },
        body,
      }),
      context('req-create-1'),
    );
    expect(res.statusCode).toBe(201);
    const leadId = (JSON.parse(res.body) as { id: string; code: string }).id;
    const code = (JSON.parse(res.body) as { code: string }).code;

    const sent = app.textmagic.sent.length;
    await api.reply(p.phone, `YES ${code}`);
    const pay = await api.openPayLink(linkToken(app.textmagic.sent.slice(sent).at(-1)!.text));
    const session = [...app.stripe.sessions.values()].find((s) => s.url === pay.headers.location)!;
    const { payload, header } = app.stripe.sign(app.stripe.completeSession(session.id));
    expect((await api.webhook(payload, header)).json.outcome).toBe('unlocked');
    await dispatcher();

    const ofLead = lines
      .filter((l) => l.leadId === leadId)
      .map((l) => `${l.message}${l.kind ? ` ${String(l.kind)}` : ''}`);
    expect(ofLead).toEqual([
      'lead created',
      'SMS sent teaser',
      'YES reply',
      'SMS sent pay_link',
      'checkout opened',
      'lead unlocked',
      'SMS sent details',
    ]);
    const created = lines.find((l) => l.message === 'lead created')!;
    expect(created).toMatchObject({ requestId: 'req-create-1', functionName: 'lead-unlock-test-createLead' });
    const unlocked = lines.find((l) => l.message === 'lead unlocked')!;
    expect(unlocked).toMatchObject({ leadId, providerId: p.id, sessionId: session.id });
    expect(unlocked.offerId).toMatch(/^[0-9a-f-]{36}$/);

    // Each business event is a metric in CloudWatch's Embedded Metric Format, of this stage: a
    // dev stack in the same account writes its own (the alarms filter on stage).
    const metric = (l: Line) => l._aws?.CloudWatchMetrics[0];
    expect(metric(created)).toEqual({
      Namespace: 'LeadUnlock',
      Dimensions: [['service', 'stage']],
      Metrics: [{ Name: 'LeadsCreated', Unit: 'Count' }],
    });
    expect(created).toMatchObject({ service: 'lead-unlock', stage: 'staging', LeadsCreated: 1 });
    const teaser = lines.find((l) => l.message === 'SMS sent' && l.kind === 'teaser')!;
    expect(teaser.TeasersSent).toBe(1);
    expect(unlocked.Unlocks).toBe(1);
    const outbox = lines.find((l) => l.message === 'outbox due')!;
    expect(outbox.OldestDueOutboxAgeSeconds).toBe(0);

    for (const line of raw) {
      for (const leak of ['Jane Client', '5125550142', '555-0142', 'jane.client', 'Leaking kitchen sink']) {
        expect(line, line).not.toContain(leak);
      }
    }
  });

  it('reports how long the oldest due SMS has waited', async () => {
    const zip = '62002';
    await api.addProvider({ zipCodes: [zip] });
    app.textmagic.fail(1, 503);
    expect((await api.postLead(lead({ zipCode: zip }))).status).toBe(201);
    await app.db.query(
      `update sms_messages set next_attempt_at = now() - interval '125 seconds' where status = 'queued'`,
    );
    await dispatcher();
    const outbox = lines.find((l) => l.message === 'outbox due')!;
    expect(outbox.OldestDueOutboxAgeSeconds).toBeGreaterThanOrEqual(125);
    expect(outbox.OldestDueOutboxAgeSeconds).toBeLessThan(135);
  });
});
