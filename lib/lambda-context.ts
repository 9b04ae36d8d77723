import type middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { setLogContext } from './log';

let coldStart = true;

/** Puts the invocation's request id, function name and cold start on every log line it writes. */
export function lambdaContext(): middy.MiddlewareObj<unknown, unknown, Error, Context> {
  return {
    before: ({ context }) => {
      setLogContext({
        requestId: context.awsRequestId,
        functionName: context.functionName,
        coldStart,
      });
      coldStart = false;
    },
  };
}
