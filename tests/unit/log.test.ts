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
