import { describe, it, expect } from 'vitest';
import { fitsOneSegment, smsEncoding, smsLength } from '../../lib/sms/segments';

const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENSION = '^{}\\[~]|€\f';

describe('smsEncoding', () => {
  it('treats the whole GSM 03.38 basic set (127 characters without ESC) as GSM-7', () => {
    expect([...GSM_BASIC]).toHaveLength(127);
    expect(smsEncoding(GSM_BASIC)).toBe('GSM-7');
  });

  it('treats the extension table as GSM-7', () => {
    expect(smsEncoding(GSM_EXTENSION)).toBe('GSM-7');
    expect(smsEncoding('Budget: €500 [approx] {ok} ~ | ^')).toBe('GSM-7');
  });

  it('accepts GSM accented letters such as ü', () => {
    expect(smsEncoding('Zürich, Malmö, España, àèéìòù')).toBe('GSM-7');
  });

  it('needs UCS-2 for anything outside GSM-7', () => {
    for (const text of [
      'Łódź',
      'hello 😀',
      'wait…',
      'it’s',
      'ç',
      'Москва',
      '東京',
      '\u00a0',
      '`',
      '\u001b',
    ]) {
      expect(smsEncoding(text), JSON.stringify(text)).toBe('UCS-2');
    }
  });

  it('treats empty text as GSM-7', () => {
    expect(smsEncoding('')).toBe('GSM-7');
  });
});

describe('smsLength', () => {
  it('counts empty text as one segment of zero units', () => {
    expect(smsLength('')).toEqual({ encoding: 'GSM-7', units: 0, segments: 1 });
  });

  it('puts 160 GSM-7 septets in one segment and 161 in two', () => {
    expect(smsLength('a'.repeat(160))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(smsLength('a'.repeat(161))).toEqual({ encoding: 'GSM-7', units: 161, segments: 2 });
  });

  it('counts extension characters as two septets', () => {
    expect(smsLength('€'.repeat(80))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(smsLength('€'.repeat(81))).toEqual({ encoding: 'GSM-7', units: 162, segments: 2 });
    expect(smsLength('a'.repeat(159) + '[')).toEqual({ encoding: 'GSM-7', units: 161, segments: 2 });
  });

  it('puts 70 UCS-2 units in one segment and 71 in two', () => {
    expect(smsLength('Ж'.repeat(70))).toEqual({ encoding: 'UCS-2', units: 70, segments: 1 });
    expect(smsLength('Ж'.repeat(71))).toEqual({ encoding: 'UCS-2', units: 71, segments: 2 });
  });

  it('counts UTF-16 code units for UCS-2, so an emoji is two', () => {
    expect(smsLength('😀'.repeat(35))).toEqual({ encoding: 'UCS-2', units: 70, segments: 1 });
    expect(smsLength('a'.repeat(69) + '😀')).toEqual({ encoding: 'UCS-2', units: 71, segments: 2 });
  });

  it('counts concatenated segments of 153 septets / 67 units', () => {
    expect(smsLength('a'.repeat(306)).segments).toBe(2);
    expect(smsLength('a'.repeat(307)).segments).toBe(3);
    expect(smsLength('a'.repeat(459)).segments).toBe(3);
    expect(smsLength('a'.repeat(460)).segments).toBe(4);
    expect(smsLength('Ж'.repeat(134)).segments).toBe(2);
    expect(smsLength('Ж'.repeat(135)).segments).toBe(3);
    expect(smsLength('Ж'.repeat(201)).segments).toBe(3);
  });

  it('never splits an extension escape or a surrogate pair across segments', () => {
    // 306 septets would fill two parts exactly, but the € cannot straddle the first boundary.
    expect(smsLength('a'.repeat(152) + '€' + 'a'.repeat(152))).toEqual({
      encoding: 'GSM-7',
      units: 306,
      segments: 3,
    });
    expect(smsLength('a'.repeat(151) + '€' + 'a'.repeat(153)).segments).toBe(2);
    expect(smsLength('Ж'.repeat(66) + '😀' + 'Ж'.repeat(66))).toEqual({
      encoding: 'UCS-2',
      units: 134,
      segments: 3,
    });
    expect(smsLength('Ж'.repeat(65) + '😀' + 'Ж'.repeat(67)).segments).toBe(2);
  });
});

describe('fitsOneSegment', () => {
  it('follows the single-segment limits of each encoding', () => {
    expect(fitsOneSegment('')).toBe(true);
    expect(fitsOneSegment('a'.repeat(160))).toBe(true);
    expect(fitsOneSegment('a'.repeat(161))).toBe(false);
    expect(fitsOneSegment('€'.repeat(80))).toBe(true);
    expect(fitsOneSegment('€'.repeat(81))).toBe(false);
    expect(fitsOneSegment('Ł' + 'a'.repeat(69))).toBe(true);
    expect(fitsOneSegment('Ł' + 'a'.repeat(70))).toBe(false);
  });
});
