import { TABLE_NAME, TABLE_NAME_MESSAGE } from '../adapters/ledger/ledger-keys';
import { PromoterError } from '../errors';
import * as z from '../zod';
import { LEDGER_ENV } from './ledger-config';

/** Typed configuration of the deadline sweep function, parsed once at cold start. */
export interface DeadlineSweepConfig {
  readonly ledgerTable: string;
  /** Where rollback commands go; absent = releases are marked not-converged, never rolled back. */
  readonly intakeQueueUrl?: string;
}

export const DEADLINE_SWEEP_ENV = {
  ledgerTable: LEDGER_ENV.ledgerTable,
  intakeQueueUrl: 'CHART_PROMOTER_INTAKE_QUEUE_URL',
} as const;

const E = DEADLINE_SWEEP_ENV;
const schema = z.object({
  [E.ledgerTable]: z
    .string('required: the release ledger table')
    .check(z.regex(TABLE_NAME, TABLE_NAME_MESSAGE)),
  [E.intakeQueueUrl]: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.optional(z.url({ protocol: /^https?$/, error: 'must be an SQS queue URL' })),
  ),
});

/** Throws a terminal CONFIG_INVALID naming every bad variable. */
export const parseDeadlineSweepConfig = (
  env: Readonly<Record<string, string | undefined>>,
): DeadlineSweepConfig => {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const list = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new PromoterError('CONFIG_INVALID', 'terminal', `invalid configuration: ${list}`);
  }
  const queue = parsed.data[E.intakeQueueUrl];
  return {
    ledgerTable: parsed.data[E.ledgerTable],
    ...(queue === undefined ? {} : { intakeQueueUrl: queue }),
  };
};
