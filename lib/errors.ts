/**
 * The one error family. `AppError` carries an HTTP status and a stable code and is what a
 * handler turns into `{"error": {"code", "message", "details?"}}`; `ExternalServiceError` is a
 * failed call to Stripe, TextMagic or SSM Parameter Store and says whether trying again may help.
 */
export type ErrorDetails = Record<string, unknown> | Array<Record<string, unknown>>;

export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: ErrorDetails,
  ) {
    super(message);
  }
}

export const badRequest = (code: string, message: string, details?: ErrorDetails) =>
  new AppError(400, code, message, details);
export const unauthorized = (message: string) => new AppError(401, 'unauthorized', message);
export const forbidden = (message: string) => new AppError(403, 'forbidden', message);
export const notFound = (message: string) => new AppError(404, 'not_found', message);
export const conflict = (code: string, message: string) => new AppError(409, code, message);
export const payloadTooLarge = (message: string) => new AppError(413, 'payload_too_large', message);
export const unsupportedMediaType = (message: string) => new AppError(415, 'unsupported_media_type', message);
export const notConfigured = (message: string) => new AppError(503, 'not_configured', message);
export const unavailable = (code: string, message: string) => new AppError(503, code, message);

export type ExternalService = 'stripe' | 'textmagic' | 'ssm';

/** What the service said beyond the status, where a caller acts on it (Stripe's error object). */
export type ServiceAnswer = {
  /** The service's error code (Stripe's documented `code`, e.g. `resource_missing`). */
  code?: string;
  /** The parameter the error is about, when the service names one. */
  param?: string;
  /**
   * The service keeps this answer for the request's idempotency key and will give it again to
   * any retry under that key (Stripe: a 500 it answered, or the key used with other parameters):
   * what comes next needs a new key.
   */
  keySpent?: boolean;
  /** A 429's Retry-After, in ms: every sender of the deployment waits it out (lib/messaging/send-rate.ts). */
  retryAfterMs?: number;
  /**
   * A request that may have had its effect though no answer came back (it timed out, or the
   * connection broke after it went out): when it started. TextMagic takes a message that way.
   */
  sentUnheardAt?: Date;
};

export class ExternalServiceError extends Error {
  override name = 'ExternalServiceError';
  constructor(
    readonly service: ExternalService,
    message: string,
    /** True for timeouts, network faults, 429 and 5xx: the same call may succeed later. */
    readonly retryable: boolean,
    readonly status?: number,
    readonly answer: ServiceAnswer = {},
  ) {
    super(message);
  }
}

/**
 * A send that cannot have its turn of the shared SMS rate within its time (lib/messaging/send-rate.ts):
 * not a failure, the message stays queued. `behind`: older messages of its priority or higher are
 * waiting, and go first.
 */
export class NoSendTurn extends Error {
  override name = 'NoSendTurn';
  constructor(readonly behind: boolean) {
    super(behind ? 'older SMS are waiting for the send rate' : 'no turn of the send rate in time');
  }
}
