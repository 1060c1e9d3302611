import { PromoterError } from '../errors';
import * as z from '../zod';

/**
 * Typed configuration of the feedback endpoint (the ingress: the function URL Flux posts to), parsed
 * once at cold start. It needs no repository settings: it verifies an event and puts it on the
 * feedback queue; the worker (feedback-config.ts) acts on it.
 */
export interface FeedbackIngressConfig {
  /** Secrets Manager secret holding the generic-hmac key (the Flux Provider secret's `token`). */
  readonly webhookSecretArn: string;
  /** The feedback queue (SQS FIFO) accepted events go to. */
  readonly feedbackQueueUrl: string;
  readonly maxEventAgeSeconds: number;
  readonly maxClockSkewSeconds: number;
  readonly maxBodyBytes: number;
}

export const FEEDBACK_INGRESS_ENV = {
  webhookSecretArn: 'CHART_PROMOTER_WEBHOOK_SECRET_ARN',
  feedbackQueueUrl: 'CHART_PROMOTER_FEEDBACK_QUEUE_URL',
  maxEventAgeSeconds: 'CHART_PROMOTER_MAX_EVENT_AGE_SECONDS',
  maxClockSkewSeconds: 'CHART_PROMOTER_MAX_CLOCK_SKEW_SECONDS',
  maxBodyBytes: 'CHART_PROMOTER_FEEDBACK_MAX_BODY_BYTES',
} as const;

const E = FEEDBACK_INGRESS_ENV;

/** A positive integer variable with a default when unset or empty. */
export const positiveWithDefault = (fallback: number) =>
  z.preprocess(
    (v) => (v === undefined || v === '' ? String(fallback) : v),
    z.coerce.number().check(z.int(), z.positive()),
  );

const schema = z.object({
  [E.webhookSecretArn]: z
    .string('required: the Secrets Manager ARN of the webhook HMAC key')
    .check(
      z.regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/, 'must be a Secrets Manager ARN'),
    ),
  [E.feedbackQueueUrl]: z.url('required: the URL of the feedback queue (SQS FIFO)'),
  [E.maxEventAgeSeconds]: positiveWithDefault(900),
  [E.maxClockSkewSeconds]: positiveWithDefault(60),
  [E.maxBodyBytes]: positiveWithDefault(64 * 1024),
});

/** Throws a terminal CONFIG_INVALID naming every bad variable. */
export const parseFeedbackIngressConfig = (
  env: Readonly<Record<string, string | undefined>>,
): FeedbackIngressConfig => {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const list = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new PromoterError('CONFIG_INVALID', 'terminal', `invalid configuration: ${list}`);
  }
  const v = parsed.data;
  return {
    webhookSecretArn: v[E.webhookSecretArn],
    feedbackQueueUrl: v[E.feedbackQueueUrl],
    maxEventAgeSeconds: v[E.maxEventAgeSeconds],
    maxClockSkewSeconds: v[E.maxClockSkewSeconds],
    maxBodyBytes: v[E.maxBodyBytes],
  };
};
