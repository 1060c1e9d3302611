import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { GitHostWiring } from '../adapters/git-hosts/descriptor';
import { createGitHost } from '../adapters/git-hosts/registry';
import { GIT_CREDENTIALS } from '../adapters/secrets/git-credentials';
import { type SecretsClient, secretReader } from '../adapters/secrets/secret-reader';
import { SqsScheduler, sendMessageWith } from '../adapters/sqs-scheduler';
import type { PromoteConfig } from '../config/promote-config';
import { tracedGitHost } from '../observability/traced-ports';
import { systemClock } from '../ports/clock';

/**
 * What both Lambda functions (promote, feedback) start with: Powertools' logger, metrics and tracer
 * (https://docs.powertools.aws.dev/lambda/typescript/latest/), traced AWS clients, the Git host built
 * through the registry, the scheduler, and a dependency memo. Each function's composition module
 * reads its own config and adds what only it needs.
 */
const SERVICE = 'chart-promoter';

export interface LambdaObservability {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly tracer: Tracer;
}

/** Created at module load (cold start), as Powertools recommends, so every invocation shares them. */
export const lambdaObservability = (): LambdaObservability => ({
  logger: new Logger({ serviceName: SERVICE }),
  metrics: new Metrics({ namespace: 'ChartPromoter', serviceName: SERVICE }),
  tracer: new Tracer({ serviceName: SERVICE }),
});

/** Where the Lambda's git adapters may write (only /tmp is writable in Lambda). */
const WORK_DIR = '/tmp/chart-promoter-git';

/**
 * The cluster repository's host: credentials from their secret (when configured), the configured
 * kind's adapter through the registry (only that adapter is loaded), calls traced.
 */
const lambdaGitHost = async (
  config: Pick<PromoteConfig, 'gitHostKind' | 'repository' | 'gitHostBaseUrl' | 'credentialsSecretArn'>,
  secrets: SecretsClient,
  tracer: Tracer,
): Promise<GitHostWiring> => {
  const credentials = config.credentialsSecretArn
    ? await secretReader({
        client: secrets,
        secretId: config.credentialsSecretArn,
        format: GIT_CREDENTIALS,
      }).get()
    : undefined;
  const git = await createGitHost(config.gitHostKind, {
    repository: config.repository,
    ...(config.gitHostBaseUrl === undefined ? {} : { baseUrl: config.gitHostBaseUrl }),
    ...(credentials === undefined ? {} : { credentials }),
    workDir: WORK_DIR,
  });
  return { host: tracedGitHost(git.host, tracer), requests: git.requests };
};

/**
 * Promotion commands sent to the intake queue, when the function knows it (CHART_PROMOTER_INTAKE_QUEUE_URL,
 * sqs:SendMessage on it): those not due yet, with a delay (soak), and the deadline sweep's rollbacks.
 */
export const intakeScheduler = (queueUrl: string | undefined, tracer: Tracer): SqsScheduler | undefined =>
  queueUrl === undefined
    ? undefined
    : new SqsScheduler({
        queueUrl,
        sendMessage: sendMessageWith(tracer.captureAWSv3Client(new SQSClient({}))),
        clock: systemClock,
      });

export interface LambdaFoundation {
  /** Secrets Manager, traced (secretsmanager:GetSecretValue on the secrets the function is granted). */
  readonly secrets: SecretsManagerClient;
  readonly git: GitHostWiring;
  /** Absent when the function has no intake queue configured. */
  readonly scheduler: SqsScheduler | undefined;
}

/** What both functions build first: the secrets client, the Git host, the intake scheduler. */
export const lambdaFoundation = async (
  config: Pick<
    PromoteConfig,
    'gitHostKind' | 'repository' | 'gitHostBaseUrl' | 'credentialsSecretArn' | 'intakeQueueUrl'
  >,
  tracer: Tracer,
): Promise<LambdaFoundation> => {
  const secrets = tracer.captureAWSv3Client(new SecretsManagerClient({}));
  const git = await lambdaGitHost(config, secrets, tracer);
  return { secrets, git, scheduler: intakeScheduler(config.intakeQueueUrl, tracer) };
};

/** Built on first use and kept for the life of the execution environment; rebuilt after a failure. */
export const memoised = <T>(build: () => Promise<T>): (() => Promise<T>) => {
  let value: Promise<T> | undefined;
  return () => {
    value ??= build().catch((error: unknown) => {
      value = undefined;
      throw error;
    });
    return value;
  };
};
