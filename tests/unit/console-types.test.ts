/**
 * The console types the admin API's answers from the server's own modules (console/types.ts):
 * no shape is kept by hand there, so a field the server adds, renames or drops is one the
 * console's code meets at `tsc`. These checks keep it so: the file writes no shape of its own, and
 * what it derives is a real type (an `any` would let every drift through), with JSON's dates.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type {
  Erasure,
  IntegrationHealth,
  Language,
  LeadConsent,
  LeadDetail,
  LeadRow,
  Provider,
  ProviderConsent,
  ProviderDetail,
  ReturnRow,
  SmsRow,
  Stats,
  StripeTask,
} from '../../console/types';

describe('console/types.ts', () => {
  it('derives every type from the server modules: no object or union shape written by hand', () => {
    const code = readFileSync('console/types.ts', 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\/\/.*$/gm, '');
    for (const line of code.split('\n').filter((l) => /^export type \w/.test(l))) {
      // Indexed access (`X['tasks']`) picks from a derived type; any other quote is a literal.
      const written = line.replace(/\['\w+'\]/g, '');
      expect(written, 'a type of console/types.ts').not.toMatch(/[{|]|'/);
    }
    expect(code).not.toMatch(/^export (const|function|interface)/m);
  });

  it('types are real (not any) and dates arrive as strings', () => {
    expectTypeOf<LeadDetail>().not.toBeAny();
    expectTypeOf<LeadDetail['createdAt']>().toEqualTypeOf<string>();
    expectTypeOf<LeadDetail['unlocks'][number]['amountCents']>().toEqualTypeOf<number>();
    expectTypeOf<LeadRow>().not.toBeAny();
    expectTypeOf<LeadRow['createdAt']>().toEqualTypeOf<string>();
    // The registry's codes (lib/sms/languages/), not any string.
    expectTypeOf<Provider['language']>().toEqualTypeOf<Language>();
    expectTypeOf<ProviderDetail['provider']>().toEqualTypeOf<Provider>();
    expectTypeOf<ProviderDetail['budget']['weekStartedAt']>().toEqualTypeOf<string>();
    expectTypeOf<Stats['total']['leads']>().toEqualTypeOf<number>();
    expectTypeOf<SmsRow>().not.toBeAny();
    expectTypeOf<StripeTask>().not.toBeAny();
    expectTypeOf<IntegrationHealth['outbox']>().not.toBeAny();
    expectTypeOf<ReturnRow['status']>().toEqualTypeOf<'open' | 'approved' | 'declined'>();
    // Issue 22: the client's consent and erasure, the provider's consent record.
    expectTypeOf<LeadConsent['agreedAt']>().toEqualTypeOf<string>();
    expectTypeOf<LeadConsent['ip']>().toEqualTypeOf<string | null>();
    expectTypeOf<LeadDetail['erasedAt']>().toEqualTypeOf<string | null>();
    expectTypeOf<LeadDetail['name']>().toEqualTypeOf<string | null>();
    expectTypeOf<ProviderConsent['source']>().toEqualTypeOf<'console' | 'api' | 'sms'>();
    expectTypeOf<ProviderConsent['optedOutAt']>().toEqualTypeOf<string | null>();
    expectTypeOf<Erasure['erasedLeads']>().toEqualTypeOf<number>();
  });
});
