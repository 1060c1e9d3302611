import { TABLE_NAME, TABLE_NAME_MESSAGE } from '../adapters/ledger/ledger-keys';
import { PromoterError } from '../errors';
import * as z from '../zod';
import { positiveWithDefault } from './feedback-ingress-config';
import { PROMOTE_ENV, type PromoteConfig, parsePromoteConfig } from './promote-config';

/**
 * Typed configuration of the feedback worker (it consumes the feedback queue and acts on Flux
 * events), parsed once at cold start: the promote function's repository settings (same variables,
 * same meaning: see promote-config.ts) plus its own.
 */
export interface FeedbackConfig extends PromoteConfig {
  /** Intake queue for scheduled promotions (soak); absent = soak > 0 cannot be scheduled. */
  readonly intakeQueueUrl?: string;
  /** The release ledger table: handled Flux events are remembered there (Powertools idempotency). */
  readonly ledgerTableName: string;
  /** The feedback queue's maxReceiveCount: the failure at that receive is logged as dead-lettered. */
  readonly maxReceives: number;
  /** How long a handled event is remembered (its idempotency record's TTL); absent = the worker's default. */
  readonly rememberEventsSeconds?: number;
}

export const FEEDBACK_ENV = {
  /** The same variable the promote function reads (PROMOTE_ENV.intakeQueueUrl). */
  intakeQueueUrl: PROMOTE_ENV.intakeQueueUrl,
  ledgerTableName: 'CHART_PROMOTER_LEDGER_TABLE',
  maxReceives: 'CHART_PROMOTER_FEEDBACK_MAX_RECEIVES',
  rememberEventsSeconds: 'CHART_PROMOTER_FEEDBACK_REMEMBER_SECONDS',
} as const;

const E = FEEDBACK_ENV;

const schema = z.object({
  [E.intakeQueueUrl]: z.preprocess((v) => (v === '' ? undefined : v), z.optional(z.url())),
  [E.ledgerTableName]: z
    .string('required: the release ledger table (DynamoDB)')
    .check(z.regex(TABLE_NAME, TABLE_NAME_MESSAGE)),
  [E.maxReceives]: positiveWithDefault(5),
  [E.rememberEventsSeconds]: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.optional(z.coerce.number().check(z.int(), z.positive())),
  ),
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
    ...(queue === undefined ? {} : { intakeQueueUrl: queue }),
    ledgerTableName: v[E.ledgerTableName],
    maxReceives: v[E.maxReceives],
    ...(v[E.rememberEventsSeconds] === undefined
      ? {}
      : { rememberEventsSeconds: v[E.rememberEventsSeconds] }),
  };
};
