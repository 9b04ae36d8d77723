/**
 * `GetParameters`, the one operation the functions call, refusing what Parameter Store refuses,
 * with its words. Names that do not exist are no error: they come back in `InvalidParameters`,
 * and the found ones in `Parameters`, sorted by name ("The results for GetParameters requests are
 * listed in alphabetical order", API reference). A SecureString read without `WithDecryption`
 * answers its ciphertext, as the real one does.
 * https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameters.html
 */
import { SsmError, type SsmState } from './state';

const validation = (message: string) =>
  new SsmError('ValidationException', `1 validation error detected: ${message}`);

export function getParameters(state: SsmState, input: Record<string, unknown>, accessKeyId: string) {
  const names = input.Names;
  // More than 10 names, or none (API reference, GetParameters, `Names`: "Minimum number of 1 item.
  // Maximum number of 10 items"; the message as SSM writes it, quoted in
  // https://github.com/middyjs/middy/issues/586 and https://github.com/remind101/ssm-env/issues/10).
  if (!Array.isArray(names) || names.length === 0) {
    throw validation(
      `Value '[]' at 'names' failed to satisfy constraint: Member must have length greater than or equal to 1`,
    );
  }
  if (names.length > 10) {
    throw validation(
      `Value '[${names.join(', ')}]' at 'names' failed to satisfy constraint: Member must have length less than or equal to 10`,
    );
  }
  const withDecryption = input.WithDecryption === true;
  state.calls.push({ operation: 'GetParameters', accessKeyId, names: names.map(String), withDecryption });
  checkPolicy(state, names.map(String), accessKeyId);
  const found: Array<Record<string, unknown>> = [];
  const invalid: string[] = [];
  for (const name of [...new Set(names.map(String))].sort()) {
    const p = state.parameters.get(name);
    if (!p) {
      invalid.push(name);
      continue;
    }
    found.push({
      Name: name,
      Type: p.type,
      Value: p.type === 'SecureString' && !withDecryption ? p.ciphertext : p.value,
      Version: p.version,
      LastModifiedDate: p.modified.getTime() / 1000,
      ARN: state.arn(name),
      DataType: 'text',
    });
  }
  return { Parameters: found, InvalidParameters: invalid };
}

/**
 * A name outside what the caller's policy allows: the whole call fails with
 * `AccessDeniedException` naming the parameter's ARN (the text as AWS writes it, quoted in
 * https://github.com/hackoregon/civic-devops/issues/241 and
 * https://github.com/github-aws-runners/terraform-aws-github-runner/issues/3959).
 */
function checkPolicy(state: SsmState, names: string[], accessKeyId: string): void {
  const allowed = state.policies.get(accessKeyId);
  const denied = allowed && names.find((n) => !allowed.has(state.arn(n)));
  if (denied) {
    throw new SsmError(
      'AccessDeniedException',
      `User: arn:aws:sts::${state.accountId}:assumed-role/${accessKeyId}/function is not authorized to perform: ssm:GetParameters on resource: ${state.arn(denied)} because no identity-based policy allows the ssm:GetParameters action`,
    );
  }
}
