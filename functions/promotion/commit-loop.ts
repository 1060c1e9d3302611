import { PromoterError } from '../errors';
import type { Clock } from '../ports/clock';
import { GitHostError } from '../ports/git-host-error';
import type { PlanOptions } from './promotion';

/**
 * The one compare-and-swap loop every write to the cluster repository goes through (uploads,
 * promotions between environments, rollbacks): read → plan → commit on the head that was read. When
 * another writer moved the branch (`BRANCH_MOVED`), read and plan again on the new head (its changes
 * may make ours different or unnecessary) rather than replaying the old change set, after a backoff
 * with full jitter; give up with a retryable COMMIT_CONTENDED after `maxAttempts`. Other errors
 * propagate unchanged, with their disposition.
 */
export interface CommitOptions extends PlanOptions {
  readonly clock: Clock;
  /** Read-plan-commit rounds before giving up. @default 10 */
  readonly maxAttempts?: number;
  /** First backoff cap; doubles per conflict. @default 100 */
  readonly baseDelayMs?: number;
  /** Largest backoff cap. @default 5000 */
  readonly maxDelayMs?: number;
  /** Uniform in [0, 1). @default Math.random */
  readonly random?: () => number;
}

/** How many rounds a write took. */
export interface CommitRounds {
  /** Read-plan-commit rounds made (1 without conflicts). */
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
 * Runs `round` (one read → plan → commit, throwing the host's BRANCH_MOVED when it lost the race)
 * until it returns, as described above. `round` is told how many rounds and conflicts came before it,
 * for the outcome it returns.
 */
export const commitWithRetries = async <T>(
  options: CommitOptions,
  round: (rounds: CommitRounds) => Promise<T>,
): Promise<T> => {
  const maxAttempts = options.maxAttempts ?? 10;
  let conflicts = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      return await round({ attempts: attempt, conflicts });
    } catch (error) {
      if (!isBranchMoved(error)) throw error;
      conflicts++;
      if (attempt >= maxAttempts) throw new CommitContendedError(attempt, error);
      await options.clock.sleep(backoffDelay(conflicts, options));
    }
  }
};
