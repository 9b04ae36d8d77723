/** What the Parameter Store stand-in holds, and its error (`{"__type","message"}` with an HTTP status). */

export type ParameterType = 'String' | 'StringList' | 'SecureString';

type Stored = { value: string; type: ParameterType; version: number; modified: Date; ciphertext: string };

export type SsmCall = {
  operation: string;
  /** The access key id the request was signed with (the caller's identity). */
  accessKeyId: string;
  names: string[];
  withDecryption: boolean;
};

export type SsmState = {
  region: string;
  accountId: string;
  parameters: Map<string, Stored>;
  /** Per access key id, the parameter ARNs its policy lets it read. */
  policies: Map<string, Set<string>>;
  calls: SsmCall[];
  /** Requests still to throttle. */
  throttled: number;
  arn(name: string): string;
};

export class SsmError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}
