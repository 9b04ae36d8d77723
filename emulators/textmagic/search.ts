/**
 * `GET /api/v2/messages/search`: the messages TextMagic took, one per phone (a request to
 * several phones is one session), newest first, paged, as `MessageOut` resources. It lists what
 * was taken whatever became of the answer (`reply`): a client that lost its answer finds the
 * message here.
 *
 * Sources (textmagic-rest-nodejs-v2, github.com/textmagic/textmagic-rest-nodejs-v2):
 * docs/TextMagicApi.md#searchOutboundMessages (the route and its parameters: page default 1,
 * limit default 10, lastId "selecting all values lesser than the specified ID" with page
 * ignored, ids, sessionId, statuses, includeDeleted default 0, query "Find messages by
 * specified search query"); docs/SearchOutboundMessagesPaginatedResponse.md (page, pageCount,
 * limit, resources); docs/MessageOut.md and docs/MessageOutSession.md (each resource, its
 * status letters); docs/BadRequestResponseErrors.md (errors by parameter under `fields`).
 */
import { validationFailed } from './errors';
import type { SentSms } from './messages';
import { isGsm, smsParts } from './sms-parts';

/** MessageOut.status: "Delivery status of the message" (docs/MessageOut.md, StatusEnum). */
const STATUSES = new Set(['q', 's', 'e', 'r', 'a', 'd', 'b', 'f', 'u', 'j', 'i', 'p', 'h']);

/** Integer parameters and their least value (page and limit count from 1). */
const INTEGERS: Record<string, number> = { page: 1, limit: 1, lastId: 1, sessionId: 1, includeDeleted: 0 };

type Search = {
  page: number;
  limit: number;
  lastId?: number;
  ids?: Set<number>;
  sessionId?: number;
  statuses?: Set<string>;
  query?: string;
};

/**
 * The parameters, or every one's problems at once. TextMagic answers a bad parameter with its
 * `Validation Failed` envelope, the parameter named under `fields`; the words are those its
 * forms give elsewhere (Symfony's "This value is not valid.", as for a bad `referenceId`).
 */
export function searchParams(query: URLSearchParams): Search {
  const fields: Record<string, string[]> = {};
  const add = (f: string, msg: string) => (fields[f] ??= []).push(msg);
  const ints: Record<string, number> = {};
  for (const [name, least] of Object.entries(INTEGERS)) {
    const raw = query.get(name);
    if (raw === null || raw === '') continue;
    if (!/^\d+$/.test(raw)) add(name, 'This value is not valid.');
    else if (Number(raw) < least) add(name, `This value should be greater than or equal to ${least}.`);
    else ints[name] = Number(raw);
  }
  if (ints.includeDeleted !== undefined && ints.includeDeleted > 1)
    add('includeDeleted', 'This value is not valid.');
  const list = (name: string, valid: (v: string) => boolean): string[] | undefined => {
    const raw = query.get(name);
    if (raw === null || raw === '') return undefined;
    const values = raw.split(',').map((v) => v.trim());
    if (!values.every(valid)) add(name, 'This value is not valid.');
    return values;
  };
  const ids = list('ids', (v) => /^\d+$/.test(v));
  const statuses = list('statuses', (v) => STATUSES.has(v));
  if (Object.keys(fields).length > 0) throw validationFailed({ fields });
  return {
    page: ints.page ?? 1,
    limit: ints.limit ?? 10,
    lastId: ints.lastId,
    sessionId: ints.sessionId,
    ids: ids && new Set(ids.map(Number)),
    statuses: statuses && new Set(statuses),
    query: query.get('query') || undefined,
  };
}

/** One taken message per phone, as TextMagic lists it (`MessageOut`). */
type Listed = { sms: SentSms; phone: string; id: number };

/** MessageOut.messageTime as TextMagic writes times: ISO 8601, offset without a colon. */
const messageTime = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, '+0000');

function messageOut({ sms, phone, id }: Listed): Record<string, unknown> {
  const unicode = !isGsm(sms.text);
  return {
    id,
    sender: sms.from ?? null,
    receiver: phone,
    text: sms.text,
    status: 'd',
    contactId: 0,
    sessionId: sms.sessionId,
    messageTime: messageTime(sms.receivedAt),
    avatar: '',
    deleted: false,
    charset: unicode ? 'UTF-16BE' : 'ISO-8859-1',
    charsetLabel: unicode ? 'UTF-16BE' : 'ISO-8859-1',
    firstName: '',
    lastName: '',
    country: phone.startsWith('1') ? 'US' : phone.startsWith('44') ? 'GB' : '',
    phone,
    price: 0.04 * smsParts(sms.text),
    partsCount: smsParts(sms.text),
    fromNumber: sms.from ?? null,
    session: {
      id: sms.sessionId,
      startTime: messageTime(sms.receivedAt),
      text: sms.text,
      price: 0.04 * smsParts(sms.text) * sms.phones.length,
      numbersCount: sms.phones.length,
      destination: 't',
      source: 'A',
      referenceId: sms.referenceId ?? null,
      initiatorId: 1_001,
    },
  };
}

/**
 * The page asked for. `query` matches a message whose text or receiver contains it (ignoring
 * case): what it searches is not documented beyond "Find messages by specified search query";
 * TextMagic's other searches take the text shown and the phone number (contacts: "first name,
 * last name or phone number", textmagic.com/docs/api/search-resources). The fake deletes
 * nothing, so `includeDeleted` changes nothing.
 */
export function searchMessages(sent: SentSms[], s: Search): Record<string, unknown> {
  const q = s.query?.toLowerCase();
  const all: Listed[] = sent
    .flatMap((sms) => sms.phones.map((phone, i) => ({ sms, phone, id: sms.messageIds[i]! })))
    .filter(
      (m) =>
        (s.lastId === undefined || m.id < s.lastId) &&
        (!s.ids || s.ids.has(m.id)) &&
        (s.sessionId === undefined || m.sms.sessionId === s.sessionId) &&
        (!s.statuses || s.statuses.has('d')) &&
        (!q || m.sms.text.toLowerCase().includes(q) || m.phone.includes(q)),
    )
    .sort((a, b) => b.id - a.id);
  // "Note that the 'page' parameter is ignored when 'lastId' is specified."
  const page = s.lastId === undefined ? s.page : 1;
  return {
    page,
    pageCount: Math.ceil(all.length / s.limit),
    limit: s.limit,
    resources: all.slice((page - 1) * s.limit, page * s.limit).map(messageOut),
  };
}
