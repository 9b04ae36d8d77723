/** Faults a test injects (`fail`): refusals answered at once, and answers late, cut or never given. */
import type http from 'node:http';
import { sendError, TmError, unauthorized, validationFailed } from './errors';
import type { SentSms } from './messages';
import { tooManyRequests } from './rate-limit';

/**
 * 503, 429 (with Retry-After), 400, 401: answered at once, nothing sent. `timeout`: received,
 * never answered, nothing sent. `reset`: the connection is reset. The others accept the
 * message (it is in `sent`) and then: `hang` answers 201 with a body that never finishes;
 * `lost-reply` never answers; `{ delayMs }` answers that much later.
 */
export type FaultMode =
  503 | 429 | 400 | 401 | 'timeout' | 'hang' | 'reset' | 'lost-reply' | { delayMs: number };

/** These accept the message like a healthy API, then answer late, in part or never. */
const isSlow = (fault: FaultMode | undefined) =>
  fault === 'hang' || fault === 'lost-reply' || typeof fault === 'object';

/** How the answer to an accepted message goes under `fault`. */
export const replyUnder = (fault: FaultMode | undefined): SentSms['reply'] =>
  fault === 'hang' ? 'cut' : fault === 'lost-reply' ? 'never' : isSlow(fault) ? 'delayed' : 'answered';

/**
 * Answers a fault that refuses the request before it is read; true when it did (nothing more is
 * done). `onUnanswered` records a request stalled on (`timeout`).
 */
export function refuseUnder(
  fault: FaultMode | undefined,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  onUnanswered: () => void,
): boolean {
  if (fault === undefined || isSlow(fault)) return false;
  switch (fault) {
    case 'timeout':
      onUnanswered();
      return true; // never answer; close() ends the connection
    case 'reset':
      req.socket.resetAndDestroy();
      return true;
    case 503:
      sendError(res, new TmError(503, { code: 503, message: 'Service Unavailable' }));
      return true;
    case 429:
      sendError(res, tooManyRequests(1000));
      return true;
    case 400:
      sendError(res, validationFailed({ common: ['Injected fault: request rejected.'] }));
      return true;
    case 401:
      sendError(res, unauthorized());
      return true;
  }
  return false;
}

/** Gives a successful answer as `fault` lets it go: whole, cut after its headers, late, or never. */
export function answerUnder(
  fault: FaultMode | undefined,
  res: http.ServerResponse,
  status: number,
  payload: string,
): void {
  const answer = () => {
    if (res.destroyed) return;
    res.writeHead(status, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(payload),
    });
    res.end(payload);
  };
  if (fault === 'hang') {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.write(payload.slice(0, 6));
    return; // headers and a partial body, then nothing
  }
  if (fault === 'lost-reply') return; // never answer; close() ends the connection
  if (typeof fault === 'object') {
    const timer = setTimeout(answer, fault.delayMs);
    res.on('close', () => clearTimeout(timer));
    return;
  }
  answer();
}
