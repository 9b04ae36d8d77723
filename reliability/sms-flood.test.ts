/** An auto-responder loop: one number texting us without end gets a bounded number of answers. */
import { describe, expect, it } from 'vitest';
import { MAX_ANSWERS_PER_HOUR } from '../lib/messaging/handle-reply';
import { useApp } from '../tests/support/app';
import { api } from '../tests/support/flow';
import { smsSentTo, uniqueZip } from '../tests/support/market';
import { report } from './support/row';

const MESSAGES = 500;
const AT_ONCE = 25;

describe('inbound flood', () => {
  const app = useApp({ env: { DATABASE_POOL_MAX: '10' } });

  it(`${MESSAGES} messages from one number`, async (ctx) => {
    const p = await api.addProvider({ zipCodes: [uniqueZip()] });
    const since = app.textmagic.sent.length;
    const texts = ['HELP', 'YES', 'info', 'START', 'yes 1234'];
    const statuses: number[] = [];
    for (let i = 0; i < MESSAGES; i += AT_ONCE) {
      const batch = Array.from({ length: AT_ONCE }, (_, j) =>
        api.reply(p.phone, texts[(i + j) % texts.length]!),
      );
      statuses.push(...(await Promise.all(batch)).map((r) => r.status));
    }
    const answers = smsSentTo(app, p.phone, since).length;
    const [recorded] = await app.db.query<{ n: string }>(
      'select count(*) as n from inbound_sms where provider_id = $1',
      [p.id],
    );
    report(ctx, {
      scenario: 'auto-responder flood',
      load: `${MESSAGES} messages from one number, ${AT_ONCE} at a time`,
      fault: 'reply loop',
      expected: `≤ ${MAX_ANSWERS_PER_HOUR} answers, every message recorded and answered 200`,
      observed: `${answers} answers, ${recorded!.n} recorded, ${statuses.filter((s) => s === 200).length}×200`,
      lost: MESSAGES - Number(recorded!.n),
      duplicated: 0,
    });
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(Number(recorded!.n)).toBe(MESSAGES);
    expect(answers).toBeGreaterThan(0);
    expect(answers).toBeLessThanOrEqual(MAX_ANSWERS_PER_HOUR);
  });
});
