import type { Logger } from '@aws-lambda-powertools/logger';
import type { Clock } from '../../ports/clock';
import type { PipelineMetrics } from '../../ports/pipeline-metrics';
import type { RollbackCommand } from '../../ports/promotion-command';
import type { ReleaseLedger, ReleaseRecord } from '../../ports/release-ledger';
import type { Scheduler } from '../../ports/scheduler';
import { ROLLBACK_RUN_PREFIX } from '../manifests/release-annotations';
import { recordRelease } from './record-release';
import { DEADLINE_REASON } from './release-transitions';

/** What the deadline sweep needs (the sweep Lambda's composition, the local runtime). */
export interface DeadlineSweepDependencies {
  readonly ledger: ReleaseLedger;
  readonly clock: Pick<Clock, 'now'>;
  readonly metrics: PipelineMetrics;
  readonly logger: Pick<Logger, 'warn' | 'error'>;
  /** Where a rollback command goes (the intake queue; in memory locally); absent = no rollbacks. */
  readonly scheduler?: Scheduler;
  readonly newRunId: () => string;
}

/** One release the sweep found past its deadline. */
export interface OverdueRelease {
  readonly chart: string;
  readonly environment: string;
  readonly version: string;
  readonly runId: string;
  readonly deadline: string;
  readonly commit?: string;
  /** The rollback command sent (autoRollback with a previous version to go back to). */
  readonly rollback?: RollbackCommand;
}

const isOverdue = (record: ReleaseRecord, now: string): boolean =>
  record.state === 'committed' && record.deadline !== undefined && record.deadline <= now;

/** The rollback a missed deadline asks for, if the policy asked for one (never of a rollback). */
const rollbackFor = (record: ReleaseRecord, newRunId: () => string): RollbackCommand | undefined =>
  record.autoRollback && record.previousVersion !== undefined && !record.runId.startsWith(ROLLBACK_RUN_PREFIX)
    ? {
        chartPromoter: 'rollback',
        chart: record.chart,
        environment: record.environment,
        toVersion: record.previousVersion,
        runId: `${ROLLBACK_RUN_PREFIX}${newRunId()}`,
      }
    : undefined;

/**
 * Finds `committed` releases past their deadline (no healthy Flux event for that version and run in
 * time) and records each `not-converged`: the ReleaseNotConverged metric (alarmed on), a log line
 * carrying runId and status (a row of `runs`), and, with `autoRollback`, a rollback command to the
 * previous version, run by the promote pipeline like any rollback. A record another writer moved on
 * meanwhile (converged, a newer commit) is left alone: the transition refuses it. Run on a schedule
 * (EventBridge in AWS, the runtime's clock locally); running it twice does nothing more.
 */
export const sweepDeadlines = async (deps: DeadlineSweepDependencies): Promise<OverdueRelease[]> => {
  const now = deps.clock.now().toISOString();
  const overdue = (await deps.ledger.list()).filter((record) => isOverdue(record, now));
  const swept: OverdueRelease[] = [];
  for (const record of overdue) {
    const subject = { chart: record.chart, environment: record.environment, version: record.version };
    try {
      const result = await recordRelease(deps.ledger, {
        kind: 'not-converged',
        ...subject,
        runId: record.runId,
        at: now,
      });
      if (!result.written) continue;
      deps.metrics.count('ReleaseNotConverged', 1, { environment: record.environment });
      const rollback = rollbackFor(record, deps.newRunId);
      deps.logger.warn(
        `not converged: ${record.chart} ${record.version} in ${record.environment} had no healthy Flux event by ${record.deadline}`,
        {
          ...subject,
          runId: record.runId,
          status: 'not-converged',
          code: DEADLINE_REASON,
          deadline: record.deadline,
          ...(record.commit === undefined ? {} : { commit: record.commit }),
          ...(rollback === undefined
            ? {}
            : { rollbackRunId: rollback.runId, rollbackTo: rollback.toVersion }),
        },
      );
      if (rollback !== undefined && deps.scheduler !== undefined)
        await deps.scheduler.schedule(rollback, deps.clock.now());
      swept.push({
        ...subject,
        runId: record.runId,
        deadline: record.deadline!,
        ...(record.commit === undefined ? {} : { commit: record.commit }),
        ...(rollback === undefined || deps.scheduler === undefined ? {} : { rollback }),
      });
    } catch (error) {
      deps.logger.error(`deadline sweep: ${record.chart} in ${record.environment} failed`, {
        ...subject,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return swept;
};
