/** TextMagic's error envelope: `{"code","message","errors":{"common":[…],"fields":{…}}}`. */
import type http from 'node:http';

export type Errors = { common: string[]; fields: Record<string, string[]> };

export class TmError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(String(body.message));
  }
}

export function validationFailed(errors: Partial<Errors>): TmError {
  return new TmError(400, {
    code: 400,
    message: 'Validation Failed',
    errors: { common: errors.common ?? [], fields: errors.fields ?? {} },
  });
}

export const unauthorized = () => new TmError(401, { code: 401, message: 'Unauthorized' });

export function sendError(res: http.ServerResponse, err: TmError): void {
  const payload = JSON.stringify(err.body);
  res.writeHead(err.status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(payload),
    ...err.headers,
  });
  res.end(payload);
}
