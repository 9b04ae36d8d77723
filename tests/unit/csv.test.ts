import { describe, expect, it } from 'vitest';
import { csvField, toCsv } from '../../lib/reports/csv';

describe('CSV (RFC 4180)', () => {
  it('quotes a field holding a comma, a quote, CR or LF, doubling its quotes; leaves others bare', () => {
    expect(csvField('Austin, TX')).toBe('"Austin, TX"');
    expect(csvField('the "big" leak')).toBe('"the ""big"" leak"');
    expect(csvField('line one\nline two')).toBe('"line one\nline two"');
    expect(csvField('a\r\nb')).toBe('"a\r\nb"');
    expect(csvField('plain text')).toBe('plain text');
    expect(csvField('')).toBe('');
    expect(csvField(null)).toBe('');
    expect(csvField(undefined)).toBe('');
  });

  it('writes numbers and booleans as they are, negative numbers included', () => {
    expect(csvField(1500)).toBe('1500');
    expect(csvField(-1500)).toBe('-1500');
    expect(csvField(false)).toBe('false');
  });

  it.each([
    ['=HYPERLINK("http://evil.example","click")', `"'=HYPERLINK(""http://evil.example"",""click"")"`],
    ['+1 512 555 0142', "'+1 512 555 0142"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1:A2)', "'@SUM(A1:A2)"],
    ['\t=1+1', "'\t=1+1"],
    ['\r=1+1', `"'\r=1+1"`],
  ])('guards text a spreadsheet would run as a formula: %j', (text, field) => {
    expect(csvField(text)).toBe(field);
  });

  it('a formula sign after the first character is left alone', () => {
    expect(csvField('budget = $500')).toBe('budget = $500');
  });

  it('one header line and one line per row, each ending in CRLF, columns in order', () => {
    const csv = toCsv(
      ['code', 'name', 'amount'],
      [
        { code: '4821', name: 'Jane, Client', amount: 1500 },
        { code: '0007', name: null, amount: 0 },
      ],
    );
    expect(csv).toBe('code,name,amount\r\n4821,"Jane, Client",1500\r\n0007,,0\r\n');
  });
});
