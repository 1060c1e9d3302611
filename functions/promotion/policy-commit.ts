import type { GitHost } from '../ports/git-host';
import { GitHostError } from '../ports/git-host-error';
import {
  backoffDelay,
  CommitContendedError,
  type CommitOptions,
  type PromotionRun,
} from './commit-promotions';
import { DEFAULT_LAYOUT } from './layout';
import { planPromotions } from './plan-promotions';
import { chartPermission, firstEnvironment, type PromotionPolicy } from './policy';
import { readWithPolicy } from './policy-snapshot';
import type { PromotionOutcome, PromotionRequest } from './promotion';
import { snapshotRequestFor } from './snapshot-request';

/** A validated upload, before the policy says where it goes. */
export type UploadRequest = Omit<PromotionRequest, 'environment'>;

export interface UploadCommitOptions extends CommitOptions {
  /** The environment of the default policy (a repository without .chart-promoter.yaml). */
  readonly fallbackEnvironment: string;
}

export interface UploadRun extends PromotionRun {
  /** The policy the plan followed (read from the same commit as the files it changed). */
  readonly policy: PromotionPolicy;
  /** Where the uploads went: the policy's first environment. */
  readonly environment: string;
}

// The last policy seen per host: the first guess of the next read (one snapshot when it still holds).
const lastPolicy = new WeakMap<GitHost, PromotionPolicy>();

const planWithPolicy = (
  policy: PromotionPolicy,
  snapshot: Parameters<typeof planPromotions>[0],
  uploads: readonly UploadRequest[],
  options: UploadCommitOptions,
) => {
  const environment = firstEnvironment(policy);
  const requests = uploads.map((upload) => ({ ...upload, environment: environment.name }));
  const outcomes: (PromotionOutcome | undefined)[] = requests.map((request) => {
    const permission = chartPermission(policy, environment, request.chart.name);
    return permission.allowed
      ? undefined
      : { status: 'refused', request, code: 'CHART_NOT_ALLOWED', message: permission.reason };
  });
  const allowed = requests.filter((_, i) => outcomes[i] === undefined);
  const plan = planPromotions(snapshot, allowed, options);
  let next = 0;
  return {
    changeSet: plan.changeSet,
    outcomes: outcomes.map((outcome) => outcome ?? plan.outcomes[next++]!),
    environment: environment.name,
  };
};

/**
 * New uploads into the policy's first environment: like `commitPromotions` (snapshot → plan → commit
 * with compare-and-swap, re-planning on a moved branch), with the policy read from the same snapshot,
 * and charts outside the environment's allow-list refused with `CHART_NOT_ALLOWED`.
 */
export const commitUploads = async (
  host: GitHost,
  branch: string,
  uploads: readonly UploadRequest[],
  options: UploadCommitOptions,
): Promise<UploadRun> => {
  const maxAttempts = options.maxAttempts ?? 10;
  const layout = options.layout ?? DEFAULT_LAYOUT;
  let conflicts = 0;
  for (let attempt = 1; ; attempt++) {
    const { snapshot, policy } = await readWithPolicy(
      host,
      branch,
      options.fallbackEnvironment,
      (guess) =>
        snapshotRequestFor(
          uploads.map((upload) => ({ ...upload, environment: firstEnvironment(guess).name })),
          layout,
        ),
      lastPolicy.get(host),
    );
    lastPolicy.set(host, policy);
    const plan = planWithPolicy(policy, snapshot, uploads, options);
    const base = {
      outcomes: plan.outcomes,
      attempts: attempt,
      conflicts,
      policy,
      environment: plan.environment,
    };
    if (!plan.changeSet) return base;
    try {
      return { ...base, commit: await host.commit(branch, snapshot.head, plan.changeSet) };
    } catch (error) {
      if (!(error instanceof GitHostError && error.code === 'BRANCH_MOVED')) throw error;
      conflicts++;
      if (attempt >= maxAttempts) throw new CommitContendedError(attempt, error);
      await options.clock.sleep(backoffDelay(conflicts, options));
    }
  }
};
