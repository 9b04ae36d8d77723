import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { config } from './config';
import { initClients } from './init-clients';
import { lambdaContext } from './lambda-context';
import { readSecrets, refreshSecrets } from './secrets';

/**
 * A scheduled function: its secrets read (SSM, when deployed) and its clients built in the init
 * phase, its log lines with the Lambda context.
 */
export async function scheduledFunction<T>(
  run: (event: unknown) => Promise<T>,
  clients: Array<() => unknown> = [],
): Promise<(event?: unknown, context?: Context) => Promise<T>> {
  await initClients(readSecrets, config, ...clients);
  const handler = middy<unknown, T, Error, Context>()
    .use(lambdaContext())
    .handler(async (event) => {
      await refreshSecrets();
      return run(event);
    });
  return handler as (event?: unknown, context?: Context) => Promise<T>;
}
