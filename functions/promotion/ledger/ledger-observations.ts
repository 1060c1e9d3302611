import type { Logger } from '@aws-lambda-powertools/logger';
import { isPromoterError } from '../../errors';
import type { PipelineMetrics } from '../../ports/pipeline-metrics';
import type { ReleaseLedgerWriter } from '../../ports/release-ledger';
import type { MoveOutcome } from '../moves/run-environment-move';
import {
  convergeWithinOf,
  type EnvironmentPolicy,
  environmentNamed,
  type PromotionPolicy,
} from '../policy/policy';
import { recordRelease } from './record-release';
import type { ReleaseObservation } from './release-transitions';

/** A commit that puts `version` into `environment`: the observation, with its deadline from the policy. */
export const committedObservation = (
  environment: EnvironmentPolicy,
  subject: {
    readonly chart: string;
    readonly version: string;
    readonly runId: string;
    readonly commit?: string;
    readonly previousVersion?: string;
  },
  at: Date,
): ReleaseObservation => ({
  kind: 'committed',
  chart: subject.chart,
  environment: environment.name,
  version: subject.version,
  runId: subject.runId,
  at: at.toISOString(),
  deadline: new Date(at.getTime() + convergeWithinOf(environment)).toISOString(),
  ...(subject.commit === undefined ? {} : { commit: subject.commit }),
  ...(subject.previousVersion === undefined ? {} : { previousVersion: subject.previousVersion }),
  ...(environment.autoRollback ? { autoRollback: true } : {}),
});

/**
 * What an environment move observed: a direct commit (`committed`, or `rolled-back` for a rollback),
 * a pull request or pushed branch (`proposed`); nothing for moves that changed nothing.
 */
export const moveObservation = (
  outcome: MoveOutcome,
  move: { readonly kind: 'promote' | 'rollback'; readonly runId: string; readonly reason?: string },
  policy: PromotionPolicy | undefined,
  at: Date,
): ReleaseObservation | undefined => {
  const base = { chart: outcome.chart, environment: outcome.environment, at: at.toISOString() };
  switch (outcome.status) {
    case 'committed': {
      if (move.kind === 'rollback') {
        return {
          ...base,
          kind: 'rolled-back',
          version: outcome.toVersion,
          runId: move.runId,
          commit: outcome.commit.sha,
          ...(outcome.fromVersion === undefined ? {} : { fromVersion: outcome.fromVersion }),
          ...(move.reason === undefined ? {} : { reason: move.reason }),
        };
      }
      const environment = policy === undefined ? undefined : environmentNamed(policy, outcome.environment);
      if (environment === undefined) return undefined;
      return committedObservation(
        environment,
        {
          chart: outcome.chart,
          version: outcome.toVersion,
          runId: move.runId,
          commit: outcome.commit.sha,
          ...(outcome.fromVersion === undefined ? {} : { previousVersion: outcome.fromVersion }),
        },
        at,
      );
    }
    case 'pull-request':
    case 'branch-pushed':
      return {
        ...base,
        kind: 'proposed',
        version: outcome.toVersion,
        runId: move.runId,
        commit: outcome.commit.sha,
        ...(outcome.fromVersion === undefined ? {} : { previousVersion: outcome.fromVersion }),
        ...(outcome.status === 'pull-request'
          ? { pullRequest: { number: outcome.number, url: outcome.url, branch: outcome.branch } }
          : { branch: outcome.branch }),
      };
    default:
      return undefined;
  }
};

/** Where a ledger write that failed is reported (the pipeline's logger and metrics). */
export type LedgerFailureReport = (error: unknown, observation: ReleaseObservation) => void;

/** Logs a failed ledger write (with its code) and counts it: LedgerWriteFailed. */
export const ledgerFailureReport =
  (deps: {
    readonly logger: Pick<Logger, 'error'>;
    readonly metrics: PipelineMetrics;
  }): LedgerFailureReport =>
  (error, observation) => {
    deps.metrics.count('LedgerWriteFailed', 1);
    deps.logger.error(
      `release ledger: recording ${observation.kind} of ${observation.chart} in ${observation.environment} failed`,
      {
        code: isPromoterError(error) ? error.code : 'LEDGER_UNAVAILABLE',
        chart: observation.chart,
        environment: observation.environment,
        error: error instanceof Error ? error.message : String(error),
      },
    );
  };

/**
 * Records observations one after the other. The ledger records what happened: a failed write never
 * undoes or fails the commit it describes (git is the desired state), it is reported and left; the
 * next observation of the release writes the record whole again. Returns the number of writes.
 */
export const recordObservations = async (
  ledger: ReleaseLedgerWriter | undefined,
  observations: readonly (ReleaseObservation | undefined)[],
  report: LedgerFailureReport,
): Promise<number> => {
  if (ledger === undefined) return 0;
  let writes = 0;
  for (const observation of observations) {
    if (observation === undefined) continue;
    try {
      if ((await recordRelease(ledger, observation)).written) writes++;
    } catch (error) {
      report(error, observation);
    }
  }
  return writes;
};
