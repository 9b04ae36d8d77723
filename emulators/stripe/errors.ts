/** Stripe's error answers: `{"error":{type,message,code?,param?,doc_url?}}` with their HTTP status. */

export type StripeErrorBody = {
  type: 'invalid_request_error' | 'idempotency_error' | 'api_error' | 'card_error';
  message: string;
  code?: string;
  param?: string;
  doc_url?: string;
};

export class StripeHttpError extends Error {
  constructor(
    readonly status: number,
    readonly error: StripeErrorBody,
    readonly headers: Record<string, string> = {},
  ) {
    super(error.message);
  }
}

export function invalid(message: string, param?: string, code?: string, status = 400): StripeHttpError {
  const error: StripeErrorBody = { type: 'invalid_request_error', message };
  if (code) {
    error.code = code;
    error.doc_url = `https://docs.stripe.com/error-codes/${code.replace(/_/g, '-')}`;
  }
  if (param) error.param = param;
  return new StripeHttpError(status, error);
}

export const missing = (param: string) =>
  invalid(`Missing required param: ${param}.`, param, 'parameter_missing');
export const unknownParam = (param: string) =>
  invalid(`Received unknown parameter: ${param}`, param, 'parameter_unknown');
export const noSuch = (kind: string, id: string, param: string, status = 404) =>
  invalid(`No such ${kind}: '${id}'`, param, 'resource_missing', status);

/** Where the Dashboard shows a request's log: every error answer names it. */
export const requestLogUrl = (requestId: string) => `https://dashboard.stripe.com/test/logs/${requestId}`;

/** The JSON body of an error answer. */
export const errorPayload = (e: StripeHttpError, requestId: string): string =>
  JSON.stringify({ error: { ...e.error, request_log_url: requestLogUrl(requestId) } }, null, 2);
