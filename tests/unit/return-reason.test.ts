import { describe, expect, it } from 'vitest';
import { returnReason } from '../../lib/sms/return-reason';

describe('returnReason', () => {
  it.each([
    ['wrong area', 'wrong_area'],
    ['outside my zip', 'wrong_area'],
    ['Wrong location, too far', 'wrong_area'],
    ['zona equivocada', 'wrong_area'],
    ['wrong service', 'wrong_service'],
    ['not my category', 'wrong_service'],
    ['otro servicio', 'wrong_service'],
    ['phone number is fake', 'bad_contact'],
    ['bad email', 'bad_contact'],
    ['Teléfono falso', 'bad_contact'],
    ['no contesta', 'bad_contact'],
    ['duplicate', 'duplicate'],
    ['dupe of 4821', 'duplicate'],
    ['Duplicado', 'duplicate'],
    ['duplicate phone number', 'duplicate'],
    ['', 'other'],
    ['the client was rude', 'other'],
    ['areal', 'other'],
  ])('%j is %s', (text, reason) => {
    expect(returnReason(text)).toBe(reason);
  });
});
