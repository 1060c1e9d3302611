import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createGitHost } from '../adapters/git-hosts/registry';
import { SecretsCredentialsReader } from '../adapters/secrets/git-credentials';
import { SqsScheduler, sendMessageWith } from '../adapters/sqs-scheduler';
import { parseFeedbackConfig } from '../config/feedback-config';
import { PromoterError } from '../errors';
import type { FeedbackDependencies, FeedbackSettings } from '../feedback/feedback-context';
import { ReplayCache } from '../feedback/replay-cache';
import { powertoolsMetrics } from '../observability/powertools-metrics';
import { tracedGitHost } from '../observability/traced-ports';
import type { Scheduler } from '../pipeline/scheduler';
import { systemClock } from '../ports/clock';
import { createIssueNotifier } from './integrations-factory';

/**
 * The feedback Lambda's composition (the one place that reads process.env for it). Needs, besides the
 * promote function's repository variables (CHART_PROMOTER_REPOSITORY, _BRANCH, _GIT_HOST_KIND,
 * _CREDENTIALS_SECRET_ARN, _TARGET_ENVIRONMENT, _SOURCE_REF_*): CHART_PROMOTER_WEBHOOK_SECRET_ARN
 * (secretsmanager:GetSecretValue on it and on the credentials secret) and, for soak times,
 * CHART_PROMOTER_INTAKE_QUEUE_URL (sqs:SendMessage on the intake queue); for Jira comments on the
 * promotions and rollbacks it makes, CHART_PROMOTER_JIRA_BASE_URL + _JIRA_SECRET_ARN
 * (secretsmanager:GetSecretValue on that secret).
 */
export const config = parseFeedbackConfig(process.env);

const SERVICE = 'chart-promoter';
export const logger = new Logger({ serviceName: SERVICE });
export const metrics = new Metrics({ namespace: 'ChartPromoter', serviceName: SERVICE });
export const tracer = new Tracer({ serviceName: SERVICE });

export const settings: FeedbackSettings = {
  branch: config.branch,
  fallbackEnvironment: config.targetEnvironment,
  plan: { sourceRef: config.sourceRef },
  maxBodyBytes: config.maxBodyBytes,
  freshness: { maxAgeMs: config.maxEventAgeSeconds * 1000, maxSkewMs: config.maxClockSkewSeconds * 1000 },
};

const KEY_TTL_MS = 5 * 60_000;

/** The HMAC key: SecretString is the token itself, or JSON `{"token": "…"}`. Cached; never logged. */
const webhookKeyReader = (client: SecretsManagerClient, secretId: string): (() => Promise<Uint8Array>) => {
  let cached: { key: Promise<Uint8Array>; expiresAt: number } | undefined;
  const fetchKey = async (): Promise<Uint8Array> => {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (!SecretString)
      throw new PromoterError(
        'WEBHOOK_KEY_UNAVAILABLE',
        'retryable',
        `secret ${secretId} has no SecretString`,
      );
    let token = SecretString;
    if (SecretString.trimStart().startsWith('{')) {
      const parsed = JSON.parse(SecretString) as { token?: unknown };
      if (typeof parsed.token !== 'string')
        throw new PromoterError(
          'WEBHOOK_KEY_UNAVAILABLE',
          'retryable',
          `secret ${secretId}: no "token" field`,
        );
      token = parsed.token;
    }
    return new TextEncoder().encode(token);
  };
  return () => {
    const now = Date.now();
    if (!cached || now >= cached.expiresAt) {
      const entry = { key: fetchKey(), expiresAt: now + KEY_TTL_MS };
      entry.key.catch(() => {
        if (cached === entry) cached = undefined;
      });
      cached = entry;
    }
    return cached.key;
  };
};

const noScheduler: Scheduler = {
  schedule: async () => {
    throw new PromoterError(
      'SCHEDULER_MISSING',
      'terminal',
      'soak > 0 needs CHART_PROMOTER_INTAKE_QUEUE_URL',
    );
  },
};

const buildDependencies = async (): Promise<FeedbackDependencies> => {
  const secrets = tracer.captureAWSv3Client(new SecretsManagerClient({}));
  const credentials = config.credentialsSecretArn
    ? await new SecretsCredentialsReader({ client: secrets, secretId: config.credentialsSecretArn }).read()
    : undefined;
  const git = await createGitHost(config.gitHostKind, {
    repository: config.repository,
    ...(config.gitHostBaseUrl === undefined ? {} : { baseUrl: config.gitHostBaseUrl }),
    ...(credentials === undefined ? {} : { credentials }),
    workDir: '/tmp/chart-promoter-git',
  });
  const scheduler = config.intakeQueueUrl
    ? new SqsScheduler({
        queueUrl: config.intakeQueueUrl,
        sendMessage: sendMessageWith(tracer.captureAWSv3Client(new SQSClient({}))),
        clock: systemClock,
      })
    : noScheduler;
  const issueNotifier = createIssueNotifier(config, {
    // Only the provenance keyring reads S3, and the feedback function checks no provenance: no S3
    // client (nor its SDK in this bundle).
    s3: () => {
      throw new PromoterError('CONFIG_INVALID', 'terminal', 'the feedback function reads no keyring');
    },
    secrets,
  });
  return {
    host: tracedGitHost(git.host, tracer),
    clock: systemClock,
    logger,
    metrics: powertoolsMetrics(metrics),
    scheduler,
    newRunId: randomUUID,
    replay: new ReplayCache(1000, settings.freshness.maxAgeMs + settings.freshness.maxSkewMs),
    hmacKey: webhookKeyReader(secrets, config.webhookSecretArn),
    ...(issueNotifier === undefined ? {} : { issueNotifier }),
  };
};

let dependencies: Promise<FeedbackDependencies> | undefined;

/** Built on first use and kept for the life of the execution environment; rebuilt after a failure. */
export const feedbackDependencies = (): Promise<FeedbackDependencies> => {
  dependencies ??= buildDependencies().catch((error: unknown) => {
    dependencies = undefined;
    throw error;
  });
  return dependencies;
};
