/**
 * The portal types its API's answers from the server's own modules (portal/types.ts), as the
 * console does: no shape kept by hand, so a field the server adds, renames or drops is one the
 * portal's pages meet at `tsc`; and what it derives is a real type, with JSON's dates.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type {
  Account,
  AccountPatch,
  Bought,
  BuyAnswer,
  Client,
  Compare,
  Language,
  OpenOffer,
  ReturnReason,
  ReturnRow,
  SpendingEntry,
} from '../../portal/types';

describe('portal/types.ts', () => {
  it('derives every type from the server modules: no object or union shape written by hand', () => {
    const code = readFileSync('portal/types.ts', 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\/\/.*$/gm, '');
    for (const line of code.split('\n').filter((l) => /^export type \w/.test(l))) {
      const written = line.replace(/\['\w+'\]/g, '');
      expect(written, 'a type of portal/types.ts').not.toMatch(/[{|]|'/);
    }
    expect(code).not.toMatch(/^export (const|function|interface)/m);
    // Type-only imports: none of the server's code in the portal's bundle.
    for (const line of code.split('\n').filter((l) => l.startsWith('import '))) {
      expect(line).toMatch(/^import type /);
    }
  });

  it('types are real (not any) and dates arrive as strings', () => {
    expectTypeOf<OpenOffer>().not.toBeAny();
    expectTypeOf<OpenOffer['expiresAt']>().toEqualTypeOf<string>();
    expectTypeOf<OpenOffer['payWith']>().toEqualTypeOf<'saved_card' | 'pay_link'>();
    expectTypeOf<Bought['paidAt']>().toEqualTypeOf<string>();
    expectTypeOf<Client['phone']>().toEqualTypeOf<string>();
    expectTypeOf<BuyAnswer>().not.toBeAny();
    expectTypeOf<ReturnRow['status']>().toEqualTypeOf<'open' | 'approved' | 'declined'>();
    expectTypeOf<ReturnRow['createdAt']>().toEqualTypeOf<string>();
    expectTypeOf<Account['language']>().toEqualTypeOf<Language>();
    expectTypeOf<Account['weeklySpendCap']>().toEqualTypeOf<{ cents: number; currency: string } | null>();
    // PATCH takes the weekly cap in the currency's main unit (137 for $137), not cents.
    expectTypeOf<AccountPatch['weeklySpendCap']>().toEqualTypeOf<number | null | undefined>();
    expectTypeOf<SpendingEntry['at']>().toEqualTypeOf<string>();
    expectTypeOf<SpendingEntry['type']>().toEqualTypeOf<'payment' | 'refund'>();
    expectTypeOf<Compare['peers']>().not.toBeAny();
    expectTypeOf<ReturnReason>().toEqualTypeOf<
      'wrong_area' | 'wrong_service' | 'bad_contact' | 'duplicate' | 'other'
    >();
  });
});
