import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { secretReader } from '../adapters/secrets/secret-reader';
import { WEBHOOK_KEY } from '../adapters/secrets/webhook-key';
import { SqsFluxEventQueue } from '../adapters/sqs-flux-event-queue';
import { parseFeedbackIngressConfig } from '../config/feedback-ingress-config';
import type { FeedbackIngressDependencies, FeedbackIngressSettings } from '../feedback/feedback-context';
import { powertoolsMetrics } from '../observability/powertools-metrics';
import { systemClock } from '../ports/clock';
import { lambdaObservability } from './lambda-bootstrap';

/**
 * The feedback endpoint's composition (the function URL Flux posts to; the one place that reads
 * process.env for it): CHART_PROMOTER_WEBHOOK_SECRET_ARN (secretsmanager:GetSecretValue on it) and
 * CHART_PROMOTER_FEEDBACK_QUEUE_URL (sqs:SendMessage on the feedback queue). No Git host, no
 * repository settings: the worker (feedback-lambda.ts) does the work.
 */
export const config = parseFeedbackIngressConfig(process.env);

export const { logger, metrics, tracer } = lambdaObservability();

export const settings: FeedbackIngressSettings = {
  maxBodyBytes: config.maxBodyBytes,
  freshness: { maxAgeMs: config.maxEventAgeSeconds * 1000, maxSkewMs: config.maxClockSkewSeconds * 1000 },
};

// Built at module load: the clients are cheap, and the HMAC key is read (then cached on the clock like
// every secret, secret-reader.ts) on the first request; never logged.
const hmacKey = secretReader({
  client: tracer.captureAWSv3Client(new SecretsManagerClient({})),
  secretId: config.webhookSecretArn,
  format: WEBHOOK_KEY,
  clock: systemClock,
});

export const ingressDependencies: FeedbackIngressDependencies = {
  clock: systemClock,
  logger,
  metrics: powertoolsMetrics(metrics),
  hmacKey: () => hmacKey.get(),
  queue: new SqsFluxEventQueue(tracer.captureAWSv3Client(new SQSClient({})), config.feedbackQueueUrl),
};
