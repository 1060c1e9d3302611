import { randomUUID } from 'node:crypto';
import { secretReader } from '../adapters/secrets/secret-reader';
import { WEBHOOK_KEY } from '../adapters/secrets/webhook-key';
import { parseFeedbackConfig } from '../config/feedback-config';
import { PromoterError } from '../errors';
import type { FeedbackDependencies, FeedbackSettings } from '../feedback/feedback-context';
import { ReplayCache } from '../feedback/replay-cache';
import { powertoolsMetrics } from '../observability/powertools-metrics';
import { systemClock } from '../ports/clock';
import type { Scheduler } from '../ports/scheduler';
import { createIssueNotifier } from './integrations-factory';
import { lambdaFoundation, lambdaObservability, memoised } from './lambda-bootstrap';

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

export const { logger, metrics, tracer } = lambdaObservability();

export const settings: FeedbackSettings = {
  branch: config.branch,
  fallbackEnvironment: config.targetEnvironment,
  plan: { sourceRef: config.sourceRef },
  maxBodyBytes: config.maxBodyBytes,
  freshness: { maxAgeMs: config.maxEventAgeSeconds * 1000, maxSkewMs: config.maxClockSkewSeconds * 1000 },
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
  const { secrets, git, scheduler } = await lambdaFoundation(config, tracer);
  const issueNotifier = createIssueNotifier(config, {
    // Only the provenance keyring reads S3, and the feedback function checks no provenance: no S3
    // client (nor its SDK in this bundle).
    s3: () => {
      throw new PromoterError('CONFIG_INVALID', 'terminal', 'the feedback function reads no keyring');
    },
    secrets,
  });
  // The HMAC key, cached on the Clock like every secret (secret-reader.ts); never logged.
  const hmacKey = secretReader({
    client: secrets,
    secretId: config.webhookSecretArn,
    format: WEBHOOK_KEY,
    clock: systemClock,
  });
  return {
    host: git.host,
    clock: systemClock,
    logger,
    metrics: powertoolsMetrics(metrics),
    scheduler: scheduler ?? noScheduler,
    newRunId: randomUUID,
    replay: new ReplayCache(1000, settings.freshness.maxAgeMs + settings.freshness.maxSkewMs),
    hmacKey: () => hmacKey.get(),
    ...(issueNotifier === undefined ? {} : { issueNotifier }),
  };
};

/** Built on first use and kept for the life of the execution environment; rebuilt after a failure. */
export const feedbackDependencies = memoised(buildDependencies);
