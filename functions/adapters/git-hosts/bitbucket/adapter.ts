import { PromoterError } from '../../../errors';
import type {
  ChangeSet,
  CommitResult,
  FileChange,
  GitHost,
  PullRequestRequest,
  PullRequestResult,
  RepoSnapshot,
  SnapshotRequest,
} from '../../../ports/git-host';
import { GitHostError } from '../../../ports/git-host-error';
import type { GitHostSettings, GitHostWiring } from '../descriptor';
import { assertPlainPath } from '../shared/repository-path';
import { commitForm } from './commit-form';
import { httpFailure } from './errors';
import { type BitbucketAuth, BitbucketClient, type BitbucketClientOptions, encodePath } from './http-client';
import { BitbucketPullRequests } from './pull-requests';
import { type BitbucketRepository, parseRepository } from './repository';
import { SnapshotCache } from './snapshot-cache';
import { BitbucketSnapshotReader } from './snapshot-reader';

/**
 * The cluster repository on Bitbucket Cloud, through its REST API 2.0 only (no clone). Reads: see
 * snapshot-reader.ts. A commit is ONE request, `POST /repositories/{workspace}/{repo_slug}/src`
 * (multipart/form-data: one file field per written path, named by the path, "contents treated as
 * bytes"; deletions as `files` fields; `branch`; `parents`), and it is the compare-and-swap: "if a
 * parent SHA1 was also provided, then it is asserted that the parent is the branch's tip/HEAD at the
 * time the request is made. When this is not the case, a 409 is returned" (the operation's description
 * in Atlassian's OpenAPI description) → a retryable BRANCH_MOVED, and the pipeline re-plans.
 *
 * Two things the endpoint cannot do, and what happens instead: it cannot assert that a branch is
 * absent (`expectedHead` undefined), so the adapter checks just before (a narrow window remains); and
 * it cannot create a second root commit, so a branch created in a repository that has commits starts
 * from the main branch's tip ("the new commit will inherit from the current main branch's tip/HEAD").
 * The 201 names no commit in its documentation; the adapter takes a `Location: …/commit/<sha>` when
 * there is one, else reads the branch (one more request).
 */

export interface BitbucketGitHostOptions {
  readonly client: BitbucketClient;
  readonly repository: BitbucketRepository;
  /**
   * What snapshots learnt, per commit. The descriptor shares one per repository in a process, so a
   * warm function re-reads only what changed. @default a cache of this host's own
   */
  readonly cache?: SnapshotCache;
}

/** `Location: …/commit/<sha>` of a 201, when Bitbucket sends one (it is not in the OpenAPI description). */
const commitInLocation = (location: string | null): string | undefined =>
  location === null ? undefined : /\/commit\/([0-9a-f]{40})\/?$/.exec(location)?.[1];

/**
 * Field names and file names of the multipart body are quoted header parameters: a double quote or a
 * line break in a path cannot travel in them unchanged.
 */
const assertFormPath = (change: FileChange): void => {
  assertPlainPath(change);
  if (/["\r\n]/.test(change.path))
    throw new GitHostError(
      'REQUEST_REJECTED',
      `Bitbucket cannot commit a path with a quote or line break: ${JSON.stringify(change.path)}`,
    );
};

interface CommitResource {
  readonly hash?: string;
  readonly parents?: readonly { readonly hash?: string }[];
}

export class BitbucketGitHost implements GitHost {
  readonly kind = 'bitbucket';
  readonly location: string;
  readonly #client: BitbucketClient;
  readonly #repo: string;
  readonly #cache: SnapshotCache;
  readonly #reader: BitbucketSnapshotReader;
  readonly #pulls: BitbucketPullRequests;

  constructor(options: BitbucketGitHostOptions) {
    const { workspace, slug } = options.repository;
    this.#client = options.client;
    this.#repo = `repositories/${encodeURIComponent(workspace)}/${encodeURIComponent(slug)}`;
    this.location = `${this.#client.baseUrl}/${this.#repo}`;
    this.#cache = options.cache ?? new SnapshotCache();
    this.#reader = new BitbucketSnapshotReader({
      client: this.#client,
      repoPath: this.#repo,
      cache: this.#cache,
    });
    this.#pulls = new BitbucketPullRequests(this.#client, this.#repo, this.location);
  }

  snapshot(branch: string, request: SnapshotRequest): Promise<RepoSnapshot> {
    return this.#reader.read(branch, request);
  }

  async commit(
    branch: string,
    expectedHead: string | undefined,
    changeSet: ChangeSet,
  ): Promise<CommitResult> {
    for (const change of changeSet.changes) assertFormPath(change);
    if (expectedHead === undefined && (await this.#reader.branchTip(branch)) !== undefined) {
      // Bitbucket cannot assert that a branch is absent; checking first narrows the window.
      throw new GitHostError('BRANCH_MOVED', `${branch} exists now; it was absent when planned`);
    }
    const answer = await this.#client.request(
      `commit to ${branch}`,
      'POST',
      this.#client.url(`${this.#repo}/src`),
      {
        ...commitForm(branch, expectedHead, changeSet),
        accept: [409],
      },
    );
    if (answer.status === 409) {
      throw new GitHostError('BRANCH_MOVED', `${branch} is no longer at ${expectedHead ?? '(absent)'}`, {
        cause: httpFailure(409, `commit to ${branch}`, answer.body),
      });
    }
    const sha =
      commitInLocation(answer.headers.get('location')) ?? (await this.#findCommit(branch, expectedHead));
    this.#cache.committed(expectedHead, sha, changeSet.changes);
    return { sha, parent: expectedHead };
  }

  /**
   * Creates `branch` at `sha` (`POST /refs/branches`), or moves it there. Bitbucket has no "move a
   * branch" operation, so a branch elsewhere is deleted (`DELETE /refs/branches/{name}`) and created
   * again; these are chart-promoter's own pull-request branches.
   */
  async setBranch(branch: string, sha: string): Promise<void> {
    const url = this.#client.url(`${this.#repo}/refs/branches`);
    for (let attempt = 1; attempt <= 3; attempt++) {
      const created = await this.#client.request(`create branch ${branch}`, 'POST', url, {
        json: { name: branch, target: { hash: sha } },
        accept: [400, 409, 422],
      });
      if (created.status === 201 || created.status === 200) return;
      const tip = await this.#reader.branchTip(branch);
      if (tip?.hash === sha) return;
      if (tip === undefined) throw httpFailure(created.status, `create branch ${branch}`, created.body);
      await this.#client.request(
        `delete branch ${branch}`,
        'DELETE',
        this.#client.url(`${this.#repo}/refs/branches/${encodePath(branch)}`),
        { accept: [404] },
      );
    }
    throw new GitHostError('BRANCH_MOVED', `${branch} kept being recreated by another writer`);
  }

  openPullRequest(request: PullRequestRequest): Promise<PullRequestResult> {
    return this.#pulls.open(request);
  }

  /**
   * The commit just made, when the 201 did not name it: the branch tip if its parent is the expected
   * head, else the one commit on the branch whose first parent is (linear history: compare-and-swap
   * lets exactly one commit follow a given head).
   */
  async #findCommit(branch: string, parent: string | undefined): Promise<string> {
    const tip = await this.#reader.branchTip(branch);
    if (tip !== undefined && (parent === undefined || tip.parents[0] === parent)) return tip.hash;
    if (tip !== undefined && parent !== undefined) {
      const url = this.#client.url(`${this.#repo}/commits/${encodePath(branch)}`, { exclude: parent });
      const commits = (await this.#client.collect<CommitResource>(`find the commit on ${branch}`, url)) ?? [];
      const ours = commits.find((c) => c.parents?.[0]?.hash === parent);
      if (ours?.hash !== undefined) return ours.hash;
    }
    throw new GitHostError(
      'BRANCH_MOVED',
      `committed to ${branch}, but the branch no longer leads to the commit`,
    );
  }
}

/** Hosts of one process share what their snapshots learnt about a repository (warm Lambda). */
const caches = new Map<string, SnapshotCache>();

const authOf = (settings: GitHostSettings): BitbucketAuth => {
  const credentials = settings.credentials;
  if (credentials?.kind === 'token') return { kind: 'token', token: credentials.token };
  if (credentials?.kind === 'basic')
    return { kind: 'basic', username: credentials.username, password: credentials.password };
  throw new PromoterError(
    'CONFIG_INVALID',
    'terminal',
    'the bitbucket host needs a credentials secret: {"token"} (a repository, project or workspace access token) or {"username", "password"} (an app password, or an Atlassian API token with the account e-mail)',
  );
};

/** Builds the Bitbucket host from settings parsed at the edge (descriptor.ts imports this lazily). */
export const createBitbucketWiring = (
  settings: GitHostSettings,
  clientOptions: Partial<BitbucketClientOptions> = {},
): GitHostWiring => {
  let requests = 0;
  const client = new BitbucketClient({
    auth: authOf(settings),
    ...(settings.baseUrl === undefined ? {} : { baseUrl: settings.baseUrl }),
    ...(settings.fetch === undefined ? {} : { fetch: settings.fetch }),
    ...clientOptions,
    onRequest: (event) => {
      requests++;
      clientOptions.onRequest?.(event);
    },
  });
  const repository = parseRepository(settings.repository);
  const key = `${client.baseUrl}/${repository.workspace}/${repository.slug}`;
  // `tuning.sharedCache: false` gives this host a cache of its own: what a cold function starts with
  // (benchmarks measure the cold and the warm case in one process).
  let cache = settings.tuning?.sharedCache === false ? new SnapshotCache() : caches.get(key);
  if (cache === undefined) {
    cache = new SnapshotCache();
    caches.set(key, cache);
  }
  return { host: new BitbucketGitHost({ client, repository, cache }), requests: () => requests };
};
