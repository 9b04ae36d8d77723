import { databaseUnavailable } from '../db/pool';
import { AppError, payloadTooLarge } from '../errors';
import { log, stackFrames } from '../log';
import { toHttpRequest, type ApiGatewayEvent, type HttpRequest } from './request';
import { errorResponse, json, type HttpResponse } from './response';

export const MAX_BODY_BYTES = 64 * 1024;

/** Any thrown error becomes the contract's JSON error; unknown ones are logged and hidden. */
export function toErrorResponse(err: unknown): HttpResponse {
  if (err instanceof AppError) return errorResponse(err);
  const down = databaseUnavailable(err);
  if (down) {
    log.error('database unavailable', { err });
    return errorResponse(down);
  }
  log.error('unhandled error', { err, frames: stackFrames(err) });
  return json(500, { error: { code: 'internal_error', message: 'Something went wrong on our side' } });
}

/**
 * Wraps a route: decodes the API Gateway event (v1 or v2, base64 bodies included), refuses
 * bodies over 64 KiB before anything reads them, and maps errors to JSON responses.
 *
 * A plain wrapper rather than middy: its core imports node:stream, stream/promises and
 * stream/web at load for response streaming we do not use, about 0.2× of an empty node on
 * every cold start (npm run bench), for the one error hook we need.
 */
export function httpHandler(
  route: (req: HttpRequest) => Promise<HttpResponse>,
): (event: ApiGatewayEvent) => Promise<HttpResponse> {
  return async (event) => {
    try {
      const req = toHttpRequest(event);
      if (req.rawBody.length > MAX_BODY_BYTES) {
        throw payloadTooLarge(`The request body is over ${MAX_BODY_BYTES / 1024} KiB`);
      }
      return await route(req);
    } catch (err) {
      return toErrorResponse(err);
    }
  };
}
