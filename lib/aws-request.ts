/**
 * One call to an AWS API, signed with aws4 (Signature Version 4 over node:crypto) and sent over
 * node:https: for the two calls the functions make (SSM GetParameters at cold start, Lambda
 * Invoke to start the dispatcher), rather than the AWS SDK v3 clients, whose bundles cost a cold
 * start more than the rest of a function (docs/performance.md, "Reading secrets"). The
 * credentials are those Lambda gives every function in its environment (AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN:
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime).
 * `AWS_ENDPOINT_URL_<SERVICE>` (or `AWS_ENDPOINT_URL`) points a call elsewhere, as it does for
 * the SDK: a VPC endpoint, a stand-in, serverless-offline.
 */
import aws4 from 'aws4';
import { request, type Reply } from './outbound-request';

export type AwsCall = {
  /** The signing name and endpoint prefix: `ssm`, `lambda`. */
  service: string;
  method: 'GET' | 'POST';
  /** The path under the endpoint, from `/`. */
  path: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
};

const region = (env: NodeJS.ProcessEnv) => env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1';

/** The service's endpoint: the environment's override, else the region's own. */
export function awsEndpoint(service: string, env: NodeJS.ProcessEnv = process.env): URL {
  const given = env[`AWS_ENDPOINT_URL_${service.toUpperCase()}`] || env.AWS_ENDPOINT_URL;
  if (given) return new URL(given);
  const r = region(env);
  return new URL(`https://${service}.${r}.amazonaws.com${r.startsWith('cn-') ? '.cn' : ''}/`);
}

/** Sends one signed call; throws what node:http throws (a timeout is an AbortError). */
export async function awsRequest(call: AwsCall, env: NodeJS.ProcessEnv = process.env): Promise<Reply> {
  const base = awsEndpoint(call.service, env);
  const url = new URL(call.path.replace(/^\//, ''), base.href.endsWith('/') ? base : `${base.href}/`);
  const signed = aws4.sign(
    {
      host: url.host,
      path: `${url.pathname}${url.search}`,
      method: call.method,
      service: call.service,
      region: region(env),
      body: call.body,
      headers: { ...call.headers, 'content-length': String(Buffer.byteLength(call.body)) },
    },
    {
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      sessionToken: env.AWS_SESSION_TOKEN,
    },
  );
  return request(
    call.method,
    url,
    signed.headers as Record<string, string>,
    call.body,
    AbortSignal.timeout(call.timeoutMs),
  );
}
