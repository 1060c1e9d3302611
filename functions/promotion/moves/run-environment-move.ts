import type { CommitResult, GitHost } from '../../ports/git-host';
import { type CommitOptions, commitWithRetries } from '../commit-loop';
import { DEFAULT_LAYOUT } from '../layout';
import type { PromotionPolicy } from '../policy/policy';
import { readWithPolicy } from '../policy/read-with-policy';
import {
  type EnvironmentMove,
  type MoveRefusal,
  moveSnapshotRequest,
  planEnvironmentMove,
  targetEnvironmentOf,
} from './environment-move';
import { landChange } from './land-change';
import { pullRequestFor } from './pull-request';

export interface MoveOptions extends CommitOptions {
  /** The environment of the default policy (a repository without .chart-promoter.yaml). */
  readonly fallbackEnvironment: string;
}

interface MoveSubject {
  readonly chart: string;
  readonly environment: string;
}

/** How an environment move ended (explicit values; the caller logs, measures and answers with them). */
export type MoveOutcome = MoveSubject &
  (
    | {
        readonly status: 'committed';
        readonly commit: CommitResult;
        readonly toVersion: string;
        readonly fromVersion?: string;
      }
    | {
        readonly status: 'pull-request';
        readonly number: number;
        readonly url: string;
        /** false: the pull request was already open (its branch was updated). */
        readonly created: boolean;
        readonly branch: string;
        readonly commit: CommitResult;
        readonly toVersion: string;
        readonly fromVersion?: string;
      }
    /** Plain git: no pull requests, the branch is pushed for a human to open one in the host's UI. */
    | {
        readonly status: 'branch-pushed';
        readonly branch: string;
        readonly commit: CommitResult;
        readonly toVersion: string;
        readonly fromVersion?: string;
      }
    | { readonly status: 'unchanged'; readonly reason: string; readonly toVersion: string }
    | { readonly status: 'skipped'; readonly reason: string }
    | MoveRefusal
  ) & {
    /** The policy the move followed (same commit as the files it changed). */
    readonly policy?: PromotionPolicy;
    /** Issue keys of the version moved (carried from the source environment), when it has any. */
    readonly issues?: readonly string[];
  };

/**
 * Promotes an existing chart version into an environment, or rolls one back: read (policy and files
 * from one commit) → plan → commit on `branch` (direct environments) or on the pull-request branch
 * `promote/<env>/<chart>` started at the same head (gated environments), then open the pull (or
 * merge) request (GitHub, Bitbucket, GitLab) or leave the branch (plain git). Re-plans when a branch
 * moved under it (the one commit loop, commitWithRetries). Idempotent: a move that is already in place
 * commits nothing; a re-run, or a newer version, of a gated move updates the one open request.
 */
export const runEnvironmentMove = async (
  host: GitHost,
  branch: string,
  move: EnvironmentMove,
  options: MoveOptions,
): Promise<MoveOutcome> => {
  const layout = options.layout ?? DEFAULT_LAYOUT;
  const subject = { chart: move.chart, environment: targetEnvironmentOf(move) };
  // The policy read by an attempt is the next attempt's first guess (what to read depends on it).
  let hint: PromotionPolicy | undefined;
  return commitWithRetries(options, async (): Promise<MoveOutcome> => {
    const { snapshot, policy } = await readWithPolicy(
      host,
      branch,
      options.fallbackEnvironment,
      (guess, previous) => moveSnapshotRequest(move, previous, layout, guess),
      hint,
    );
    hint = policy;
    const plan = planEnvironmentMove(snapshot, policy, move, options);
    if (plan.status === 'unchanged') {
      return { ...subject, status: 'unchanged', reason: plan.reason, toVersion: plan.toVersion, policy };
    }
    if (plan.status !== 'planned') return { ...plan, ...subject, policy };
    const versions = {
      toVersion: plan.toVersion,
      ...(plan.fromVersion === undefined ? {} : { fromVersion: plan.fromVersion }),
      ...(plan.issues === undefined ? {} : { issues: plan.issues }),
    };
    const landing = await landChange(
      host,
      branch,
      snapshot.head,
      plan.environment.mode,
      plan.changeSet,
      () => pullRequestFor(move, plan, snapshot, branch, layout),
      subject.environment,
    );
    if (landing.status === 'refused') return { ...subject, ...landing, policy };
    return { ...subject, ...landing, ...versions, policy };
  });
};
