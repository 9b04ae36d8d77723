import type middy from '@middy/core';
import { payloadTooLarge } from '../errors';
import type { ApiGatewayEvent } from './request';

export const MAX_BODY_BYTES = 64 * 1024;

/** An API Gateway event once `rawBody` has run: the exact bytes the caller sent. */
export type EventWithRawBody = ApiGatewayEvent & { rawBody: Buffer };

/**
 * Refuses a body over 64 KiB before anything decodes or parses it, then keeps the exact bytes
 * the caller sent (base64-decoded when API Gateway encoded them), which the Stripe signature is
 * verified over. No middy middleware does either: the body parsers decode to text and parse.
 */
export function rawBody(): middy.MiddlewareObj<ApiGatewayEvent> {
  return {
    before: (request) => {
      const event = request.event as EventWithRawBody;
      const body = event.body ?? '';
      const encoding = event.isBase64Encoded ? 'base64' : 'utf8';
      if (Buffer.byteLength(body, encoding) > MAX_BODY_BYTES) {
        throw payloadTooLarge(`The request body is over ${MAX_BODY_BYTES / 1024} KiB`);
      }
      event.rawBody = Buffer.from(body, encoding);
    },
  };
}
