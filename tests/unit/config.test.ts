import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../lib/config';

describe('configuration', () => {
  it('takes the contract defaults from an empty environment', () => {
    const c = parseConfig({});
    expect(c).toMatchObject({
      publicBaseUrl: 'http://localhost:3000',
      defaultCountry: 'US',
      leadPriceCents: 1500,
      leadMaxUnlocks: 3,
      leadMaxOffers: 10,
      leadTtlHours: 72,
      currency: 'usd',
      local: false,
    });
    expect(c.textmagic.apiUrl).toBe('https://rest.textmagic.com/api/v2');
    expect(c.keys).toEqual({ leadApiKey: undefined, adminApiKey: undefined, inboundSmsToken: undefined });
  });

  it('gives unset keys the development values only under serverless-offline', () => {
    const c = parseConfig({ IS_OFFLINE: 'true', ADMIN_API_KEY: 'mine' });
    expect(c.keys).toEqual({
      leadApiKey: 'local-lead-key',
      adminApiKey: 'mine',
      inboundSmsToken: 'local-sms-token',
    });
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

  it('normalises currency, country and trailing slashes', () => {
    const c = parseConfig({ CURRENCY: 'EUR', DEFAULT_COUNTRY: 'gb', PUBLIC_BASE_URL: 'https://x.test/' });
    expect(c.currency).toBe('eur');
    expect(c.defaultCountry).toBe('GB');
    expect(c.publicBaseUrl).toBe('https://x.test');
  });
});
