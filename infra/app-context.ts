import { Duration } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { type GitHostKind, gitHostKindList, isGitHostKind } from '../functions/adapters/git-hosts/registry';
import type { PipelineValues } from './chart-promoter-stack';
import type { JiraProps } from './pipeline/pipeline-props';

/** Prefix of every context key the sample app reads (`cdk deploy -c chartPromoter.repository=o/r`). */
export const CONTEXT_PREFIX = 'chartPromoter.';

/** Placeholder used when no repository is given, so `cdk synth` works with no context at all. */
export const EXAMPLE_REPOSITORY = 'example-org/cluster-config';

export interface AppConfig {
  readonly stackName: string;
  /** Run cdk-nag's AwsSolutionsChecks on synth (findings fail it). */
  readonly nag: boolean;
  readonly pipeline: PipelineValues;
}

type ContextReader = (key: string) => unknown;

/** Context from `-c key=value` arrives as strings, from cdk.json as JSON values: accept both. */
const reader = (get: ContextReader) => {
  const raw = (key: string): unknown => {
    const value = get(`${CONTEXT_PREFIX}${key}`);
    return value === '' || value === null ? undefined : value;
  };
  const string = (key: string): string | undefined => {
    const value = raw(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw new Error(`context ${CONTEXT_PREFIX}${key}: must be a string`);
    return value;
  };
  const int = (key: string): number | undefined => {
    const value = raw(key);
    if (value === undefined) return undefined;
    const number = typeof value === 'number' ? value : Number(value);
    if (!Number.isInteger(number)) throw new Error(`context ${CONTEXT_PREFIX}${key}: must be a whole number`);
    return number;
  };
  const bool = (key: string): boolean | undefined => {
    const value = raw(key);
    if (value === undefined || typeof value === 'boolean') return value;
    if (value === 'true' || value === 'false') return value === 'true';
    throw new Error(`context ${CONTEXT_PREFIX}${key}: must be true or false`);
  };
  return { string, int, bool };
};

const retentionDays = (days: number | undefined): RetentionDays | undefined => {
  if (days === undefined) return undefined;
  if (!Object.values(RetentionDays).includes(days))
    throw new Error(
      `context ${CONTEXT_PREFIX}logRetentionDays: must be one of CloudWatch's retention periods ` +
        `(${Object.values(RetentionDays)
          .filter((v) => typeof v === 'number')
          .join(', ')})`,
    );
  return days as RetentionDays;
};

const gitHostKind = (value: string | undefined): GitHostKind | undefined => {
  if (value === undefined || isGitHostKind(value)) return value;
  throw new Error(
    `context ${CONTEXT_PREFIX}gitHostKind: must be ${gitHostKindList()} (got ${JSON.stringify(value)})`,
  );
};

const seconds = (value: number | undefined): Duration | undefined =>
  value === undefined ? undefined : Duration.seconds(value);

/** Drops undefined entries so the construct's documented defaults apply. */
const defined = <T extends object>(record: T): T =>
  Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T;

/** A group of settings only when at least one is given, so an empty context stays empty. */
const optionalGroup = <T extends object>(group: T): T | undefined =>
  Object.keys(group).length === 0 ? undefined : group;

/** Jira needs both keys; one alone is a mistake worth failing synth for. */
const jiraGroup = (baseUrl: string | undefined, secretArn: string | undefined): JiraProps | undefined => {
  if (baseUrl === undefined && secretArn === undefined) return undefined;
  if (baseUrl === undefined || secretArn === undefined)
    throw new Error(
      `context ${CONTEXT_PREFIX}jiraBaseUrl and ${CONTEXT_PREFIX}jiraSecretArn: give both or neither`,
    );
  return { baseUrl, secretArn };
};

/** Reads the sample app's configuration from CDK context; every key is optional. */
export const readAppConfig = (get: ContextReader): AppConfig => {
  const { string, int, bool } = reader(get);
  const pipeline: PipelineValues = defined({
    repository: string('repository') ?? EXAMPLE_REPOSITORY,
    branch: string('branch'),
    gitHostKind: gitHostKind(string('gitHostKind')),
    gitHostBaseUrl: string('gitHostBaseUrl'),
    credentialsSecretArn: string('credentialsSecretArn'),
    targetEnvironment: string('targetEnvironment'),
    bucketPrefix: string('bucketPrefix'),
    fluxSourceName: string('fluxSourceName'),
    fluxSourceNamespace: string('fluxSourceNamespace'),
    helmRenderCheck: bool('helmRenderCheck'),
    alarmTopicArn: string('alarmTopicArn'),
    alarmHttpsEndpoint: string('alarmHttpsEndpoint'),
    logRetention: retentionDays(int('logRetentionDays')),
    memorySize: int('memorySize'),
    functionTimeout: seconds(int('functionTimeoutSeconds')),
    batchSize: int('batchSize'),
    maxBatchingWindow: seconds(int('maxBatchingWindowSeconds')),
    maxConcurrency: int('maxConcurrency'),
    maxReceiveCount: int('maxReceiveCount'),
    feedback: optionalGroup(
      defined({
        enabled: bool('feedbackEnabled'),
        webhookSecretArn: string('webhookSecretArn'),
        maxEventAgeSeconds: int('maxEventAgeSeconds'),
        reservedConcurrency: int('feedbackReservedConcurrency'),
      }),
    ),
    provenance: optionalGroup(
      defined({ keyringS3Uri: string('keyringS3Uri'), keyringSecretArn: string('keyringSecretArn') }),
    ),
    jira: jiraGroup(string('jiraBaseUrl'), string('jiraSecretArn')),
  });
  return { stackName: string('stackName') ?? 'ChartPromoter', nag: bool('nag') ?? true, pipeline };
};
