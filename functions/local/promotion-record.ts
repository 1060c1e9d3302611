import type { NextStep } from '../feedback/handle-release-event';
import type { CommandOutcome } from '../pipeline/run-promotion-command';
import type { MoveOutcome } from '../promotion/moves/run-environment-move';

/**
 * One line of the run log for an environment move (promotion or rollback), next to the upload lines:
 * `kind: "promotion"` tells them apart. `trigger` says who asked: a Flux event (feedback), a soak that
 * ended (scheduled), a person (manual: `chart-promoter promote|rollback`), or a missed convergence
 * deadline (deadline: status `not-converged`).
 */
export interface PromotionRecord {
  readonly kind: 'promotion';
  readonly at: string;
  readonly trigger: 'feedback' | 'scheduled' | 'manual' | 'deadline';
  readonly runId: string;
  readonly command: 'promote' | 'rollback';
  readonly chart: string;
  readonly version?: string;
  readonly environment: string;
  /** The move's status (committed, pull-request, branch-pushed, unchanged, skipped, refused) or scheduled/deferred/retry. */
  readonly status: string;
  readonly commit?: string;
  readonly branch?: string;
  readonly url?: string;
  readonly notBefore?: string;
  readonly code?: string;
  readonly message?: string;
}

/** A move's outcome without its policy (distributed over the union, so `status` still discriminates). */
type Move = MoveOutcome extends infer T ? (T extends unknown ? Omit<T, 'policy'> : never) : never;

const optional = <K extends string>(key: K, value: string | undefined) =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, string>>;

/** What a move outcome says, flattened (the version it moved to, its commit, branch, refusal code). */
export const moveFields = (outcome: Omit<MoveOutcome, 'policy'>) => {
  const move = outcome as Move;
  switch (move.status) {
    case 'committed':
      return { status: move.status, version: move.toVersion, commit: move.commit.sha };
    case 'pull-request':
      return {
        status: move.status,
        version: move.toVersion,
        commit: move.commit.sha,
        branch: move.branch,
        url: move.url,
      };
    case 'branch-pushed':
      return { status: move.status, version: move.toVersion, commit: move.commit.sha, branch: move.branch };
    case 'unchanged':
      return { status: move.status, version: move.toVersion, message: move.reason };
    case 'skipped':
      return { status: move.status, message: move.reason };
    case 'refused':
      return { status: move.status, code: move.code, message: move.message };
  }
};

/** The record of a promotion command's outcome (scheduled after a soak, or manual). */
export const commandRecord = (
  outcome: CommandOutcome,
  trigger: PromotionRecord['trigger'],
  at: Date,
): PromotionRecord => {
  const { command } = outcome;
  const base = {
    kind: 'promotion' as const,
    at: at.toISOString(),
    trigger,
    runId: outcome.runId,
    command: command.chartPromoter,
    chart: command.chart,
    environment: command.chartPromoter === 'promote' ? command.to : command.environment,
    ...optional('version', command.chartPromoter === 'promote' ? command.version : command.toVersion),
  };
  if (outcome.status === 'deferred') return { ...base, status: 'deferred', notBefore: outcome.notBefore };
  if (outcome.status === 'retry')
    return { ...base, status: 'retry', code: outcome.code, message: outcome.message };
  return { ...base, ...moveFields(outcome as Move) };
};

/** The records of what a Flux event set off: the next environments (promoted or scheduled), a rollback. */
export const feedbackRecords = (
  subject: { readonly chart: string; readonly version: string; readonly runId?: string },
  steps: { readonly next?: readonly NextStep[]; readonly rollback?: Omit<MoveOutcome, 'policy'> },
  at: Date,
): PromotionRecord[] => {
  const base = {
    kind: 'promotion' as const,
    at: at.toISOString(),
    trigger: 'feedback' as const,
    runId: subject.runId ?? '',
    chart: subject.chart,
  };
  const records: PromotionRecord[] = (steps.next ?? []).map((step) =>
    step.action === 'scheduled'
      ? {
          ...base,
          command: 'promote',
          environment: step.environment,
          version: subject.version,
          status: 'scheduled',
          notBefore: step.notBefore,
        }
      : { ...base, command: 'promote', environment: step.environment, ...moveFields(step.outcome) },
  );
  if (steps.rollback)
    records.push({
      ...base,
      command: 'rollback',
      environment: steps.rollback.environment,
      ...moveFields(steps.rollback),
    });
  return records;
};
