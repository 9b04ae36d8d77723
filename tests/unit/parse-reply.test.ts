import { describe, it, expect } from 'vitest';
import { normalizeReply, parseReply } from '../../lib/sms/parse-reply';

describe('normalizeReply', () => {
  it('uppercases and keeps only letters and digits', () => {
    expect(normalizeReply(' Yes, #4821! ')).toBe('YES4821');
    expect(normalizeReply('opt-in')).toBe('OPTIN');
    expect(normalizeReply('ＹＥＳ　４８２１')).toBe('YES4821'); // full-width, NFKC
    expect(normalizeReply('')).toBe('');
  });
});

describe('parseReply', () => {
  it.each([
    ['YES 4821', '4821'],
    ['yes 4821', '4821'],
    ['Yes, 4821!', '4821'],
    ['YES4821', '4821'],
    ['y4821', '4821'],
    ['Y 4821', '4821'],
    [' unlock #4821 ', '4821'],
    ['Unlock: 4821.', '4821'],
    ['YES 12345', '12345'],
    ['yes 123456', '123456'],
    ['YES 0042', '0042'],
    ['yes\n4821', '4821'],
    ['ＹＥＳ　４８２１', '4821'],
  ])('%j is yes with code %s', (text, code) => {
    expect(parseReply(text)).toEqual({ kind: 'yes', code });
  });

  it.each(['YES', 'yes', 'Yes!', 'Y', 'y.', 'UNLOCK', ' unlock '])('%j is yes without a code', (text) => {
    expect(parseReply(text)).toEqual({ kind: 'yes', code: null });
  });

  it.each(['STOP', 'stop', 'Stop.', 'STOP ALL', 'stopall', 'Unsubscribe', 'CANCEL', 'end', 'Quit!'])(
    '%j is stop',
    (text) => {
      expect(parseReply(text)).toEqual({ kind: 'stop' });
    },
  );

  it.each(['START', 'start', 'Unstop', 'JOIN', 'subscribe', 'RESUBSCRIBE', 'OPTIN', 'opt in', 'Opt-In'])(
    '%j is start',
    (text) => {
      expect(parseReply(text)).toEqual({ kind: 'start' });
    },
  );

  it.each(['HELP', 'help', 'Help?', 'INFO', 'info.'])('%j is help', (text) => {
    expect(parseReply(text)).toEqual({ kind: 'help' });
  });

  it.each([
    '',
    '   ',
    '!!!',
    'YES 12', // code too short
    'YES 123', // code too short
    'YES 1234567', // code too long
    'yes please',
    'yes 4821 thanks',
    'yess',
    'yeah',
    'no',
    '4821',
    'unlock me',
    // "stop it" and "please stop" were here: opt-outs in any words now (tests/unit/opt-out.test.ts).
    'help me',
    'started',
    'hello there',
    '😀',
  ])('%j is other', (text) => {
    expect(parseReply(text)).toEqual({ kind: 'other' });
  });
});

describe('parseReply: auto-pay', () => {
  it.each(['AUTO OFF', 'auto off', 'Auto-off.', 'AUTOOFF', 'autopay off'])('%j is auto_off', (text) => {
    expect(parseReply(text)).toEqual({ kind: 'auto_off' });
  });
  it.each(['AUTO ON', 'auto on', 'Auto-On!', 'AUTOPAY ON'])('%j is auto_on', (text) => {
    expect(parseReply(text)).toEqual({ kind: 'auto_on' });
  });
  it.each(['AUTO', 'auto of', 'AUTO ON 4821'])('%j is not', (text) => {
    expect(parseReply(text).kind).toBe('other');
  });
});

describe('parseReply: the portal', () => {
  it.each(['ACCOUNT', 'account', 'Account.', ' ACCOUNT!', 'CUENTA', 'cuenta', 'Cuenta?'])(
    '%j is account',
    (text) => {
      expect(parseReply(text)).toEqual({ kind: 'account' });
    },
  );
  it.each(['my account', 'ACCOUNT 4821', 'accounts', 'cuentas'])('%j is not', (text) => {
    expect(parseReply(text).kind).toBe('other');
  });
});

describe('parseReply: Spanish', () => {
  it.each([
    ['SI 4821', '4821'],
    ['SÍ 4821', '4821'],
    ['sí 4821', '4821'],
    ['si, 4821', '4821'],
    ['Sí4821', '4821'],
    ['Si\u0301 4821', '4821'], // decomposed accent
  ])('%j is yes with code %s', (text, code) => {
    expect(parseReply(text)).toEqual({ kind: 'yes', code });
  });
  it.each(['SI', 'sí', 'Sí!'])('%j is yes without a code', (text) => {
    expect(parseReply(text)).toEqual({ kind: 'yes', code: null });
  });
  it.each(['PARAR', 'parar', 'Cancelar.', 'ALTO', 'alto'])('%j is stop', (text) => {
    expect(parseReply(text)).toEqual({ kind: 'stop' });
  });
  it.each(['AYUDA', 'ayuda', '¿Ayuda?'])('%j is help', (text) => {
    expect(parseReply(text)).toEqual({ kind: 'help' });
  });
  it.each(['ESPANOL', 'ESPAÑOL', 'español', 'Espanol.', 'Spanish'])('%j is spanish', (text) => {
    expect(parseReply(text)).toEqual({ kind: 'language', language: 'es' });
  });
  it.each(['ENGLISH', 'english', 'English!', 'INGLÉS', 'ingles'])('%j is english', (text) => {
    expect(parseReply(text)).toEqual({ kind: 'language', language: 'en' });
  });
  // "alto ahi" ("stop there") was here: it may be an opt-out now (tests/unit/opt-out.test.ts).
  it.each(['si por favor', 'SI 12', 'sip', 'no', 'espanol 4821'])('%j is other', (text) => {
    expect(parseReply(text).kind).toBe('other');
  });
});

describe('BAD <code> <reason>', () => {
  it.each([
    ['BAD 4821 wrong area', '4821', 'wrong area'],
    ['bad 4821', '4821', ''],
    ['Bad #4821: the phone number is fake', '4821', 'the phone number is fake'],
    ['BAD4821 dupe', '4821', 'dupe'],
    ['  bad, 123456 - Wrong service!  ', '123456', 'Wrong service!'],
    ['MALO 4821 zona equivocada', '4821', 'zona equivocada'],
    ['Mala 4821 teléfono falso', '4821', 'teléfono falso'],
    ['ＢＡＤ　４８２１ far away', '4821', 'far away'],
    ['bad 4821\nline two', '4821', 'line two'],
  ])('%j is a return of %s, the reason kept as written', (text, code, reason) => {
    const parsed = parseReply(text);
    expect(parsed).toMatchObject({ kind: 'bad', code });
    if (parsed.kind === 'bad') expect(parsed.text.endsWith(reason)).toBe(true);
  });

  it.each(['BAD', 'bad!', 'BAD wrong area', 'bad 12 wrong', 'bad 1234567'])(
    '%j is a BAD without a code',
    (text) => {
      expect(parseReply(text)).toMatchObject({ kind: 'bad', code: null });
    },
  );

  it.each(['BADGE 4821', 'badly', 'not bad', 'MALOS', 'YES 4821 bad'])('%j is not a return', (text) => {
    expect(parseReply(text).kind).not.toBe('bad');
  });

  it('keeps YES and STOP as they were', () => {
    expect(parseReply('YES 4821')).toEqual({ kind: 'yes', code: '4821' });
    expect(parseReply('STOP')).toEqual({ kind: 'stop' });
  });
});
