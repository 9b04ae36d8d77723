import type middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { setLogContext } from './log';

let coldStart = true;
let currentRequestId: string | undefined;

/** The running invocation's request id (Lambda's `awsRequestId`), as its log lines carry it. */
export const requestId = (): string | undefined => currentRequestId;

/** Puts the invocation's request id, function name and cold start on every log line it writes. */
export function lambdaContext(): middy.MiddlewareObj<unknown, unknown, Error, Context> {
  return {
    before: ({ context }) => {
      currentRequestId = context.awsRequestId || undefined;
      setLogContext({
        requestId: context.awsRequestId,
        functionName: context.functionName,
        coldStart,
      });
      coldStart = false;
    },
  };
}
