import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldCategory, SLUG_PATTERN } from '../../lib/catalogue/fold';

describe('foldCategory', () => {
  it('reads names alike whatever their case, accents, spaces and punctuation', () => {
    expect(['HVAC', 'hvac', ' h.v.a.c ', 'H-VAC'].map(foldCategory)).toEqual([
      'hvac',
      'hvac',
      'hvac',
      'hvac',
    ]);
    expect(foldCategory('heating & cooling')).toBe(foldCategory('Heating/Cooling'));
    expect(foldCategory('A/C repair')).toBe('acrepair');
    expect(foldCategory('Plomería')).toBe('plomeria');
    expect(foldCategory('&& !!')).toBe('');
  });

  it('folds ASCII text as the migration that made the first catalogue does in SQL', () => {
    // drizzle/*_catalogue.sql: regexp_replace(lower(text), '[^a-z0-9]', '', 'g').
    fc.assert(
      fc.property(fc.string({ unit: 'binary-ascii' }), (text) => {
        expect(foldCategory(text)).toBe(text.toLowerCase().replace(/[^a-z0-9]/g, ''));
      }),
    );
  });

  it('folds a slug to itself without its hyphens', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,3}$/), (slug) => {
        expect(SLUG_PATTERN.test(slug)).toBe(true);
        expect(foldCategory(slug)).toBe(slug.replaceAll('-', ''));
      }),
    );
  });
});
