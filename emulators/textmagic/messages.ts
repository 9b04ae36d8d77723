/**
 * `POST /api/v2/messages`: JSON or form bodies, TextMagic's field checks, and its
 * `SendMessageResponse` (`type` `message` for one recipient, `session` for several).
 */
import type http from 'node:http';
import { TmError, validationFailed } from './errors';
import { smsParts } from './sms-parts';

export type SentSms = {
  /** The `id` of the API response: the message id (one recipient) or the session id (several). */
  id: number;
  text: string;
  phones: string[];
  from?: string;
  receivedAt: Date;
  /** `type` of the API response. */
  type: 'message' | 'session';
  /** The message session id (always present, like the real `sessionId`). */
  sessionId: number;
  /** One message id per phone, in the order of `phones` (what delivery reports refer to). */
  messageIds: number[];
  referenceId?: string;
  /** The request's content type (`json` or `form`). */
  encoding: 'json' | 'form';
  /**
   * How the API answered this accepted message: `answered` in full; `cut` (201 headers and a
   * partial body, then nothing: `hang`); `never` (`lost-reply`); `delayed` (`{ delayMs }`).
   * Whatever the answer, the message went out (and `GET /messages/search` lists it): a client
   * that gives up and sends again without asking makes a duplicate, as it would with
   * TextMagic, which has no idempotency key.
   */
  reply: 'answered' | 'cut' | 'never' | 'delayed';
};

/** Fields that TextMagic's send form accepts; anything else is an "extra field". */
const KNOWN_FIELDS = new Set([
  'text',
  'templateId',
  'sendingTime',
  'sendingDateTime',
  'sendingTimezone',
  'contacts',
  'lists',
  'phones',
  'cutExtra',
  'partsCount',
  'referenceId',
  'from',
  'rrule',
  'createChat',
  'tts',
  'local',
  'localCountry',
  'destination',
  'resources',
]);

function asString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** The request's fields, from a JSON or a form body. */
export function sendParams(
  req: http.IncomingMessage,
  raw: Buffer,
): { params: Record<string, unknown>; encoding: 'json' | 'form' } {
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (contentType === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new TmError(400, { code: 400, message: 'Invalid JSON in request body', errors: null });
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new TmError(400, { code: 400, message: 'Request body must be a JSON object', errors: null });
    }
    return { params: parsed as Record<string, unknown>, encoding: 'json' };
  }
  if (contentType === 'application/x-www-form-urlencoded') {
    return { params: Object.fromEntries(new URLSearchParams(raw.toString('utf8'))), encoding: 'form' };
  }
  throw new TmError(400, {
    code: 400,
    message: `Unsupported Content-Type "${contentType || '(none)'}": use application/json or application/x-www-form-urlencoded`,
    errors: null,
  });
}

/** What a valid request sends; every field's problems at once otherwise (`Validation Failed`). */
export type Message = { text: string; phones: string[]; from?: string; referenceId?: string };

type Problems = { common: string[]; fields: Record<string, string[]>; add(field: string, msg: string): void };

export function validMessage(params: Record<string, unknown>): Message {
  const extra = Object.keys(params).filter((k) => !KNOWN_FIELDS.has(k));
  if (extra.length > 0) {
    throw validationFailed({
      common: [`This form should not contain extra fields. (${extra.join(', ')})`],
    });
  }
  const fields: Record<string, string[]> = {};
  const problems: Problems = { common: [], fields, add: (f, msg) => (fields[f] ??= []).push(msg) };

  // This fake only knows ad-hoc phone numbers: no contacts, lists, templates or scheduling.
  for (const unsupported of ['contacts', 'lists', 'templateId', 'sendingTime', 'sendingDateTime', 'rrule']) {
    if (params[unsupported] !== undefined && params[unsupported] !== '') {
      problems.add(unsupported, `fake-textmagic does not support "${unsupported}".`);
    }
  }
  const text = params.text;
  if (text === undefined || text === null || text === '')
    problems.add('text', 'This value should not be blank.');
  else if (typeof text !== 'string') problems.add('text', 'This value is not valid.');
  const phones = validPhones(params.phones, problems);
  checkLength(params, problems);
  const sender = senderFields(params, problems);

  if (problems.common.length > 0 || Object.keys(fields).length > 0) {
    throw validationFailed({ common: problems.common, fields });
  }
  return { text: text as string, phones, ...sender };
}

function validPhones(phonesRaw: unknown, problems: Problems): string[] {
  if (phonesRaw === undefined || phonesRaw === null || phonesRaw === '') {
    problems.common.push('You should specify at least one recipient: contacts, lists or phones.');
    problems.add('phones', 'This value should not be blank.');
    return [];
  }
  if (typeof phonesRaw !== 'string') {
    problems.add('phones', 'This value is not valid: phones must be a comma-separated string.');
    return [];
  }
  const phones = phonesRaw.split(',');
  for (const p of phones) {
    if (!/^\d+$/.test(p)) {
      problems.add(
        'phones',
        p.startsWith('+')
          ? `Phone number "${p}" is invalid: use international format without the leading "+".`
          : `Phone number "${p}" is invalid: only digits are allowed.`,
      );
    } else if (p.length < 7 || p.length > 15) {
      problems.add('phones', `Phone number "${p}" is invalid: it must have 7 to 15 digits.`);
    }
  }
  return phones;
}

/** `partsCount` (at most 6) and `cutExtra`: a text longer than its parts is refused unless cut. */
function checkLength(params: Record<string, unknown>, problems: Problems): void {
  let partsCount = 6;
  if (params.partsCount !== undefined) {
    const pc = Number(asString(params.partsCount));
    if (!Number.isInteger(pc) || pc < 1 || pc > 6)
      problems.add('partsCount', 'This value should be between 1 and 6.');
    else partsCount = pc;
  }
  const cutExtra = ['1', 'true'].includes(String(params.cutExtra ?? '0'));
  const text = params.text;
  if (typeof text === 'string' && text !== '') {
    const parts = smsParts(text);
    if (parts > partsCount && !cutExtra) {
      problems.add('text', `Message is too long: it needs ${parts} parts, maximum allowed is ${partsCount}.`);
    }
  }
}

function senderFields(
  params: Record<string, unknown>,
  problems: Problems,
): { from?: string; referenceId?: string } {
  const out: { from?: string; referenceId?: string } = {};
  if (params.from !== undefined && params.from !== '') {
    const from = asString(params.from);
    if (from === undefined || !(/^\d{7,15}$/.test(from) || /^[A-Za-z0-9 ]{1,11}$/.test(from))) {
      problems.add('from', 'This value is not a valid sender ID or phone number.');
    }
    if (from !== undefined) out.from = from;
  }
  if (params.referenceId !== undefined && params.referenceId !== '') {
    // A Number: "Custom message reference id" (textmagic-rest-nodejs-v2 docs/SendMessageRequest.md).
    const referenceId = asString(params.referenceId);
    if (referenceId === undefined || !/^\d+$/.test(referenceId))
      problems.add('referenceId', 'This value is not valid.');
    else out.referenceId = referenceId;
  }
  return out;
}

/** The API's answer to an accepted message. */
export function sendResponse(sms: SentSms): Record<string, unknown> {
  const single = sms.type === 'message';
  return {
    id: sms.id,
    href: single ? `/api/v2/messages/${sms.id}` : `/api/v2/sessions/${sms.sessionId}`,
    type: sms.type,
    sessionId: sms.sessionId,
    bulkId: null,
    messageId: single ? sms.id : null,
    scheduleId: null,
  };
}
