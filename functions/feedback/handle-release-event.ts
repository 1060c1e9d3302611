import type { PromoteCommand } from '../ports/promotion-command';
import { releaseIssueKeys } from '../promotion/issues/issue-keys-release';
import { DEFAULT_LAYOUT, releasePath } from '../promotion/layout';
import {
  ledgerFailureReport,
  moveObservation,
  recordObservations,
} from '../promotion/ledger/ledger-observations';
import { ROLLBACK_RUN_PREFIX } from '../promotion/manifests/release-annotations';
import { notifyMoveIssues } from '../promotion/moves/notify-move-issues';
import { type MoveOutcome, runEnvironmentMove } from '../promotion/moves/run-environment-move';
import { environmentsAfter } from '../promotion/policy/policy';
import { readWithPolicy } from '../promotion/policy/read-with-policy';
import type { FeedbackDependencies, FeedbackSettings } from './feedback-context';
import type { FluxEvent } from './flux-event';
import { type IgnoreReason, matchReleaseEvent, releaseFilesFor } from './release-event';

type Moved = Omit<MoveOutcome, 'policy'>;

export type NextStep =
  | { readonly environment: string; readonly action: 'promoted'; readonly outcome: Moved }
  | { readonly environment: string; readonly action: 'scheduled'; readonly notBefore: string };

export type ReleaseEventOutcome =
  | { readonly status: 'ignored'; readonly reason: IgnoreReason; readonly message: string }
  | {
      readonly status: 'converged';
      readonly environment: string;
      readonly chart: string;
      readonly version: string;
      /** Upload → ready, when the release records its upload time. */
      readonly leadTimeMs?: number;
      readonly next: readonly NextStep[];
    }
  | {
      readonly status: 'failed';
      readonly environment: string;
      readonly chart: string;
      readonly version: string;
      /** The rollback commit (or pull request), with autoRollback. */
      readonly rollback?: Moved;
    };

const withoutPolicy = ({ policy: _policy, ...rest }: MoveOutcome): Moved => rest;

/**
 * Acts on a verified, fresh Flux event: convergence → the lead-time metric, then every environment
 * that follows this one is promoted now (soak 0) or later (a scheduled command that re-checks, when
 * due, that this environment still runs the version) — unless what converged is a rollback, which
 * stays where it was put; failure → the ReleaseFailed metric and, with
 * `autoRollback`, a rollback to the previous version (never of a rollback: no ping-pong).
 * Idempotent: the same event again finds the next environment already promoted (nothing committed),
 * or schedules a command that will find it so.
 */
export const handleReleaseEvent = async (
  event: FluxEvent,
  deps: FeedbackDependencies,
  settings: FeedbackSettings,
): Promise<ReleaseEventOutcome> => {
  const { snapshot, policy } = await readWithPolicy(
    deps.host,
    settings.branch,
    settings.fallbackEnvironment,
    (guess) => releaseFilesFor(guess, event.name, settings.plan.layout),
  );
  const match = matchReleaseEvent(event, snapshot, policy, settings.plan.layout);
  if (!match.matched) return { status: 'ignored', reason: match.reason, message: match.message };
  const { environment, release } = match;
  const subject = { environment: environment.name, chart: event.name, version: release.version };
  const runId = release.runId ?? deps.newRunId();
  const options = { ...settings.plan, clock: deps.clock, fallbackEnvironment: settings.fallbackEnvironment };

  if (match.kind === 'failed') {
    deps.metrics.count('ReleaseFailed', 1, { environment: environment.name });
    deps.logger.error(
      `release failed: ${event.name} ${release.version} in ${environment.name}: ${event.reason}`,
      {
        ...subject,
        runId,
        reason: event.reason,
        fluxMessage: event.message,
      },
    );
    const failed = {
      kind: 'failed' as const,
      ...subject,
      runId,
      reason: event.reason,
      at: deps.clock.now().toISOString(),
    };
    await recordObservations(deps.ledger, [failed], ledgerFailureReport(deps));
    if (!environment.autoRollback || runId.startsWith(ROLLBACK_RUN_PREFIX))
      return { status: 'failed', ...subject };
    const rollbackRunId = `${ROLLBACK_RUN_PREFIX}${deps.newRunId()}`;
    const rollback = await runEnvironmentMove(
      deps.host,
      settings.branch,
      { kind: 'rollback', chart: event.name, environment: environment.name, runId: rollbackRunId },
      options,
    );
    await recordObservations(
      deps.ledger,
      [
        moveObservation(
          rollback,
          { kind: 'rollback', runId: rollbackRunId, reason: event.reason },
          rollback.policy,
          deps.clock.now(),
        ),
      ],
      ledgerFailureReport(deps),
    );
    // The failed version's issues hear of the rollback (read from the same snapshot the event was
    // matched on: the release file the rollback just replaced).
    const releaseFile = releasePath(settings.plan.layout ?? DEFAULT_LAYOUT, environment.name, event.name);
    await notifyMoveIssues(rollback, {
      notifier: deps.issueNotifier,
      logger: deps.logger,
      runId: rollbackRunId,
      issues: releaseIssueKeys(snapshot.files.get(releaseFile)),
      rolledBackFrom: release.version,
    });
    return { status: 'failed', ...subject, rollback: withoutPolicy(rollback) };
  }

  const now = deps.clock.now();
  const uploadedAt = release.uploadedAt === undefined ? Number.NaN : Date.parse(release.uploadedAt);
  // A rollback puts back an older version with its own (old) upload time: the time since is no
  // upload-to-ready lead time, so a rollback's convergence records none.
  const rolledBack = runId.startsWith(ROLLBACK_RUN_PREFIX);
  const leadTimeMs = Number.isNaN(uploadedAt) || rolledBack ? undefined : now.getTime() - uploadedAt;
  deps.metrics.count('ReleaseConverged', 1, { environment: environment.name });
  if (leadTimeMs !== undefined) deps.metrics.milliseconds('UploadToReadyMs', leadTimeMs);
  deps.logger.info(`converged: ${event.name} ${release.version} in ${environment.name}`, {
    ...subject,
    runId,
    leadTimeMs,
  });
  // A rollback restored an older version here because a newer one failed: its convergence says this
  // environment is healthy again, not that the older version should travel on (the next
  // environments already ran it, or run something newer that must not be replaced by it).
  if (rolledBack) {
    deps.logger.info(
      `rolled back and healthy: ${event.name} ${release.version} stays in ${environment.name}`,
      {
        ...subject,
        runId,
      },
    );
    return { status: 'converged', ...subject, next: [] };
  }

  await recordObservations(
    deps.ledger,
    [
      {
        kind: 'converged',
        ...subject,
        runId,
        at: now.toISOString(),
        ...(leadTimeMs === undefined ? {} : { leadTimeMs }),
      },
    ],
    ledgerFailureReport(deps),
  );

  const next: NextStep[] = [];
  for (const target of environmentsAfter(policy, environment.name)) {
    const command: PromoteCommand = {
      chartPromoter: 'promote',
      chart: event.name,
      version: release.version,
      from: environment.name,
      to: target.name,
      runId,
    };
    if (target.soakMs > 0) {
      const notBefore = new Date(now.getTime() + target.soakMs);
      await deps.scheduler.schedule({ ...command, notBefore: notBefore.toISOString() }, notBefore);
      next.push({ environment: target.name, action: 'scheduled', notBefore: notBefore.toISOString() });
      continue;
    }
    const moved = await runEnvironmentMove(
      deps.host,
      settings.branch,
      {
        kind: 'promote',
        chart: event.name,
        version: release.version,
        from: environment.name,
        to: target.name,
        runId,
      },
      options,
    );
    await recordObservations(
      deps.ledger,
      [moveObservation(moved, { kind: 'promote', runId }, moved.policy, deps.clock.now())],
      ledgerFailureReport(deps),
    );
    await notifyMoveIssues(moved, { notifier: deps.issueNotifier, logger: deps.logger, runId });
    next.push({ environment: target.name, action: 'promoted', outcome: withoutPolicy(moved) });
  }
  return { status: 'converged', ...subject, ...(leadTimeMs === undefined ? {} : { leadTimeMs }), next };
};
