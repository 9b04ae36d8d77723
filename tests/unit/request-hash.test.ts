/**
 * The Idempotency-Key's body hash: stored with each lead, so it must not change between
 * deployments (a retry after a deploy would otherwise get 409) nor depend on key order.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { requestHash } from '../../lib/leads/create-lead';
import type { LeadInput } from '../../lib/leads/lead-input';

const input: LeadInput = {
  name: 'Jane Client',
  phone: '+15125550142',
  email: 'jane@example.com',
  category: 'plumbing',
  zipCode: '78701',
  city: null,
  description: 'Leaking kitchen sink',
  budget: null,
  priceCents: undefined,
  maxUnlocks: undefined,
};

describe('requestHash', () => {
  it('is the same whatever the order of the keys', () => {
    const reversed = Object.fromEntries(Object.entries(input).reverse()) as LeadInput;
    expect(requestHash(reversed)).toBe(requestHash(input));
  });

  it('is the hash leads were stored with: sha256 of the JSON with keys in alphabetical (locale) order', () => {
    const keys = Object.keys(input).sort((a, b) => a.localeCompare(b));
    const json = JSON.stringify(Object.fromEntries(keys.map((k) => [k, input[k as keyof LeadInput]])));
    expect(requestHash(input)).toBe(createHash('sha256').update(json).digest('hex'));
  });

  it('changes when a value does', () => {
    expect(requestHash({ ...input, description: 'Leaking bathroom sink' })).not.toBe(requestHash(input));
  });
});
