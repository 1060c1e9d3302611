import { PromoterError } from '../errors';
import type { Clock } from '../ports/clock';
import type { CommitResult, GitHost } from '../ports/git-host';
import { GitHostError } from '../ports/git-host-error';
import { DEFAULT_LAYOUT } from './layout';
import { planPromotions } from './plan-promotions';
import type { PlanOptions, PromotionOutcome, PromotionRequest } from './promotion';
import { snapshotRequestFor } from './snapshot-request';

export interface CommitOptions extends PlanOptions {
  readonly clock: Clock;
  /** Snapshot-plan-commit rounds before giving up. @default 10 */
  readonly maxAttempts?: number;
  /** First backoff cap; doubles per conflict. @default 100 */
  readonly baseDelayMs?: number;
  /** Largest backoff cap. @default 5000 */
  readonly maxDelayMs?: number;
  /** Uniform in [0, 1). @default Math.random */
  readonly random?: () => number;
}

export interface PromotionRun {
  /** Absent when nothing changed (no empty commit). */
  readonly commit?: CommitResult;
  readonly outcomes: readonly PromotionOutcome[];
  /** Snapshot-plan-commit rounds made (1 without conflicts). */
  readonly attempts: number;
  /** BRANCH_MOVED answers survived. */
  readonly conflicts: number;
}

/** Every attempt lost the compare-and-swap to another writer: retryable, the whole batch again later. */
export class CommitContendedError extends PromoterError {
  override readonly name = 'CommitContendedError';
  readonly attempts: number;

  constructor(attempts: number, cause: unknown) {
    super(
      'COMMIT_CONTENDED',
      'retryable',
      `the branch kept moving: ${attempts} commit attempts lost the race`,
      { cause },
    );
    this.attempts = attempts;
  }
}

const isBranchMoved = (error: unknown): boolean =>
  error instanceof GitHostError && error.code === 'BRANCH_MOVED';

/** Exponential backoff with full jitter: https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/ */
export const backoffDelay = (conflict: number, options: CommitOptions): number => {
  const cap = Math.min(options.maxDelayMs ?? 5000, (options.baseDelayMs ?? 100) * 2 ** (conflict - 1));
  return Math.floor((options.random ?? Math.random)() * cap);
};

/**
 * Snapshot → plan → commit with compare-and-swap on the head that was read. When another writer moved
 * the branch, re-read and re-plan on the new head (its changes may make ours different or unnecessary)
 * rather than replaying the old change set. Other errors propagate unchanged, with their disposition.
 */
export const commitPromotions = async (
  host: GitHost,
  branch: string,
  requests: readonly PromotionRequest[],
  options: CommitOptions,
): Promise<PromotionRun> => {
  const maxAttempts = options.maxAttempts ?? 10;
  const snapshotRequest = snapshotRequestFor(requests, options.layout ?? DEFAULT_LAYOUT);
  let conflicts = 0;
  for (let attempt = 1; ; attempt++) {
    const snapshot = await host.snapshot(branch, snapshotRequest);
    const plan = planPromotions(snapshot, requests, options);
    if (!plan.changeSet) return { outcomes: plan.outcomes, attempts: attempt, conflicts };
    try {
      const commit = await host.commit(branch, snapshot.head, plan.changeSet);
      return { commit, outcomes: plan.outcomes, attempts: attempt, conflicts };
    } catch (error) {
      if (!isBranchMoved(error)) throw error;
      conflicts++;
      if (attempt >= maxAttempts) throw new CommitContendedError(attempt, error);
      await options.clock.sleep(backoffDelay(conflicts, options));
    }
  }
};
