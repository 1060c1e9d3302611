import { randomUUID } from 'node:crypto';
import { parseDeadlineSweepConfig } from '../config/deadline-sweep-config';
import { powertoolsMetrics } from '../observability/powertools-metrics';
import { systemClock } from '../ports/clock';
import {
  type DeadlineSweepDependencies,
  type OverdueRelease,
  sweepDeadlines,
} from '../promotion/ledger/sweep-deadlines';
import { intakeScheduler, lambdaObservability, memoised } from './lambda-bootstrap';
import { createReleaseLedger } from './ledger-factory';

/**
 * The deadline sweep Lambda's composition (the one place that reads process.env for it):
 * CHART_PROMOTER_LEDGER_TABLE (dynamodb:Scan, GetItem, PutItem on it) and, for rollbacks of releases
 * that missed their deadline with autoRollback, CHART_PROMOTER_INTAKE_QUEUE_URL (sqs:SendMessage):
 * the rollback is a promotion command the promote function runs like any other. No Git credentials.
 */
export const config = parseDeadlineSweepConfig(process.env);

export const { logger, metrics, tracer } = lambdaObservability();

const buildDependencies = async (): Promise<DeadlineSweepDependencies> => {
  const ledger = createReleaseLedger(config, tracer)!;
  const scheduler = intakeScheduler(config.intakeQueueUrl, tracer);
  return {
    ledger,
    clock: systemClock,
    metrics: powertoolsMetrics(metrics),
    logger,
    newRunId: randomUUID,
    ...(scheduler === undefined ? {} : { scheduler }),
  };
};

export const deadlineSweepDependencies = memoised(buildDependencies);

/** One sweep with this function's dependencies (the handler's whole job). */
export const runDeadlineSweep = async (): Promise<OverdueRelease[]> =>
  sweepDeadlines(await deadlineSweepDependencies());
