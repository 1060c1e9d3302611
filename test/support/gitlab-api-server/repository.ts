import type { CommitObject, GitStore } from '../github-api-server/git-store';
import { ZERO_SHA } from '../github-api-server/git-store';
import { compareAndSwapRef, readBranch } from './refs';
import { applyCommitActions, type CommitActionInput, IndexError } from './tree-actions';

/**
 * The repository endpoints of GitLab's REST API v4 the adapter uses, over the real bare repository:
 * branches (https://docs.gitlab.com/api/branches/) and "Create a commit with multiple files and
 * actions" (https://docs.gitlab.com/api/commits/#create-a-commit-with-multiple-files-and-actions).
 * Where the documentation is silent the behaviour is GitLab's source, named beside each rule.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** GitLab's `message` value: a string, or a list for validation errors. */
    readonly payload: string | readonly string[],
  ) {
    super(typeof payload === 'string' ? payload : payload.join('; '));
  }
}

export interface ProjectContext {
  readonly store: GitStore;
  /** Instance root, e.g. http://127.0.0.1:1234 */
  readonly instance: string;
  readonly projectPath: string;
  readonly projectId: number;
  readonly user: { readonly name: string; readonly email: string; readonly username: string };
}

const isoWithOffset = (iso: string): string => iso.replace(/\.\d+Z$|Z$/, '.000+00:00');

/** API::Entities::Commit (lib/api/entities/commit.rb). */
export const commitEntity = (ctx: ProjectContext, commit: CommitObject) => {
  const title = commit.message.split('\n')[0] ?? '';
  return {
    id: commit.sha,
    short_id: commit.sha.slice(0, 8),
    created_at: isoWithOffset(commit.committer.date),
    parent_ids: [...commit.parents],
    title,
    message: commit.message,
    author_name: commit.author.name,
    author_email: commit.author.email,
    authored_date: isoWithOffset(commit.author.date),
    committer_name: commit.committer.name,
    committer_email: commit.committer.email,
    committed_date: isoWithOffset(commit.committer.date),
    trailers: {},
    extended_trailers: {},
    web_url: `${ctx.instance}/${ctx.projectPath}/-/commit/${commit.sha}`,
  };
};

/** API::Entities::CommitDetail: the commit plus pipeline status fields (stats only when asked). */
export const commitDetailEntity = (ctx: ProjectContext, commit: CommitObject) => ({
  ...commitEntity(ctx, commit),
  status: null,
  project_id: ctx.projectId,
  last_pipeline: null,
});

/** API::Entities::Branch (lib/api/entities/branch.rb). */
export const branchEntity = async (ctx: ProjectContext, name: string, sha: string, isDefault: boolean) => ({
  name,
  commit: commitEntity(ctx, await ctx.store.readCommit(sha)),
  merged: false,
  protected: false,
  developers_can_push: false,
  developers_can_merge: false,
  can_push: true,
  default: isDefault,
  web_url: `${ctx.instance}/${ctx.projectPath}/-/tree/${encodeURIComponent(name)}`,
});

/** `git check-ref-format --branch` rules GitLab applies (Gitlab::GitRefValidator). */
const validBranchName = (name: string): boolean =>
  name.length > 0 &&
  !/[\s~^:?*[\\\x00-\x1f\x7f]|\.\.|@\{|\/\/|^\/|\/$|\.lock$|\.$|^-/.test(name) &&
  !name.split('/').some((p) => p.startsWith('.'));

const COMMIT_ID = /^[0-9a-f]{40}$/;

// A repository never becomes empty again here, so "has commits" is remembered once seen.
const nonEmpty = new WeakSet<GitStore>();
const hasCommits = async (store: GitStore): Promise<boolean> => {
  if (nonEmpty.has(store)) return true;
  const any = (await store.text(['for-each-ref', '--count=1', 'refs/heads'])) !== '';
  if (any) nonEmpty.add(store);
  return any;
};

/** Gitlab::Git::Commit.last_for_path: the last commit touching `path` reachable from `ref`. */
const lastCommitForPath = async (store: GitStore, ref: string, path: string): Promise<string | undefined> =>
  (await store.text(['log', '-1', '--format=%H', ref, '--', `:(literal)${path}`]).catch(() => '')) ||
  undefined;

export interface CreateCommitBody {
  readonly branch?: string;
  readonly commit_message?: string;
  readonly actions?: readonly (CommitActionInput & { last_commit_id?: string })[];
  readonly start_branch?: string;
  readonly start_sha?: string;
  readonly force?: boolean;
  readonly author_name?: string;
  readonly author_email?: string;
}

const UPDATE_FILE_ACTIONS = new Set(['update', 'move', 'delete', 'chmod']);

/** Request-level checks of lib/api/commits.rb `validate_commits_attrs!` (400 "400 Bad request - …"). */
const validateAttributes = (body: CreateCommitBody): void => {
  const bad = (reason: string) => new ApiError(400, `400 Bad request - ${reason}`);
  if (!body.branch) throw bad('branch is required');
  if (!body.commit_message) throw bad('commit_message is required');
  if (!body.actions || body.actions.length === 0) throw bad('actions is required');
  if (body.start_sha !== undefined && body.start_branch !== undefined)
    throw bad('start_branch, start_sha are mutually exclusive');
  body.actions.forEach((action, i) => {
    if (!action.action) throw bad(`actions[${i}][action] is required`);
    if (!action.file_path) throw bad(`actions[${i}][file_path] is required`);
    if (!['create', 'update', 'move', 'delete', 'chmod'].includes(action.action))
      throw bad(`actions[${i}][action] must be one of: create, update, move, delete, chmod`);
    if (action.encoding !== undefined && !['text', 'base64'].includes(action.encoding))
      throw bad(`actions[${i}][encoding] must be text or base64`);
    if (action.action === 'update' && action.content === undefined)
      throw bad(`actions[${i}][content] is required for update action`);
    if (action.action === 'move' && !action.previous_path)
      throw bad(`actions[${i}][previous_path] is required for move action`);
  });
};

/**
 * POST /projects/:id/repository/commits. Rails validates (app/services/commits/create_service.rb
 * `validate!`, app/services/files/multi_service.rb `validate_file_status!`), then Gitaly builds the
 * commit on its parent and moves the branch from the value it resolved
 * (commit_files.go: parent = start_sha, or the start branch's tip; old value = that parent, zero for a
 * new branch, the current tip with `force`). Every refusal is 400 {"message": …}.
 */
export const createCommit = async (ctx: ProjectContext, body: CreateCommitBody) => {
  validateAttributes(body);
  const { store } = ctx;
  const branch = body.branch!;
  // lib/api/commits.rb: start_branch defaults to the branch itself unless start_sha is given.
  const startBranch = body.start_branch ?? (body.start_sha === undefined ? branch : undefined);
  const startSha = body.start_sha;
  const force = body.force === true;
  const fail = (message: string) => new ApiError(400, message);
  const empty = !(await hasCommits(store));
  const branchTip = await readBranch(store.dir, branch);

  if (startSha !== undefined) {
    if (!COMMIT_ID.test(startSha)) throw fail(`Invalid start_sha '${startSha}'`);
    if ((await store.objectType(startSha)) !== 'commit') throw fail(`Cannot find start_sha '${startSha}'`);
  }
  if (startBranch !== undefined && !empty && (await readBranch(store.dir, startBranch)) === undefined)
    throw fail('You can only create or edit files when you are on a branch');
  const differentBranch = startBranch !== branch || startSha !== undefined;
  if (!empty && differentBranch && branchTip !== undefined && !force)
    throw fail(`A branch called '${branch}' already exists. Switch to that branch in order to make changes`);
  if (differentBranch && !validBranchName(branch))
    throw fail(`Something went wrong when we tried to create '${branch}' for you: Branch name is invalid`);
  // Files::BaseService#file_has_changed?: the file's last commit on the start branch against its last
  // commit as of `last_commit_id`; no answer on either side is "unchanged".
  for (const action of body.actions!) {
    if (!UPDATE_FILE_ACTIONS.has(action.action) || !action.last_commit_id || startBranch === undefined)
      continue;
    const path = action.previous_path ?? action.file_path;
    const onBranch = await lastCommitForPath(store, `refs/heads/${startBranch}`, path);
    const onRef = await lastCommitForPath(store, action.last_commit_id, path);
    if (onBranch && onRef && onBranch !== onRef)
      throw fail(`The file has changed since you started editing it: ${path}`);
  }

  // Gitaly: the parent, the actions on its tree, the commit, the compare-and-swap on the branch.
  const parent =
    startSha ?? (startBranch === undefined ? undefined : await readBranch(store.dir, startBranch));
  const baseTree = parent === undefined ? undefined : (await store.readCommit(parent)).tree;
  let tree: string;
  try {
    tree = await applyCommitActions(store, baseTree, body.actions!);
  } catch (error) {
    if (error instanceof IndexError) throw fail(error.message);
    throw error;
  }
  const identity = {
    name: body.author_name ?? ctx.user.name,
    email: body.author_email ?? ctx.user.email,
  };
  const sha = await store.commitTree({
    tree,
    parents: parent === undefined ? [] : [parent],
    message: body.commit_message!,
    author: identity,
    committer: { name: ctx.user.name, email: ctx.user.email },
  });
  const oldValue = branchTip === undefined ? ZERO_SHA : force ? branchTip : (parent ?? ZERO_SHA);
  const moved = await compareAndSwapRef(store.dir, `refs/heads/${branch}`, oldValue, sha).catch(() => ({
    ok: false as const,
    actual: 'locked',
  }));
  if (!moved.ok) {
    // Gitaly answers FailedPrecondition from its reference transaction; Rails reports Gitaly's text.
    throw fail(`9:reference update: reference is at ${moved.actual} but expected ${oldValue}`);
  }
  return commitDetailEntity(ctx, await store.readCommit(sha));
};

/** POST /projects/:id/repository/branches (lib/api/branches.rb; 400 "Branch already exists"). */
export const createBranch = async (
  ctx: ProjectContext,
  branch: string | undefined,
  ref: string | undefined,
) => {
  if (!branch) throw new ApiError(400, '400 Bad request - branch is missing');
  if (!ref) throw new ApiError(400, '400 Bad request - ref is missing');
  if (!validBranchName(branch)) throw new ApiError(400, 'Branch name is invalid');
  const sha = COMMIT_ID.test(ref) ? ref : await readBranch(ctx.store.dir, ref);
  if (!sha || (await ctx.store.objectType(sha)) !== 'commit')
    throw new ApiError(400, 'Invalid reference name');
  const created = await compareAndSwapRef(ctx.store.dir, `refs/heads/${branch}`, ZERO_SHA, sha).catch(() => ({
    ok: false,
  }));
  if (!created.ok) throw new ApiError(400, 'Branch already exists');
  return branchEntity(ctx, branch, sha, false);
};
