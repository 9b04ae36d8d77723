/**
 * A loopback stand-in for AWS Systems Manager Parameter Store, for the tests and the bench; never
 * deployed. The AWS SDK v3 reaches it through `AWS_ENDPOINT_URL_SSM` (the service-specific
 * endpoint variable every SDK v3 client reads) with dummy credentials: see `env`.
 *
 * It speaks the AWS JSON 1.1 protocol of the real service for the one operation the functions
 * call, `GetParameters`, and refuses what Parameter Store refuses, with its words: more than 10
 * names or none, a name outside the caller's policy (`AccessDeniedException`), throttling, an
 * unsigned request. Each rule sits beside its source in ssm/: get-parameters.ts (the operation),
 * server.ts (the protocol, signing, throttling).
 */
export { startFakeSsm, type FakeSsm } from './ssm/server';
export type { ParameterType, SsmCall } from './ssm/state';
