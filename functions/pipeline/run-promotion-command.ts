import { isPromoterError } from '../errors';
import type { PromotionCommand } from '../ports/promotion-command';
import {
  ledgerFailureReport,
  moveObservation,
  recordObservations,
} from '../promotion/ledger/ledger-observations';
import { ROLLBACK_RUN_PREFIX } from '../promotion/manifests/release-annotations';
import type { EnvironmentMove } from '../promotion/moves/environment-move';
import { notifyMoveIssues } from '../promotion/moves/notify-move-issues';
import { type MoveOutcome, runEnvironmentMove } from '../promotion/moves/run-environment-move';
import type { PipelineDependencies, PipelineSettings } from './pipeline-context';

type WithoutPolicy<T> = T extends unknown ? Omit<T, 'policy'> : never;

/** How one promotion command ended: the move's outcome, or deferred (not due), or retry (transient). */
export type CommandOutcome = { readonly command: PromotionCommand; readonly runId: string } & (
  | WithoutPolicy<MoveOutcome>
  | { readonly status: 'deferred'; readonly notBefore: string }
  | { readonly status: 'retry'; readonly code: string; readonly message: string }
);

const toMove = (command: PromotionCommand, runId: string): EnvironmentMove =>
  command.chartPromoter === 'promote'
    ? {
        kind: 'promote',
        chart: command.chart,
        version: command.version,
        ...(command.from === undefined ? {} : { from: command.from }),
        to: command.to,
        runId,
      }
    : {
        kind: 'rollback',
        chart: command.chart,
        environment: command.environment,
        ...(command.toVersion === undefined ? {} : { toVersion: command.toVersion }),
        runId,
      };

const log = (deps: PipelineDependencies, outcome: CommandOutcome): void => {
  const { command, runId, ...rest } = outcome;
  const line = { runId, command: command.chartPromoter, ...rest };
  const what = `${command.chartPromoter} ${command.chart}`;
  if (outcome.status === 'retry') deps.logger.error(`will retry ${what}: ${outcome.code}`, line);
  else if (outcome.status === 'refused') deps.logger.warn(`refused ${what}: ${outcome.code}`, line);
  else deps.logger.info(`${outcome.status} ${what}`, line);
  const moved =
    outcome.status === 'committed' || outcome.status === 'pull-request' || outcome.status === 'branch-pushed';
  if (moved)
    deps.metrics.count(command.chartPromoter === 'promote' ? 'ChartsPromoted' : 'RollbacksCommitted', 1);
};

/**
 * Runs one promotion command (the entry point for the CLI's `promote`/`rollback` through Lambda
 * Invoke, the local runtime, and scheduled promotions arriving on the intake queue). A command not yet
 * due is handed back to the scheduler (one SQS delay hop at a time). Never throws: every end is an
 * explicit outcome (`retry` for transient Git host failures: the caller fails the SQS message).
 */
export const runPromotionCommand = async (
  command: PromotionCommand,
  deps: PipelineDependencies,
  settings: PipelineSettings,
): Promise<CommandOutcome> => {
  const runId =
    command.runId ??
    (command.chartPromoter === 'rollback' ? `${ROLLBACK_RUN_PREFIX}${deps.newRunId()}` : deps.newRunId());
  const base = { command, runId };
  let outcome: CommandOutcome;
  try {
    const notBefore = command.chartPromoter === 'promote' ? command.notBefore : undefined;
    if (notBefore !== undefined && new Date(notBefore).getTime() > deps.clock.now().getTime()) {
      if (!deps.scheduler) {
        outcome = {
          ...base,
          status: 'retry',
          code: 'SCHEDULER_MISSING',
          message: `not due before ${notBefore}`,
        };
      } else {
        await deps.scheduler.schedule({ ...command, runId }, new Date(notBefore));
        outcome = { ...base, status: 'deferred', notBefore };
      }
    } else {
      const { policy, ...moved } = await runEnvironmentMove(
        deps.host,
        settings.branch,
        toMove(command, runId),
        {
          ...settings.plan,
          clock: deps.clock,
          fallbackEnvironment: settings.targetEnvironment,
        },
      );
      outcome = { ...base, ...(moved as WithoutPolicy<MoveOutcome>) };
      await recordObservations(
        deps.ledger,
        [
          moveObservation(
            moved as MoveOutcome,
            { kind: command.chartPromoter, runId },
            policy,
            deps.clock.now(),
          ),
        ],
        ledgerFailureReport(deps),
      );
    }
  } catch (error) {
    const code = isPromoterError(error) ? error.code : 'GIT_HOST_FAILED';
    const message = error instanceof Error ? error.message : String(error);
    outcome = { ...base, status: 'retry', code, message };
  }
  log(deps, outcome);
  await notifyMoveIssues(outcome, { notifier: deps.issueNotifier, logger: deps.logger, runId });
  return outcome;
};
