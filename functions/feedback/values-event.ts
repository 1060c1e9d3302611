import type { ReleaseState } from '../promotion/manifests/release-annotations';
import { ROLLBACK_RUN_PREFIX } from '../promotion/manifests/release-annotations';
import type { EnvironmentPolicy } from '../promotion/policy/policy';
import { runValuesRollback } from '../promotion/values/run-values-change';
import { type ValuesChangeOutcome, valuesRollbackRunId } from '../promotion/values/values-change';
import type { FeedbackDependencies, FeedbackSettings } from './feedback-context';
import type { FluxEvent } from './flux-event';

/** How Flux's verdict on a values change was acted on. */
export type ValuesEventOutcome =
  | {
      readonly status: 'converged';
      readonly change: 'values';
      readonly environment: string;
      readonly chart: string;
      readonly version: string;
      readonly next: readonly [];
    }
  | {
      readonly status: 'failed';
      readonly change: 'values';
      readonly environment: string;
      readonly chart: string;
      readonly version: string;
      /** The previous values put back, with autoRollback (a values change of kind `rollback`). */
      readonly valuesRollback?: ValuesChangeOutcome;
    };

/**
 * Flux's event about a values change (the release's run id is a values run): converged — the
 * ReleaseConverged metric, and nothing promoted onward (values belong to one environment); failed —
 * the ReleaseFailed metric and, with `autoRollback`, the values before the change put back from git
 * history (runValuesRollback; never for a rollback).
 */
export const handleValuesEvent = async (
  event: FluxEvent,
  kind: 'converged' | 'failed',
  environment: EnvironmentPolicy,
  release: ReleaseState,
  runId: string,
  deps: FeedbackDependencies,
  settings: FeedbackSettings,
): Promise<ValuesEventOutcome> => {
  const subject = {
    change: 'values' as const,
    environment: environment.name,
    chart: event.name,
    version: release.version,
  };
  if (kind === 'converged') {
    deps.metrics.count('ReleaseConverged', 1, { environment: environment.name });
    deps.logger.info(`converged: values of ${event.name} in ${environment.name}`, { ...subject, runId });
    return { status: 'converged', ...subject, next: [] };
  }
  deps.metrics.count('ReleaseFailed', 1, { environment: environment.name });
  deps.logger.error(`release failed: values of ${event.name} in ${environment.name}: ${event.reason}`, {
    ...subject,
    runId,
    reason: event.reason,
    fluxMessage: event.message,
  });
  if (!environment.autoRollback || runId.startsWith(ROLLBACK_RUN_PREFIX))
    return { status: 'failed', ...subject };
  const valuesRollback = await runValuesRollback(
    deps.host,
    settings.branch,
    { chart: event.name, environment: environment.name, runId: valuesRollbackRunId(deps.newRunId()) },
    {
      ...settings.plan,
      clock: deps.clock,
      fallbackEnvironment: settings.fallbackEnvironment,
      ...(deps.releaseRenderer ? { renderer: deps.releaseRenderer } : {}),
    },
  );
  const landed =
    valuesRollback.status === 'committed' ||
    valuesRollback.status === 'pull-request' ||
    valuesRollback.status === 'branch-pushed';
  if (landed) deps.metrics.count('RollbacksCommitted', 1);
  const log = valuesRollback.status === 'refused' ? deps.logger.warn : deps.logger.info;
  log.call(deps.logger, `values rollback of ${event.name} in ${environment.name}: ${valuesRollback.status}`, {
    ...subject,
    runId: valuesRollback.runId,
    status: valuesRollback.status,
    ...(valuesRollback.status === 'refused'
      ? { code: valuesRollback.code, reason: valuesRollback.message }
      : {}),
  });
  return { status: 'failed', ...subject, valuesRollback };
};
