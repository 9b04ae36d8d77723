import { afterEach, describe, expect, it, vi } from 'vitest';
import { DrizzleQueryError } from 'drizzle-orm';
import { log, maskText } from '../../lib/log';

describe('log masking', () => {
  it('masks e-mail addresses and phone numbers in any format', () => {
    const masked = maskText('Jane +15125550142, (512) 555-0142, jane.client@example.com, code 4821');
    expect(masked).not.toMatch(/5550142|555-0142|jane\.client/);
    expect(masked).toContain('j***@example.com');
    expect(masked).toContain('code 4821'); // lead codes and prices stay readable
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('keeps ids and timestamps intact on a line that also holds a phone and an e-mail', () => {
    const ids = [
      '550e8400-e29b-41d4-a716-446655440000',
      'cs_test_a1234567',
      'pi_3OaBc1234567890123',
      'evt_1OaBc2345678901234',
      're_3OaBc1234567890',
      'ch_3OaBc9876543210',
      '49576009',
      '2026-11-26 10:00:00',
      '2026-11-26T10:00:00.000Z',
      '1764151200',
      '1764151200000',
    ];
    const line = maskText(
      `${ids.join(' ')} 1764151200.123 +15125550142 15125550142. (512) 555-0142. jane.client@example.com`,
    );
    for (const id of ids) expect(line).toContain(id);
    expect(line).not.toMatch(/5125550142|jane\.client/);
    expect(line).toContain('+1********42');
  });

  it('masks contact fields by name, whatever their values look like', () => {
    const spy = vi.spyOn(console, 'log').mockImplementation(() => {});
    const saved = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = 'info';
    try {
      log.info('lead created', {
        leadId: '550e8400-e29b-41d4-a716-446655440000',
        lead: { name: 'Jane Client', description: 'Leaking sink', phone: '15125550142' },
        to: ['+15125550142'],
        sessionId: 'cs_test_a1234567',
      });
    } finally {
      process.env.LOG_LEVEL = saved;
    }
    const entry = JSON.parse(spy.mock.calls[0]![0] as string) as Record<string, unknown>;
    expect(entry.leadId).toBe('550e8400-e29b-41d4-a716-446655440000');
    expect(entry.sessionId).toBe('cs_test_a1234567');
    expect(entry.lead).toEqual({ name: '[11 chars]', description: '[12 chars]', phone: '1********42' });
    expect(entry.to).toEqual(['+1********42']);
  });

  it('masks contact details in structured fields, nested and in errors', () => {
    const spy = vi.spyOn(console, 'log').mockImplementation(() => {});
    const saved = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = 'info';
    try {
      log.info('sms for +15125550142', {
        to: ['+15125550142'],
        nested: { email: 'jane@example.com' },
        err: new Error('failed for 15125550142'),
      });
    } finally {
      process.env.LOG_LEVEL = saved;
    }
    const line = spy.mock.calls[0]![0] as string;
    expect(JSON.parse(line).level).toBe('info');
    expect(line).not.toMatch(/5125550142|jane@/);
  });

  it('logs what an error wraps (its cause and code), masked too', () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    const saved = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = 'info';
    try {
      const refused = Object.assign(new Error('connect ECONNREFUSED for jane@example.com'), {
        code: 'ECONNREFUSED',
      });
      log.error('database unavailable', { err: new Error('Failed query: insert …', { cause: refused }) });
    } finally {
      process.env.LOG_LEVEL = saved;
    }
    const line = spy.mock.calls[0]![0] as string;
    const { err } = JSON.parse(line) as {
      err: { message: string; cause: { code: string; message: string } };
    };
    expect(err.message).toBe('Failed query: insert …');
    expect(err.cause.code).toBe('ECONNREFUSED');
    expect(err.cause.message).toContain('j***@example.com');
    expect(line).not.toContain('jane@');
  });

  it('logs a failed query by its statement and cause, never its parameters', () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    const saved = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = 'info';
    try {
      const cause = Object.assign(new Error('Connection terminated unexpectedly'), { code: '08006' });
      const err = new DrizzleQueryError(
        '/* create_lead */ with ins as (insert into leads (name, description) values ($1, $2))',
        ['Jane Client', 'Leaking kitchen sink, call Jane'],
        cause,
      );
      log.error('database unavailable', { err });
    } finally {
      process.env.LOG_LEVEL = saved;
    }
    const line = spy.mock.calls[0]![0] as string;
    expect(line).not.toMatch(/Jane|Leaking/);
    const { err } = JSON.parse(line) as {
      err: { message: string; statement: string; cause: { code: string } };
    };
    expect(err.message).toBe('Failed query');
    expect(err.statement).toMatch(/^\/\* create_lead \*\/ with ins as/);
    expect(err.cause.code).toBe('08006');
  });
});
