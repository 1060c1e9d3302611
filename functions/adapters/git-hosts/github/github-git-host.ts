import type { Octokit } from '@octokit/rest';
import type {
  ChangeSet,
  CommitResult,
  GitHost,
  PullRequestRequest,
  PullRequestResult,
  RepoSnapshot,
  SnapshotRequest,
} from '../../../ports/git-host';
import { GitHostError } from '../../../ports/git-host-error';
import { asInlineText } from '../shared/inline-text';
import { assertPlainPath } from '../shared/repository-path';
import {
  branchNotFound,
  graphqlErrorsOf,
  messageOf,
  repositoryNotFound,
  statusOf,
  toGitHostError,
} from './github-errors';
import { createFirstCommit, isEmptyRepositoryAnswer } from './github-first-commit';
import {
  answerWithAbsentPaths,
  buildSnapshotQuery,
  fileReadOf,
  isTreeEntry,
  type SnapshotQuery,
  type SnapshotResponse,
  treeIdOf,
} from './github-snapshot-query';
import {
  chunkTreeEntries,
  DEFAULT_TREE_CHUNK_LIMITS,
  type TreeChunkLimits,
  type TreeEntryRequest,
} from './github-tree-requests';

/**
 * The cluster repository on GitHub, through its API only (no clone): a snapshot is one GraphQL query;
 * a commit is create-tree (inline text, binary files as blobs) + create-commit + update-ref with
 * `force: false`, GitHub's compare-and-swap (https://docs.github.com/rest/git/refs#update-a-reference).
 * Commits carry no author/committer, so GitHub attributes them to the App and signs them
 * (https://docs.github.com/authentication/managing-commit-signature-verification/about-commit-signature-verification#signature-verification-for-bots).
 */

export interface GitHubGitHostOptions {
  readonly octokit: Octokit;
  readonly owner: string;
  readonly repo: string;
  readonly treeChunkLimits?: TreeChunkLimits;
}

// Head commits whose root tree we already know (from a snapshot or our own commit): commits are
// immutable, so this is never stale and saves the commit read before writing.
const TREE_CACHE_SIZE = 64;

// update-ref/create-ref answers (422) that mean "the branch is not where you expected": not a fast
// forward (https://docs.github.com/rest/git/refs#update-a-reference); "Reference cannot be updated",
// GitHub's answer to concurrent or back-to-back writers (osunyorg/admin#119, #1978, #2192;
// googleapis/repo-automation-bots#4537); "Reference update failed", create-ref's intermittent answer
// (github/rest-api-description#4887); a branch deleted or created under us.
const MOVED =
  /not a fast forward|reference cannot be updated|reference update failed|reference does not exist|reference already exists|object does not exist/i;

/** A failed create-ref/update-ref: BRANCH_MOVED (re-read, re-plan) when GitHub says the branch moved. */
const refFailure = (error: unknown, branch: string, action: string, expected?: string): GitHostError =>
  statusOf(error) === 422 && MOVED.test(messageOf(error))
    ? new GitHostError(
        'BRANCH_MOVED',
        `${branch} is no longer ${expected ? `at ${expected}` : 'where it was'}`,
        {
          cause: error,
        },
      )
    : toGitHostError(error, `${action} ${branch}`);

export class GitHubGitHost implements GitHost {
  readonly kind = 'github' as const;
  readonly location: string;
  private readonly octokit: Octokit;
  private readonly owner: string;
  private readonly repo: string;
  private readonly limits: TreeChunkLimits;
  private readonly treeOfCommit = new Map<string, string>();
  private readonly baseUrl: string;

  constructor(options: GitHubGitHostOptions) {
    this.octokit = options.octokit;
    this.owner = options.owner;
    this.repo = options.repo;
    this.limits = options.treeChunkLimits ?? DEFAULT_TREE_CHUNK_LIMITS;
    this.baseUrl = String(this.octokit.request.endpoint.DEFAULTS.baseUrl ?? 'https://api.github.com').replace(
      /\/$/,
      '',
    );
    this.location = `${this.baseUrl}/repos/${this.owner}/${this.repo}`;
  }

  async snapshot(branch: string, request: SnapshotRequest): Promise<RepoSnapshot> {
    const query = buildSnapshotQuery(this.owner, this.repo, branch, request);
    const { repository } = await this.readSnapshot(query, branch);
    if (!repository) throw repositoryNotFound(this.owner, this.repo, this.baseUrl);
    // A missing ref on a repository with commits is a branch that does not exist (GitHub answers
    // `ref: null` without an error, changesets/ghcommit src/core.ts); an empty repository has no
    // branch yet, and its first commit creates the one asked for (see commit()).
    if (!repository.ref && !repository.isEmpty)
      throw branchNotFound(this.owner, this.repo, branch, repository.defaultBranchRef?.name);
    const target = repository.ref?.target;
    const files = new Map<string, string | undefined>();
    const trees = new Map<string, string | undefined>();
    if (target) this.rememberTree(target.oid, target.tree.oid);
    await Promise.all(
      request.files.map(async (file, i) => {
        const read = fileReadOf(target?.[`f${i}`]);
        files.set(
          file,
          read.kind === 'text' ? read.text : read.kind === 'blob' ? await this.blobText(read.oid) : undefined,
        );
      }),
    );
    request.trees.forEach((tree, i) => {
      trees.set(tree, treeIdOf(target?.[`t${i}`]));
    });
    const directories = new Map<string, readonly string[] | undefined>();
    await Promise.all(
      (request.directories ?? []).map(async (dir, i) => {
        const oid = treeIdOf(target?.[`d${i}`]);
        directories.set(dir, oid === undefined ? undefined : await this.filesBelow(dir, oid));
      }),
    );
    const exists = new Map(
      (request.exists ?? []).map((dir, i) => [dir, isTreeEntry(target?.[`e${i}`])] as const),
    );
    return { head: target?.oid, files, trees, directories, exists };
  }

  /** The snapshot's answer, absent paths included (github-snapshot-query.ts `answerWithAbsentPaths`). */
  private async readSnapshot(query: SnapshotQuery, branch: string): Promise<SnapshotResponse> {
    try {
      return await this.octokit.graphql<SnapshotResponse>(query.query, query.variables);
    } catch (error) {
      const partial = answerWithAbsentPaths(error, query);
      if (partial) return partial;
      // `{"type":"NOT_FOUND","path":["repository"],"message":"Could not resolve to a Repository with the
      // name 'o/r'."}` beside `repository: null` (cli/cli#436, sourcecred/sourcecred#761).
      if (graphqlErrorsOf(error).some((e) => e.type === 'NOT_FOUND' && e.path?.join('.') === 'repository'))
        throw repositoryNotFound(this.owner, this.repo, this.baseUrl, error);
      throw toGitHostError(error, `snapshot of ${branch}`);
    }
  }

  /** One recursive tree read (https://docs.github.com/rest/git/trees#get-a-tree); blobs only. */
  private async filesBelow(dir: string, oid: string): Promise<string[]> {
    const { data } = await this.call(`list ${dir}`, () =>
      this.octokit.rest.git.getTree({ ...this.repoParams(), tree_sha: oid, recursive: 'true' }),
    );
    // Truncated above 100,000 entries or 7 MB: a partial list would make retention miss files.
    if (data.truncated) throw new GitHostError('REQUEST_REJECTED', `${dir} has too many files to list`);
    return data.tree.flatMap((entry) => (entry.type === 'blob' && entry.path ? [entry.path] : [])).sort();
  }

  async commit(
    branch: string,
    expectedHead: string | undefined,
    changeSet: ChangeSet,
  ): Promise<CommitResult> {
    for (const change of changeSet.changes) assertPlainPath(change);
    try {
      return await this.commitOnto(branch, expectedHead, changeSet);
    } catch (error) {
      if (expectedHead !== undefined || !isEmptyRepositoryAnswer(error)) throw error;
    }
    // An empty repository: the contents API creates its first commit, the change set goes on top.
    const first = await createFirstCommit(this.octokit, this.owner, this.repo, branch);
    this.rememberTree(first.sha, first.tree);
    return this.commitOnto(branch, first.sha, changeSet);
  }

  private async commitOnto(
    branch: string,
    expectedHead: string | undefined,
    changeSet: ChangeSet,
  ): Promise<CommitResult> {
    const baseTree = expectedHead === undefined ? undefined : await this.treeOf(expectedHead);
    const entries = await this.treeEntries(changeSet);
    let tree = baseTree;
    for (const chunk of chunkTreeEntries(entries, this.limits)) {
      tree = await this.call('create tree', () =>
        this.octokit.rest.git.createTree({
          ...this.repoParams(),
          tree: chunk,
          ...(tree ? { base_tree: tree } : {}),
        }),
      ).then((r) => r.data.sha);
    }
    // An empty change set on a new branch still needs a tree (the empty one).
    const commitTree =
      tree ??
      (
        await this.call('create tree', () =>
          this.octokit.rest.git.createTree({ ...this.repoParams(), tree: [] }),
        )
      ).data.sha;
    // No author/committer: GitHub fills in the authenticated identity and, for an App, signs the commit.
    const created = await this.call('create commit', () =>
      this.octokit.rest.git.createCommit({
        ...this.repoParams(),
        message: changeSet.message,
        tree: commitTree,
        parents: expectedHead === undefined ? [] : [expectedHead],
      }),
    );
    const sha = created.data.sha;
    await this.moveBranch(branch, sha, expectedHead);
    this.rememberTree(sha, commitTree);
    return { sha, parent: expectedHead };
  }

  async setBranch(branch: string, sha: string): Promise<void> {
    try {
      await this.octokit.rest.git.createRef({ ...this.repoParams(), ref: `refs/heads/${branch}`, sha });
    } catch (error) {
      if (statusOf(error) !== 422 || !/already exists/i.test(messageOf(error))) {
        throw refFailure(error, branch, 'create branch');
      }
      await this.octokit.rest.git
        .updateRef({ ...this.repoParams(), ref: `heads/${branch}`, sha, force: true })
        .catch((e: unknown) => Promise.reject(refFailure(e, branch, 'move branch')));
    }
  }

  /**
   * The open pull request of the branch, updated when its title or body changed (a newer version or a
   * rollback proposed on the same branch: https://docs.github.com/rest/pulls/pulls#update-a-pull-request),
   * or a new one; then its labels.
   */
  async openPullRequest(request: PullRequestRequest): Promise<PullRequestResult> {
    const found = await this.findPullRequest(request);
    if (found && (found.title !== request.title || found.body !== request.body))
      await this.call(`update pull request #${found.number}`, () =>
        this.octokit.rest.pulls.update({
          ...this.repoParams(),
          pull_number: found.number,
          title: request.title,
          body: request.body,
        }),
      );
    const pull = found
      ? { number: found.number, url: found.url, created: false }
      : await this.createPullRequest(request);
    await this.addLabels(pull.number, request.labels ?? []);
    return pull;
  }

  private async createPullRequest(request: PullRequestRequest): Promise<PullRequestResult> {
    const { head, base, title, body } = request;
    try {
      const { data } = await this.octokit.rest.pulls.create({
        ...this.repoParams(),
        head,
        base,
        title,
        body,
      });
      return { number: data.number, url: data.html_url, created: true };
    } catch (error) {
      // Another run opened it between our look-up and our create: that one is ours too.
      const raced = statusOf(error) === 422 ? await this.findPullRequest(request) : undefined;
      if (raced) return raced;
      throw toGitHostError(error, `open pull request ${head} → ${base}`);
    }
  }

  /**
   * One request, on a new or an existing pull request alike: "add labels" keeps the labels already
   * there (a human's too) and ignores duplicates, and creates labels the repository lacks
   * (https://docs.github.com/rest/issues/labels#add-labels-to-an-issue; pull requests are issues).
   */
  private async addLabels(number: number, labels: readonly string[]): Promise<void> {
    if (labels.length === 0) return;
    await this.call(`label pull request #${number}`, () =>
      this.octokit.rest.issues.addLabels({ ...this.repoParams(), issue_number: number, labels: [...labels] }),
    );
  }

  private async findPullRequest(
    request: PullRequestRequest,
  ): Promise<(PullRequestResult & { title: string; body: string | null }) | undefined> {
    const { data } = await this.call('list pull requests', () =>
      this.octokit.rest.pulls.list({
        ...this.repoParams(),
        head: `${this.owner}:${request.head}`,
        base: request.base,
        state: 'open',
        per_page: 1,
      }),
    );
    const found = data[0];
    return found
      ? { number: found.number, url: found.html_url, created: false, title: found.title, body: found.body }
      : undefined;
  }

  private async moveBranch(branch: string, sha: string, expectedHead: string | undefined): Promise<void> {
    try {
      if (expectedHead === undefined) {
        await this.octokit.rest.git.createRef({ ...this.repoParams(), ref: `refs/heads/${branch}`, sha });
      } else {
        await this.octokit.rest.git.updateRef({
          ...this.repoParams(),
          ref: `heads/${branch}`,
          sha,
          force: false,
        });
      }
    } catch (error) {
      throw refFailure(error, branch, 'update branch', expectedHead ?? '(absent)');
    }
  }

  private async treeEntries(changeSet: ChangeSet): Promise<TreeEntryRequest[]> {
    return Promise.all(
      changeSet.changes.map(async ({ path, content }): Promise<TreeEntryRequest> => {
        if (content === null) return { path, mode: '100644', type: 'blob', sha: null };
        const text = asInlineText(content);
        if (text !== undefined) return { path, mode: '100644', type: 'blob', content: text };
        const { data } = await this.call(`create blob ${path}`, () =>
          this.octokit.rest.git.createBlob({
            ...this.repoParams(),
            content: Buffer.from(content).toString('base64'),
            encoding: 'base64',
          }),
        );
        return { path, mode: '100644', type: 'blob', sha: data.sha };
      }),
    );
  }

  private async treeOf(commit: string): Promise<string> {
    const known = this.treeOfCommit.get(commit);
    if (known) return known;
    const { data } = await this.call(`read commit ${commit}`, () =>
      this.octokit.rest.git.getCommit({ ...this.repoParams(), commit_sha: commit }),
    );
    this.rememberTree(commit, data.tree.sha);
    return data.tree.sha;
  }

  private rememberTree(commit: string, tree: string): void {
    this.treeOfCommit.delete(commit);
    this.treeOfCommit.set(commit, tree);
    if (this.treeOfCommit.size > TREE_CACHE_SIZE) {
      this.treeOfCommit.delete(this.treeOfCommit.keys().next().value!);
    }
  }

  private async blobText(oid: string): Promise<string> {
    const { data } = await this.call(`read blob ${oid}`, () =>
      this.octokit.rest.git.getBlob({ ...this.repoParams(), file_sha: oid }),
    );
    return Buffer.from(data.content, data.encoding === 'base64' ? 'base64' : 'utf8').toString('utf8');
  }

  private repoParams() {
    return { owner: this.owner, repo: this.repo };
  }

  private async call<T>(action: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw toGitHostError(error, action);
    }
  }
}
