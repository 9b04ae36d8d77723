/**
 * A loopback fake of TextMagic's REST API v2, for the tests, the bench and
 * the local sandbox (`npm start`); never deployed.
 *
 * It implements `POST /api/v2/messages`, `GET /api/v2/messages/search` (what it took, which
 * a client that lost its answer asks before sending again) and `GET /api/v2/user` (the
 * account, for the integration check) the way the real service does as far as our client can tell: `X-TM-Username` / `X-TM-Key` auth, JSON or form bodies, TextMagic's
 * error envelope `{"code","message","errors":{"common":[…],"fields":{…}}}`, and its
 * `SendMessageResponse` (`type` `message` for one recipient, `session` for several).
 * Faults (`fail`) let tests exercise retries, timeouts, hangs and connection resets; `sent`
 * holds what TextMagic accepted (the phones get it), `unanswered` what it stalled on.
 *
 * One file per part under textmagic/: messages.ts (the send rules), search.ts, sms-parts.ts, user.ts,
 * faults.ts, errors.ts, and server.ts (routing and the handle).
 */
export {
  startFakeTextMagic,
  type FakeTextMagic,
  type FakeTextMagicOptions,
  type UnansweredRequest,
} from './textmagic/server';
export type { SentSms } from './textmagic/messages';
export type { FaultMode } from './textmagic/faults';
export { smsParts } from './textmagic/sms-parts';
