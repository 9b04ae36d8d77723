// A local Serverless plugin: each function's secrets, declared once beside it in serverless.yml
// (`secrets: [DATABASE_URL, …]`, names of lib/config.ts's secret variables), become at package
// time, and only then:
// - its environment `SECRETS_SSM_PATH` (`custom.secretsPath`, `/lead-unlock/<stage>/`) and
//   `SECRETS` (the names): where lib/secrets.ts reads them at cold start. Names, never values.
// - its own IAM role: its log group, `ssm:GetParameters` on exactly its parameters, and
//   `kms:Decrypt` of exactly those through SSM.
// - for a function that starts another (`invokes: [smsDispatcher]`, lib/messaging/dispatcher-kick.ts),
//   `lambda:InvokeFunction` on exactly those functions in its role.
// Under serverless-offline (`npm start`, the end-to-end tests) nothing is packaged: each function
// gets its secrets from the shell's environment, as local development always did, and only those
// it declares, as when deployed (so a missing declaration shows locally too). A function without
// `secrets` fails either.
//
// Our own roles rather than serverless-iam-roles-per-function: the plugin would want each role's
// statements written out in YAML per function, the parameter ARNs repeated by hand beside the
// list that says which secrets a function reads; this derives them from that one list, in the
// style of scripts/serverless-routes.cjs. (osls creates no default role when every
// function names its own: lib/plugins/aws/package/lib/merge-iam-templates.js.)
'use strict';

const SECRETS_SCHEMA = {
  type: 'array',
  items: { type: 'string', pattern: '^[A-Z][A-Z0-9_]*$' },
  uniqueItems: true,
};

const INVOKES_SCHEMA = { type: 'array', items: { type: 'string' }, uniqueItems: true };

const sub = (text) => ({ 'Fn::Sub': text });

/** The ARN of parameter `name` under `path` (which starts and ends with `/`). */
const parameterArn = (path, name) =>
  sub(`arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${path}${name}`);

/**
 * The statements of a function that reads `names` under `path` and logs to `logGroup`.
 *
 * kms:Decrypt: Parameter Store decrypts a SecureString with the caller's permission on its KMS
 * key, passing the encryption context `PARAMETER_ARN` = the parameter's ARN
 * (https://docs.aws.amazon.com/kms/latest/developerguide/services-parameter-store.html, "Using the
 * encryption context"); `kms:ViaService` limits the grant to calls SSM makes for us
 * (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service).
 * Any key of the account, so that a customer managed key works as the default one does, but only
 * for these parameters. With the default `aws/ssm` key its own key policy already lets every
 * principal of the account decrypt through SSM ("The AWS managed key for Parameter Store (aws/ssm)
 * grants Decrypt permission to all IAM principals in the AWS account",
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/ps-restrict-decryption.html): there
 * `ssm:GetParameters` on exactly these ARNs is what keeps a function to its own secrets.
 */
function statements(path, names, logGroup, invokes = []) {
  const logs = `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${logGroup}`;
  const list = [
    {
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:CreateLogGroup', 'logs:TagResource'],
      Resource: [sub(`${logs}:*`)],
    },
    { Effect: 'Allow', Action: ['logs:PutLogEvents'], Resource: [sub(`${logs}:*:*`)] },
  ];
  if (invokes.length) list.push({ Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: invokes });
  if (names.length === 0) return list;
  const arns = names.map((name) => parameterArn(path, name));
  list.push(
    { Effect: 'Allow', Action: ['ssm:GetParameters'], Resource: arns },
    {
      Effect: 'Allow',
      Action: ['kms:Decrypt'],
      Resource: [sub('arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*')],
      Condition: {
        StringEquals: {
          'kms:ViaService': sub('ssm.${AWS::Region}.${AWS::URLSuffix}'),
          'kms:EncryptionContext:PARAMETER_ARN': arns,
        },
      },
    },
  );
  return list;
}

class Secrets {
  constructor(serverless) {
    this.serverless = serverless;
    serverless.configSchemaHandler.defineFunctionProperties('aws', {
      properties: { secrets: SECRETS_SCHEMA, invokes: INVOKES_SCHEMA },
    });
    serverless.configSchemaHandler.defineCustomProperties({
      properties: { secretsPath: { type: 'string', pattern: '^/([A-Za-z0-9_.-]+/)+$' } },
    });
    this.hooks = {
      // Before the framework merges its IAM templates: with a role on every function it makes none.
      'before:package:setupProviderConfiguration': () => this.apply(),
      // `serverless offline` and `serverless offline start`, before serverless-offline reads the
      // functions' environment (it passes on only AWS_* of its own).
      'before:offline:start': () => this.local(),
      'before:offline:start:init': () => this.local(),
    };
  }

  declared() {
    const { service } = this.serverless;
    const missing = service.getAllFunctions().filter((name) => !service.getFunction(name).secrets);
    if (missing.length) throw new Error(`functions without secrets: [...]: ${missing.join(', ')}`);
    const all = service.getAllFunctions();
    for (const name of all) {
      const unknown = (service.getFunction(name).invokes ?? []).filter((n) => !all.includes(n));
      if (unknown.length)
        throw new Error(`${name} invokes no function of this service: ${unknown.join(', ')}`);
    }
    return all.map((name) => [name, service.getFunction(name)]);
  }

  local() {
    for (const [, fn] of this.declared()) {
      const given = fn.secrets.filter((name) => process.env[name] !== undefined);
      fn.environment = {
        ...fn.environment,
        ...Object.fromEntries(given.map((n) => [n, process.env[n]])),
        // What the function declares, as when deployed (its health says what it cannot check).
        SECRETS: fn.secrets.join(','),
        // The functions it starts are serverless-offline's, through its Invoke endpoint.
        ...(fn.invokes?.length && { AWS_ENDPOINT_URL_LAMBDA: this.offlineLambdaEndpoint() }),
      };
    }
  }

  /** serverless-offline's Invoke endpoint: `--lambdaPort`, else its `lambdaPort` setting. */
  offlineLambdaEndpoint() {
    const options = this.serverless.processedInput?.options ?? {};
    const port =
      options.lambdaPort ?? this.serverless.service.custom?.['serverless-offline']?.lambdaPort ?? 3002;
    return `http://127.0.0.1:${port}`;
  }

  apply() {
    const { service } = this.serverless;
    const naming = this.serverless.getProvider('aws').naming;
    const path = service.custom?.secretsPath;
    if (!path) throw new Error('custom.secretsPath is not set (serverless-secrets.cjs)');
    this.declared();
    const resources = service.provider.compiledCloudFormationTemplate.Resources;
    for (const name of service.getAllFunctions()) {
      const fn = service.getFunction(name);
      const names = fn.secrets;
      const roleId = `${naming.getNormalizedFunctionName(name)}IamRole`;
      resources[roleId] = {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Service: ['lambda.amazonaws.com'] },
                Action: ['sts:AssumeRole'],
              },
            ],
          },
          Policies: [
            {
              PolicyName: `${fn.name}-policy`,
              PolicyDocument: {
                Version: '2012-10-17',
                Statement: statements(
                  path,
                  names,
                  naming.getLogGroupName(fn.name),
                  (fn.invokes ?? []).map((n) => ({ 'Fn::GetAtt': [naming.getLambdaLogicalId(n), 'Arn'] })),
                ),
              },
            },
          ],
        },
      };
      fn.role = roleId;
      fn.environment = { ...fn.environment, SECRETS_SSM_PATH: path, SECRETS: names.join(',') };
    }
  }
}

module.exports = Secrets;
module.exports.statements = statements;
