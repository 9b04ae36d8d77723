import type middy from '@middy/core';
import { databaseUnavailable } from '../db/pool';
import { AppError } from '../errors';
import { log, stackFrames } from '../log';
import { errorResponse, json, type HttpResponse } from './response';

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
 * The error handler. Ours rather than @middy/http-error-handler: that one answers with the
 * error's message as the body (the contract's shape is `{ error: { code, message, details } }`)
 * and logs the raw error with console.error, parameters of a failed query included.
 */
export function jsonErrors(): middy.MiddlewareObj<unknown, HttpResponse> {
  return {
    onError: (request) => {
      request.response = toErrorResponse(request.error);
    },
  };
}
