import { createHash } from 'node:crypto';
import type { CfnTemplate, CfnValue } from './synthesized-app';

/**
 * What the template's CloudFormation tokens mean on this machine. CloudFormation resolves `Ref` and
 * `Fn::GetAtt` to each resource's physical id, name or ARN ("Return values" of each resource type in
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-template-resource-type-ref.html);
 * here they become local values of the same shape: a Secrets Manager ARN the local Secrets Manager
 * answers for, an SQS queue URL on the local SQS endpoint (the SQS client sends to the queue URL's
 * host: @aws-sdk/middleware-sdk-sqs queue-url.js), a bucket name s3rver serves. A token of a kind not
 * listed fails with the variable's name, so a new function's environment is never guessed.
 */
export interface LocalAccount {
  readonly region: string;
  readonly account: string;
  readonly stackName: string;
  /** Origin of the local SQS endpoint (`http://127.0.0.1:<port>`): queue URLs are made on it. */
  readonly sqsEndpoint?: string;
  /** Explicit values: `<LogicalId>` for a Ref, `<LogicalId>.<Attribute>` for a GetAtt. */
  readonly values?: Readonly<Record<string, string>>;
}

/** Six characters, as Secrets Manager appends to a secret's name in its ARN; stable per name. */
const secretSuffix = (name: string): string =>
  createHash('sha256').update(name).digest('base64url').replace(/[-_]/g, 'x').slice(0, 6);

/** A physical name CloudFormation would generate: `<stack>-<logical id>` (without its random tail). */
const physicalName = (local: LocalAccount, logicalId: string): string => `${local.stackName}-${logicalId}`;

type Resolver = (local: LocalAccount, logicalId: string) => string;

const arn = (local: LocalAccount, service: string, resource: string) =>
  `arn:aws:${service}:${local.region}:${local.account}:${resource}`;

const secretArn: Resolver = (local, id) => {
  const name = physicalName(local, id);
  return arn(local, 'secretsmanager', `secret:${name}-${secretSuffix(name)}`);
};

const queueUrl: Resolver = (local, id) => {
  if (local.sqsEndpoint === undefined)
    throw new Error(`a queue URL (${id}) needs LocalAccount.sqsEndpoint: start the local SQS endpoint`);
  return `${local.sqsEndpoint}/${local.account}/${physicalName(local, id)}`;
};

/** `Ref` return values by resource type. */
const REF: Readonly<Record<string, Resolver>> = {
  'AWS::SecretsManager::Secret': secretArn,
  'AWS::SQS::Queue': queueUrl,
  'AWS::S3::Bucket': (local, id) => physicalName(local, id).toLowerCase(),
  'AWS::Logs::LogGroup': (local, id) => physicalName(local, id),
  'AWS::SNS::Topic': (local, id) => arn(local, 'sns', physicalName(local, id)),
  'AWS::DynamoDB::Table': (local, id) => physicalName(local, id),
  // TableV2 (the release ledger) synthesizes a GlobalTable: its Ref is the table name too.
  'AWS::DynamoDB::GlobalTable': (local, id) => physicalName(local, id),
  'AWS::Lambda::Function': (local, id) => physicalName(local, id),
  'AWS::IAM::Role': (local, id) => physicalName(local, id),
};

/** `Fn::GetAtt` return values by resource type and attribute. */
const GET_ATT: Readonly<Record<string, Readonly<Record<string, Resolver>>>> = {
  'AWS::SQS::Queue': {
    Arn: (local, id) => arn(local, 'sqs', physicalName(local, id)),
    QueueName: physicalName,
    QueueUrl: queueUrl,
  },
  'AWS::S3::Bucket': { Arn: (local, id) => `arn:aws:s3:::${physicalName(local, id).toLowerCase()}` },
  'AWS::Logs::LogGroup': {
    Arn: (local, id) => arn(local, 'logs', `log-group:${physicalName(local, id)}:*`),
  },
  'AWS::DynamoDB::Table': {
    Arn: (local, id) => arn(local, 'dynamodb', `table/${physicalName(local, id)}`),
  },
  'AWS::DynamoDB::GlobalTable': {
    Arn: (local, id) => arn(local, 'dynamodb', `table/${physicalName(local, id)}`),
  },
  'AWS::Lambda::Function': {
    Arn: (local, id) => arn(local, 'lambda', `function:${physicalName(local, id)}`),
  },
  'AWS::IAM::Role': { Arn: (local, id) => `arn:aws:iam::${local.account}:role/${physicalName(local, id)}` },
};

const PSEUDO: Readonly<Record<string, (local: LocalAccount) => string>> = {
  'AWS::Region': (local) => local.region,
  'AWS::AccountId': (local) => local.account,
  'AWS::Partition': () => 'aws',
  'AWS::URLSuffix': () => 'amazonaws.com',
  'AWS::StackName': (local) => local.stackName,
};

/** Resolves one template value to the string the function's environment gets; `where` names it in errors. */
export const resolveCfnValue = (
  value: CfnValue,
  template: CfnTemplate,
  local: LocalAccount,
  where: string,
): string => {
  if (typeof value !== 'object') return String(value);
  const fail = (why: string): never => {
    throw new Error(`${where}: cannot resolve ${JSON.stringify(value)} locally (${why})`);
  };
  const typeOf = (id: string) => template.Resources[id]?.Type ?? fail(`no resource ${id} in the template`);
  if ('Ref' in value && typeof value.Ref === 'string') {
    const id = value.Ref;
    const pseudo = PSEUDO[id];
    if (pseudo) return pseudo(local);
    const explicit = local.values?.[id];
    if (explicit !== undefined) return explicit;
    const resolver = REF[typeOf(id)] ?? fail(`no local value for a Ref of ${typeOf(id)}`);
    return resolver(local, id);
  }
  if ('Fn::GetAtt' in value && Array.isArray(value['Fn::GetAtt'])) {
    const [id, attribute] = value['Fn::GetAtt'] as [string, string];
    const explicit = local.values?.[`${id}.${attribute}`];
    if (explicit !== undefined) return explicit;
    const resolver =
      GET_ATT[typeOf(id)]?.[attribute] ?? fail(`no local value for ${typeOf(id)} attribute ${attribute}`);
    return resolver(local, id);
  }
  if ('Fn::Join' in value && Array.isArray(value['Fn::Join'])) {
    const [separator, parts] = value['Fn::Join'] as [string, CfnValue[]];
    return parts.map((part) => resolveCfnValue(part, template, local, where)).join(separator);
  }
  return fail('only Ref, Fn::GetAtt and Fn::Join are resolved');
};

/** The function's Environment.Variables with every token resolved. */
export const resolveEnvironment = (
  variables: Readonly<Record<string, CfnValue>>,
  template: CfnTemplate,
  local: LocalAccount,
): Record<string, string> =>
  Object.fromEntries(
    Object.entries(variables).map(([name, value]) => [name, resolveCfnValue(value, template, local, name)]),
  );
