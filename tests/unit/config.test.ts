import { describe, expect, it } from 'vitest';
import { ConfigError, formatTeaserHours, parseConfig, parseTeaserHours, VARIABLES } from '../../lib/config';

describe('configuration', () => {
  it('takes the contract defaults from an empty environment', () => {
    const c = parseConfig({});
    expect(c).toMatchObject({
      publicBaseUrl: 'http://localhost:3000',
      defaultCountry: 'US',
      defaultTimeZone: 'America/Chicago',
      leadPriceCents: 1500,
      leadMaxUnlocks: 3,
      leadMaxOffers: 10,
      leadTtlHours: 72,
      duplicateWindowDays: 30,
      currency: 'usd',
      returnWindowDays: 14,
      returnAutoApproveRate: 0,
      local: false,
    });
    expect(c.textmagic.apiUrl).toBe('https://rest.textmagic.com/api/v2');
    expect(c.keys).toEqual({
      leadApiKey: undefined,
      adminApiKey: undefined,
      inboundSmsToken: undefined,
      formSecret: undefined,
    });
  });

  it('gives unset keys the development values only under serverless-offline', () => {
    const c = parseConfig({ IS_OFFLINE: 'true', ADMIN_API_KEY: 'mine' });
    expect(c.keys).toEqual({
      leadApiKey: 'local-lead-key',
      adminApiKey: 'mine',
      inboundSmsToken: 'local-sms-token',
      formSecret: 'local-form-secret',
    });
  });

  it("takes FORM_FRAME_ANCESTORS as CSP sources only ('none' by default)", () => {
    expect(parseConfig({}).formFrameAncestors).toBe("'none'");
    expect(
      parseConfig({ FORM_FRAME_ANCESTORS: " 'self'  https://*.example.com:8443 " }).formFrameAncestors,
    ).toBe("'self' https://*.example.com:8443");
    for (const bad of [
      "'none' https://a.example",
      'https://a.example; script-src *',
      "'unsafe-inline'",
      'a,b',
    ]) {
      expect(() => parseConfig({ FORM_FRAME_ANCESTORS: bad }), bad).toThrow(/FORM_FRAME_ANCESTORS/);
    }
  });

  it('treats empty strings as unset (serverless.yml passes them for missing secrets)', () => {
    const c = parseConfig({ STRIPE_SECRET_KEY: '', LEAD_PRICE_CENTS: '', PUBLIC_BASE_URL: '' });
    expect(c.stripe.secretKey).toBeUndefined();
    expect(c.leadPriceCents).toBe(1500);
    expect(c.publicBaseUrl).toBe('http://localhost:3000');
  });

  it('names every bad variable at once', () => {
    try {
      parseConfig({ LEAD_PRICE_CENTS: 'ten', DEFAULT_COUNTRY: 'USA', PUBLIC_BASE_URL: 'not a url' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const message = (err as Error).message;
      expect(message).toContain('LEAD_PRICE_CENTS');
      expect(message).toContain('DEFAULT_COUNTRY');
      expect(message).toContain('PUBLIC_BASE_URL');
    }
  });

  it('takes RETURN_AUTO_APPROVE_RATE from 0 to 1, nothing else', () => {
    expect(parseConfig({ RETURN_AUTO_APPROVE_RATE: '0.25' }).returnAutoApproveRate).toBe(0.25);
    expect(parseConfig({ RETURN_AUTO_APPROVE_RATE: '1' }).returnAutoApproveRate).toBe(1);
    for (const bad of ['-0.1', '1.5', 'half', 'NaN'])
      expect(() => parseConfig({ RETURN_AUTO_APPROVE_RATE: bad })).toThrow(
        'RETURN_AUTO_APPROVE_RATE: must be a number from 0 to 1',
      );
  });

  it('takes DUPLICATE_WINDOW_DAYS 0 (no duplicates) or more, not less or a fraction', () => {
    expect(parseConfig({ DUPLICATE_WINDOW_DAYS: '0' }).duplicateWindowDays).toBe(0);
    expect(parseConfig({ DUPLICATE_WINDOW_DAYS: '7' }).duplicateWindowDays).toBe(7);
    for (const bad of ['-1', '1.5', 'a month'])
      expect(() => parseConfig({ DUPLICATE_WINDOW_DAYS: bad })).toThrow(
        'DUPLICATE_WINDOW_DAYS: must be a whole number, 0 or more',
      );
  });

  it('says what each bad variable should be', () => {
    expect(() => parseConfig({ DATABASE_DRIVER: 'mysql' })).toThrow(
      'Invalid configuration: DATABASE_DRIVER: must be auto, neon or pg',
    );
    expect(() => parseConfig({ DATABASE_POOL_MAX: '1.5', LEAD_TTL_HOURS: '0' })).toThrow(
      'DATABASE_POOL_MAX: must be a positive whole number; LEAD_TTL_HOURS: must be a positive whole number',
    );
    expect(() => parseConfig({ STRIPE_API_URL: ' ' })).toThrow('STRIPE_API_URL: must be an absolute URL');
    expect(() => parseConfig({ CURRENCY: 'dollars' })).toThrow('CURRENCY: a three-letter ISO currency code');
    // A POSIX rule (whose sign Postgres reads the other way round) or a path is not a zone name.
    for (const zone of ['UTC+5', '+05:00', 'America/../etc', 'America/Chicago;']) {
      expect(() => parseConfig({ DEFAULT_TIME_ZONE: zone }), zone).toThrow(
        'DEFAULT_TIME_ZONE: an IANA time zone name',
      );
    }
    for (const zone of ['UTC', 'Europe/Berlin', 'America/Argentina/Buenos_Aires', 'Etc/GMT+5']) {
      expect(parseConfig({ DEFAULT_TIME_ZONE: ` ${zone} ` }).defaultTimeZone).toBe(zone);
    }
    expect(() => parseConfig({ DATABASE_PREPARED_STATEMENTS: 'sometimes' })).toThrow(
      'DATABASE_PREPARED_STATEMENTS: must be on or off',
    );
  });

  it('TEASER_HOURS: 08:00-21:00 by default, as minutes; wrapping midnight, all day; bad ones named', () => {
    expect(parseConfig({}).teaserHours).toEqual({ start: 480, end: 1260 });
    expect(parseConfig({ TEASER_HOURS: ' 22:00-06:30 ' }).teaserHours).toEqual({ start: 1320, end: 390 });
    expect(parseConfig({ TEASER_HOURS: '00:00-24:00' }).teaserHours).toEqual({ start: 0, end: 1440 });
    // An end at 00:00 is the midnight that ends the day.
    expect(parseTeaserHours('21:00-00:00')).toEqual({ start: 1260, end: 1440 });
    for (const bad of [
      '8-21',
      '08:00',
      '08:00-21:00-22:00',
      '24:00-08:00',
      '08:00-24:01',
      '08:60-09:00',
      '09:00-09:00',
      '00:00-00:00',
      '08.00-21.00',
    ]) {
      expect(parseTeaserHours(bad), bad).toBeUndefined();
      expect(() => parseConfig({ TEASER_HOURS: bad }), bad).toThrow(
        'TEASER_HOURS: must be HH:MM-HH:MM, such as 08:00-21:00 (start and end not the same)',
      );
    }
    for (const h of ['08:00-21:00', '22:00-06:00', '00:00-24:00', '07:30-19:45'])
      expect(formatTeaserHours(parseTeaserHours(h)!)).toBe(h);
  });

  it('keeps prepared statements off unless turned on (a transaction pooler cannot keep them)', () => {
    expect(parseConfig({}).databasePreparedStatements).toBe(false);
    expect(parseConfig({ DATABASE_PREPARED_STATEMENTS: '' }).databasePreparedStatements).toBe(false);
    for (const on of ['on', 'ON', ' true ', '1', 'yes'])
      expect(parseConfig({ DATABASE_PREPARED_STATEMENTS: on }).databasePreparedStatements).toBe(true);
    for (const off of ['off', 'false', '0', 'no'])
      expect(parseConfig({ DATABASE_PREPARED_STATEMENTS: off }).databasePreparedStatements).toBe(false);
  });

  it('reads numbers as Number() does and trims URLs, codes and keys', () => {
    const c = parseConfig({
      LEAD_PRICE_CENTS: ' 2500 ',
      TEXTMAGIC_API_URL: ' https://tm.test/api/v2/ ',
      STRIPE_API_URL: 'http://127.0.0.1:12111',
      CURRENCY: ' GBP ',
      LEAD_API_KEY: '  key  ',
      IS_OFFLINE: ' true ',
    });
    expect(c.leadPriceCents).toBe(2500);
    expect(c.textmagic.apiUrl).toBe('https://tm.test/api/v2');
    expect(c.stripe.apiUrl).toBe('http://127.0.0.1:12111');
    expect(c.currency).toBe('gbp');
    expect(c.keys.leadApiKey).toBe('key');
    expect(c.local).toBe(true);
  });

  it('normalises currency, country and trailing slashes', () => {
    const c = parseConfig({ CURRENCY: 'EUR', DEFAULT_COUNTRY: 'gb', PUBLIC_BASE_URL: 'https://x.test/' });
    expect(c.currency).toBe('eur');
    expect(c.defaultCountry).toBe('GB');
    expect(c.publicBaseUrl).toBe('https://x.test');
  });
});

describe('configuration: empty values', () => {
  it('reads an empty value as unset for every variable (the default, never an error)', () => {
    const empty = Object.fromEntries(Object.keys(VARIABLES).map((name) => [name, '']));
    expect(parseConfig(empty)).toEqual(parseConfig({}));
    expect(parseConfig({ DATABASE_DRIVER: '', DEFAULT_COUNTRY: '', CURRENCY: '' })).toMatchObject({
      databaseDriver: 'auto',
      defaultCountry: 'US',
      currency: 'usd',
    });
  });
});
