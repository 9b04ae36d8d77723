/**
 * `isUuid` (the Stripe webhook's check, without zod/mini) and the routes' `uuidParam` schema
 * accept exactly the same ids.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isUuid } from '../../lib/uuid';
import { uuidParam } from '../../lib/http/fields';

const agree = (v: unknown): void => {
  expect(isUuid(v)).toBe(uuidParam().safeParse(v).success);
};

describe('isUuid', () => {
  it('accepts our ids and refuses other integrations’ metadata', () => {
    expect(isUuid('7f1c2a9e-3b4d-4e5f-8a6b-1c2d3e4f5a6b')).toBe(true);
    for (const v of ['order-17', '', '7f1c2a9e3b4d4e5f8a6b1c2d3e4f5a6b', 42, null, undefined]) {
      expect(isUuid(v)).toBe(false);
      agree(v);
    }
  });

  it('agrees with the routes’ uuid schema on any string or uuid-shaped input', () => {
    fc.assert(fc.property(fc.oneof(fc.uuid(), fc.string(), fc.stringMatching(/^[0-9a-fA-F-]{36}$/)), agree), {
      numRuns: 2000,
    });
  });
});
