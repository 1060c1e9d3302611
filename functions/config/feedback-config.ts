import * as z from 'zod';
import { PromoterError } from '../errors';
import { PROMOTE_ENV, type PromoteConfig, parsePromoteConfig } from './promote-config';

/**
 * Typed configuration of the feedback function, parsed once at cold start: the promote function's
 * repository settings (same variables, same meaning: see promote-config.ts) plus its own.
 */
export interface FeedbackConfig extends PromoteConfig {
  /** Secrets Manager secret holding the generic-hmac key (the Flux Provider secret's `token`). */
  readonly webhookSecretArn: string;
  /** Intake queue for scheduled promotions (soak); absent = soak > 0 cannot be scheduled. */
  readonly intakeQueueUrl?: string;
  readonly maxEventAgeSeconds: number;
  readonly maxClockSkewSeconds: number;
  readonly maxBodyBytes: number;
}

export const FEEDBACK_ENV = {
  webhookSecretArn: 'CHART_PROMOTER_WEBHOOK_SECRET_ARN',
  /** The same variable the promote function reads (PROMOTE_ENV.intakeQueueUrl). */
  intakeQueueUrl: PROMOTE_ENV.intakeQueueUrl,
  maxEventAgeSeconds: 'CHART_PROMOTER_MAX_EVENT_AGE_SECONDS',
  maxClockSkewSeconds: 'CHART_PROMOTER_MAX_CLOCK_SKEW_SECONDS',
  maxBodyBytes: 'CHART_PROMOTER_FEEDBACK_MAX_BODY_BYTES',
} as const;

const E = FEEDBACK_ENV;
const positive = (fallback: number) =>
  z.preprocess(
    (v) => (v === undefined || v === '' ? String(fallback) : v),
    z.coerce.number().int().positive(),
  );

const schema = z.object({
  [E.webhookSecretArn]: z
    .string('required: the Secrets Manager ARN of the webhook HMAC key')
    .regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/, 'must be a Secrets Manager ARN'),
  [E.intakeQueueUrl]: z.preprocess((v) => (v === '' ? undefined : v), z.url().optional()),
  [E.maxEventAgeSeconds]: positive(900),
  [E.maxClockSkewSeconds]: positive(60),
  [E.maxBodyBytes]: positive(64 * 1024),
});

/** Throws a terminal CONFIG_INVALID naming every bad variable (repository ones first). */
export const parseFeedbackConfig = (env: Readonly<Record<string, string | undefined>>): FeedbackConfig => {
  const base = parsePromoteConfig(env);
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const list = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new PromoterError('CONFIG_INVALID', 'terminal', `invalid configuration: ${list}`);
  }
  const v = parsed.data;
  const queue = v[E.intakeQueueUrl];
  return {
    ...base,
    webhookSecretArn: v[E.webhookSecretArn],
    ...(queue === undefined ? {} : { intakeQueueUrl: queue }),
    maxEventAgeSeconds: v[E.maxEventAgeSeconds],
    maxClockSkewSeconds: v[E.maxClockSkewSeconds],
    maxBodyBytes: v[E.maxBodyBytes],
  };
};
