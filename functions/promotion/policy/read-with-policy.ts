import { PromoterError } from '../../errors';
import type { GitHost, RepoSnapshot, SnapshotRequest } from '../../ports/git-host';
import { describePolicyIssues, parsePolicy } from './parse-policy';
import { defaultPolicy, POLICY_PATH, type PromotionPolicy } from './policy';

/**
 * The policy and the files it decides about must come from the SAME commit, or a promotion could follow
 * a policy that no longer holds. What to read depends on the policy (and, for a rollback, on a file's
 * content), so reading is a small fixpoint: read what the current guess needs plus the policy file;
 * if what was read asks for more, read again (1 round when the guess holds, 2 when it did not).
 */
export interface PolicyView {
  readonly snapshot: RepoSnapshot;
  readonly policy: PromotionPolicy;
}

/** The files and trees needed, given the policy (and the previous read, if any). */
export type RequestFor = (policy: PromotionPolicy, previous: RepoSnapshot | undefined) => SnapshotRequest;

/**
 * A broken .chart-promoter.yaml is an operator's problem, not the chart's: retryable, so the message
 * waits (and lands in the dead-letter queue, to be redriven once the file is fixed) instead of being
 * refused for good.
 */
export const policyInvalid = (message: string): PromoterError =>
  new PromoterError('POLICY_INVALID', 'retryable', `${POLICY_PATH} is invalid:\n${message}`, {
    path: POLICY_PATH,
  });

/** The policy a snapshot holds (default policy when the file is absent); throws POLICY_INVALID. */
export const policyOf = (snapshot: RepoSnapshot, fallbackEnvironment: string): PromotionPolicy => {
  const text = snapshot.files.get(POLICY_PATH);
  if (text === undefined) return defaultPolicy(fallbackEnvironment);
  const parsed = parsePolicy(text);
  if (!parsed.ok) throw policyInvalid(describePolicyIssues(parsed.issues));
  return parsed.policy;
};

const covers = (read: SnapshotRequest, needed: SnapshotRequest): boolean =>
  needed.files.every((file) => read.files.includes(file)) &&
  needed.trees.every((tree) => read.trees.includes(tree)) &&
  (needed.directories ?? []).every((dir) => (read.directories ?? []).includes(dir)) &&
  (needed.exists ?? []).every((dir) => (read.exists ?? []).includes(dir));

const withPolicyFile = (request: SnapshotRequest): SnapshotRequest => ({
  files: [...new Set([POLICY_PATH, ...request.files])].sort(),
  trees: [...new Set(request.trees)].sort(),
  ...(request.directories === undefined || request.directories.length === 0
    ? {}
    : { directories: [...new Set(request.directories)].sort() }),
  ...(request.exists === undefined || request.exists.length === 0
    ? {}
    : { exists: [...new Set(request.exists)].sort() }),
});

const MAX_ROUNDS = 4;

export const readWithPolicy = async (
  host: GitHost,
  branch: string,
  fallbackEnvironment: string,
  requestFor: RequestFor,
  hint?: PromotionPolicy,
): Promise<PolicyView> => {
  let policy = hint ?? defaultPolicy(fallbackEnvironment);
  let previous: RepoSnapshot | undefined;
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    const request = withPolicyFile(requestFor(policy, previous));
    const snapshot = await host.snapshot(branch, request);
    policy = policyOf(snapshot, fallbackEnvironment);
    if (covers(request, requestFor(policy, snapshot))) return { snapshot, policy };
    previous = snapshot;
  }
  throw new PromoterError(
    'COMMIT_CONTENDED',
    'retryable',
    `${branch} kept changing while reading its policy`,
  );
};
