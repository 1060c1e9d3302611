import type { ChangeSet, CommitResult, GitHost, PullRequestRequest } from '../../ports/git-host';
import type { PromotionMode } from '../policy/policy';

/** Where a planned change set landed (or why it could not). */
export type Landing =
  | { readonly status: 'committed'; readonly commit: CommitResult }
  | {
      readonly status: 'pull-request';
      readonly number: number;
      readonly url: string;
      /** false: the pull request was already open (its branch was updated). */
      readonly created: boolean;
      readonly branch: string;
      readonly commit: CommitResult;
    }
  /** Plain git: no pull requests, the branch is pushed for a human to open one in the host's UI. */
  | { readonly status: 'branch-pushed'; readonly branch: string; readonly commit: CommitResult }
  /** A gated environment, and the Git host cannot push a branch: the change's refusal as is. */
  | { readonly status: 'refused'; readonly code: 'PULL_REQUEST_UNSUPPORTED'; readonly message: string };

/**
 * Lands a change set planned on `head`: a compare-and-swap commit on `branch` (direct environments),
 * or on the pull-request branch restarted from the same head, then the pull request opened or updated
 * (gated environments; plain git hosts only get the branch). Throws the host's BRANCH_MOVED for the
 * commit loop when the branch moved. Shared by environment moves and values changes.
 */
export const landChange = async (
  host: GitHost,
  branch: string,
  head: string | undefined,
  mode: PromotionMode,
  changeSet: ChangeSet,
  pullRequest: () => PullRequestRequest,
  environment: string,
): Promise<Landing> => {
  if (mode === 'direct') return { status: 'committed', commit: await host.commit(branch, head, changeSet) };
  const request = pullRequest();
  if (!host.setBranch || head === undefined) {
    return {
      status: 'refused',
      code: 'PULL_REQUEST_UNSUPPORTED',
      message: `${environment} takes changes by pull request, and this Git host cannot push branches`,
    };
  }
  // The branch always restarts from the current head: a re-run replaces a stale proposal.
  await host.setBranch(request.head, head);
  const commit = await host.commit(request.head, head, changeSet);
  if (!host.openPullRequest) return { status: 'branch-pushed', branch: request.head, commit };
  const pull = await host.openPullRequest(request);
  return { status: 'pull-request', ...pull, branch: request.head, commit };
};
