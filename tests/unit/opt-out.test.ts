/**
 * Opt-outs in any reasonable words (47 CFR 64.1200(a)(10), from 11 April 2025): what a reasonable
 * person would read as a wish to stop is an opt-out, in English and in Spanish; a message that only
 * holds a word that may mean it is asked once how to stop, and changes nothing; the replies that
 * buy, return, switch auto-pay or language keep their meaning.
 */
import { describe, expect, it } from 'vitest';
import { parseReply } from '../../lib/sms/parse-reply';

const OPT_OUTS = [
  // The FCC's named words, alone and with emphasis.
  'STOP',
  'stop.',
  'Stop!!!',
  'QUIT',
  'END',
  'REVOKE',
  'OPT OUT',
  'optout',
  'Opt-out',
  'CANCEL',
  'UNSUBSCRIBE',
  'STOP ALL',
  'stop please',
  'Please stop',
  'STOP NOW',
  'ok stop',
  // Plain requests.
  'stop texting me',
  'Stop sending me these',
  'please stop messaging me',
  'Quit texting me!',
  'remove me from your list',
  'Take me off this list',
  'please unsubscribe me',
  'unsubscribe me please',
  'no more texts',
  'No more messages please',
  "don't text me again",
  'Do not contact me',
  'never message me again',
  'leave me alone',
  'I want to opt out',
  'not interested',
  'wrong number',
  'how do I stop these texts?',
  'delete my number',
  // Spanish.
  'PARAR',
  'alto',
  'Baja',
  'cancelar',
  'no más mensajes',
  'No mas mensajes por favor',
  'no me manden más',
  'No me envíen nada',
  'quiero darme de baja',
  'denme de baja',
  'quítenme de la lista',
  'bórrenme de su lista',
  'ya no quiero recibir mensajes',
  'dejen de enviarme mensajes',
  'Basta ya',
];

const MAYBE = [
  'can you stop by tomorrow?',
  'Does cancel work for the card?',
  'I had to stop the job halfway',
  'el cliente quiere cancelar la cita?',
  'quitar el lead 4821?',
];

const NOT_OPT_OUTS: Array<[string, string]> = [
  ['YES 4821', 'yes'],
  ['sí 4821', 'yes'],
  ['BAD 4821 client said stop calling', 'bad'],
  ['MALO 4821 no contesta, dijo que no le manden más', 'bad'],
  ['AUTO OFF', 'auto_off'],
  ['AUTO ON', 'auto_on'],
  ['ESPAÑOL', 'language'],
  ['ENGLISH', 'language'],
  ['START', 'start'],
  ['HELP', 'help'],
  ['AYUDA', 'help'],
  ['thanks, got it', 'other'],
  ['what area is lead 4821 in?', 'other'],
  ['gracias, lo llamo mañana', 'other'],
  ['I will send the quote at the end of the week', 'other'],
  ['para mañana está bien', 'other'],
];

describe('opt-out in any reasonable words', () => {
  it(`has at least 40 opt-out phrasings (${OPT_OUTS.length})`, () => {
    expect(OPT_OUTS.length).toBeGreaterThanOrEqual(40);
  });

  it.each(OPT_OUTS)('%j opts out', (text) => {
    expect(parseReply(text)).toEqual({ kind: 'stop' });
  });

  it.each(MAYBE)('%j may be one: asked, nothing changes', (text) => {
    expect(parseReply(text)).toEqual({ kind: 'maybe_stop' });
  });

  it.each(NOT_OPT_OUTS)('%j keeps its meaning (%s)', (text, kind) => {
    expect(parseReply(text).kind).toBe(kind);
  });
});
