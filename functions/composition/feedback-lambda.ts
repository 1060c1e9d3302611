import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbReleaseLedger } from '../adapters/ledger/dynamodb-release-ledger';
import { feedbackIdempotencyStore } from '../adapters/ledger/feedback-idempotency-store';
import { parseFeedbackConfig } from '../config/feedback-config';
import { PromoterError } from '../errors';
import type { FeedbackDependencies, FeedbackSettings } from '../feedback/feedback-context';
import { DEFAULT_REMEMBER_EVENTS_SECONDS, type FeedbackIdempotency } from '../feedback/handle-feedback-batch';
import { powertoolsMetrics } from '../observability/powertools-metrics';
import { systemClock } from '../ports/clock';
import type { Scheduler } from '../ports/scheduler';
import { createIssueNotifier } from './integrations-factory';
import { lambdaFoundation, lambdaObservability, memoised } from './lambda-bootstrap';

/**
 * The feedback worker's composition (the one place that reads process.env for it): it consumes the
 * feedback queue and acts on Flux events. Needs, besides the promote function's repository variables
 * (CHART_PROMOTER_REPOSITORY, _BRANCH, _GIT_HOST_KIND, _CREDENTIALS_SECRET_ARN, _TARGET_ENVIRONMENT,
 * _SOURCE_REF_*): CHART_PROMOTER_LEDGER_TABLE (GetItem/PutItem/UpdateItem/DeleteItem on it: the
 * idempotency records), CHART_PROMOTER_FEEDBACK_MAX_RECEIVES (the queue's maxReceiveCount) and, for
 * soak times, CHART_PROMOTER_INTAKE_QUEUE_URL (sqs:SendMessage on the intake queue); for Jira comments
 * on the promotions and rollbacks it makes, CHART_PROMOTER_JIRA_BASE_URL + _JIRA_SECRET_ARN.
 */
export const config = parseFeedbackConfig(process.env);

export const { logger, metrics, tracer } = lambdaObservability();

export const settings: FeedbackSettings = {
  branch: config.branch,
  fallbackEnvironment: config.targetEnvironment,
  plan: { sourceRef: config.sourceRef },
};

/**
 * One client for the ledger table (config.ledgerTableName, CHART_PROMOTER_LEDGER_TABLE): the handled
 * events' idempotency rows and the release rows every Flux report is recorded in.
 */
const ledgerTable = tracer.captureAWSv3Client(new DynamoDBClient({}));

export const idempotency: FeedbackIdempotency = {
  persistenceStore: feedbackIdempotencyStore(ledgerTable, config.ledgerTableName),
  rememberSeconds: config.rememberEventsSeconds ?? DEFAULT_REMEMBER_EVENTS_SECONDS,
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
    // Only the provenance keyring reads S3, and the feedback worker checks no provenance: no S3
    // client (nor its SDK in this bundle).
    s3: () => {
      throw new PromoterError('CONFIG_INVALID', 'terminal', 'the feedback worker reads no keyring');
    },
    secrets,
  });
  return {
    host: git.host,
    clock: systemClock,
    logger,
    metrics: powertoolsMetrics(metrics),
    scheduler: scheduler ?? noScheduler,
    newRunId: randomUUID,
    ...(issueNotifier === undefined ? {} : { issueNotifier }),
    ledger: new DynamoDbReleaseLedger(ledgerTable, config.ledgerTableName),
  };
};

/** Built on first use and kept for the life of the execution environment; rebuilt after a failure. */
export const feedbackDependencies = memoised(buildDependencies);
