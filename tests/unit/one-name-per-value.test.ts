// Issue 21: one name per value across layers. A lead's price is `priceCents` (`price_cents`)
// from the lead to Stripe's request; what Stripe took is `amountCents` (`amount_cents`) from the
// unlock to the console and the SMS that give it back. A value handed from one name to the other
// (`priceCents: unlock.amountCents`, as a return's SMS did) is the drift this test refuses.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { getTableColumns } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import * as schema from '../../lib/db/schema';

const sources = ['lib', 'functions', 'console'].flatMap((dir) =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.tsx?$/.test(f))
    .map((f) => path.join(dir, f)),
);

const PRICE = String.raw`\b(?:priceCents|price_cents)`;
const AMOUNT = String.raw`\b(?:amountCents|amount_cents)`;
/** `name: a.b.other` or `name = other`: one name given the other's value as it is. */
const handedOver = (to: string, from: string) =>
  new RegExp(String.raw`${to}\s*[:=]\s*[\w.?!]*${from}\b`, 'g');

describe('one name per value', () => {
  it('no price is handed to an amount, nor an amount to a price, in lib, functions or the console', () => {
    const found = sources.flatMap((file) => {
      const text = readFileSync(file, 'utf8');
      return [...text.matchAll(handedOver(PRICE, AMOUNT)), ...text.matchAll(handedOver(AMOUNT, PRICE))].map(
        (m) => `${file}: ${m[0]}`,
      );
    });
    expect(sources.length).toBeGreaterThan(50);
    expect(found).toEqual([]);
  });

  it('the lead, a queued charge and an unlock name their money as the code does', () => {
    const names = (table: Parameters<typeof getTableColumns>[0]) =>
      Object.entries(getTableColumns(table))
        .filter(([, c]) => c.name.endsWith('_cents'))
        .map(([key, c]) => [key, c.name]);
    expect(names(schema.leads)).toContainEqual(['priceCents', 'price_cents']);
    expect(names(schema.stripeTasks)).toContainEqual(['priceCents', 'price_cents']);
    expect(names(schema.unlocks)).toEqual([['amountCents', 'amount_cents']]);
  });
});
