import { randomUUID } from 'node:crypto';
import type { CommitAction } from '@gitbeaker/rest';
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
import type { GitLabApi } from './api';
import { detailOf, statusOf, toGitHostError } from './errors';
import { KnownPaths } from './known-paths';
import { type ReceivePackReport, ZERO_OID } from './receive-pack';
import {
  type BlobNode,
  buildListFilesQuery,
  buildSnapshotQuery,
  type ListFilesAnswer,
  PAGE_SIZE,
  parentOf,
  planChunks,
  type SnapshotAnswer,
  type SnapshotChunk,
  type TreeListing,
} from './snapshot-query';

/**
 * The cluster repository on GitLab (GitLab.com or self-managed), through its APIs only, no clone.
 *
 * Snapshot: the branch head (REST), then every file and tree id at that commit id (GraphQL), so the
 * reads agree with each other however the branch moves meanwhile.
 *
 * Commit, with compare-and-swap on the whole branch: GitLab's commits API applies its per-file checks
 * (`last_commit_id`, "create fails if the file exists") against the branch tip it finds when Gitaly
 * runs, not against the head the plan was made on, so a commit by another writer to files we only
 * read (the policy, an unchanged kustomization, a chart version we found identical) would go
 * unnoticed, and the check itself runs before Gitaly resolves the tip (app/services/files/
 * multi_service.rb `validate_file_status!`, then app/models/repository.rb `commit_files`).
 * `start_sha` on an existing branch is refused ("A branch called … already exists", app/services/
 * commits/create_service.rb `validate_branch_existence!`), and with `force: true` Gitaly moves the
 * branch from whatever tip it finds (internal/gitaly/service/operations/commit_files.go: `oldRevision =
 * targetBranchCommit`), which loses that writer's commit. So:
 *  1. `POST /projects/:id/repository/commits` with `start_sha: <head read>` onto a new, uniquely named
 *     branch: GitLab builds the commit on exactly the tree that was planned on, atomically
 *     (a new branch is created with old value zero: nothing can race it);
 *  2. one git push (receive-pack) moves the target branch from <head read> to that commit and deletes
 *     the scratch branch; git refuses the move under the ref lock if the branch is anywhere else
 *     → `BRANCH_MOVED`, re-plan. No write can be lost, whoever the other writer is.
 * Two requests per commit, whatever the number of files.
 */

export interface GitLabGitHostOptions {
  readonly api: GitLabApi;
  /** Prefix of the scratch branches commits are built on. @default 'chart-promoter/tmp/' */
  readonly scratchPrefix?: string;
  readonly newId?: () => string;
}

interface FoundMergeRequest {
  readonly iid: number;
  readonly url: string;
  readonly title: string;
  readonly description: string;
  readonly labels: readonly string[];
}

const MOVED =
  /stale|failed to update ref|failed to lock|cannot lock|reference already exists|non-fast-forward|fetch first|expected/i;

const utf8 = new TextDecoder();

export class GitLabGitHost implements GitHost {
  readonly kind = 'gitlab';
  readonly location: string;
  readonly #api: GitLabApi;
  readonly #scratchPrefix: string;
  readonly #newId: () => string;
  readonly #known = new KnownPaths();

  constructor(options: GitLabGitHostOptions) {
    this.#api = options.api;
    this.#scratchPrefix = options.scratchPrefix ?? 'chart-promoter/tmp/';
    this.#newId = options.newId ?? randomUUID;
    this.location = `${options.api.baseUrl}/${options.api.projectPath}`;
  }

  async snapshot(branch: string, request: SnapshotRequest): Promise<RepoSnapshot> {
    const head = await this.#head(branch);
    const files = new Map<string, string | undefined>(request.files.map((f) => [f, undefined]));
    const trees = new Map<string, string | undefined>(request.trees.map((t) => [t, undefined]));
    const directories = new Map<string, readonly string[] | undefined>(
      (request.directories ?? []).map((d) => [d, undefined]),
    );
    const exists = new Map<string, boolean>((request.exists ?? []).map((d) => [d, false]));
    if (head === undefined) return { head, files, trees, directories, exists };

    // A directory's tree id, and so its existence, come from its parent's listing (same query).
    const wanted = [...new Set([...request.trees, ...(request.directories ?? []), ...exists.keys()])];
    const listings = [...new Set(wanted.map((dir) => parentOf(dir).parent))];
    const listed = new Map<string, Map<string, string>>();
    const blobs = new Map<string, BlobNode>();
    await Promise.all(
      planChunks([...new Set(request.files)], listings).map((chunk) =>
        this.#readChunk(head, chunk, wanted, blobs, listed),
      ),
    );
    const treeId = (dir: string): string | undefined => {
      const { parent, name } = parentOf(dir);
      return listed.get(parent)?.get(name);
    };
    await Promise.all(
      request.files.map(async (path) => {
        const node = blobs.get(path);
        files.set(path, node === undefined ? undefined : await this.#text(head, node));
      }),
    );
    for (const dir of request.trees) trees.set(dir, treeId(dir));
    for (const dir of exists.keys()) exists.set(dir, treeId(dir) !== undefined);
    await Promise.all(
      (request.directories ?? []).map(async (dir) => {
        directories.set(dir, treeId(dir) === undefined ? undefined : await this.#filesBelow(head, dir));
      }),
    );
    this.#known.record(head, { files, trees, exists });
    return { head, files, trees, directories, exists };
  }

  async commit(
    branch: string,
    expectedHead: string | undefined,
    changeSet: ChangeSet,
  ): Promise<CommitResult> {
    for (const change of changeSet.changes) assertPlainPath(change);
    const exists = await this.#existence(
      expectedHead,
      changeSet.changes.map((c) => c.path),
    );
    const actions = changeSet.changes.flatMap((change): CommitAction[] => {
      if (change.content === null) {
        // Deleting what is not there is a no-op for the port; GitLab would refuse it.
        return exists.get(change.path) ? [{ action: 'delete', filePath: change.path }] : [];
      }
      const text = asInlineText(change.content);
      return [
        {
          action: exists.get(change.path) ? 'update' : 'create',
          filePath: change.path,
          ...(text === undefined
            ? { content: Buffer.from(change.content).toString('base64'), encoding: 'base64' }
            : { content: text, encoding: 'text' }),
        },
      ];
    });
    const scratch = `${this.#scratchPrefix}${this.#newId()}`;
    const created = await this.#createOnScratch(scratch, expectedHead, changeSet.message, actions);
    const report = await this.#call(`move ${branch}`, () =>
      this.#api.receivePack([
        { ref: `refs/heads/${branch}`, old: expectedHead ?? ZERO_OID, new: created },
        { ref: `refs/heads/${scratch}`, old: created, new: ZERO_OID },
      ]),
    );
    this.#checkMoved(branch, expectedHead, report);
    return { sha: created, parent: expectedHead };
  }

  async setBranch(branch: string, sha: string): Promise<void> {
    try {
      await this.#api.branches.create(this.#api.projectPath, branch, sha);
      return;
    } catch (error) {
      if (statusOf(error) !== 400 || !/already exists/i.test(detailOf(error)))
        throw toGitHostError(error, `create branch ${branch}`);
    }
    // GitLab's API cannot move a branch (gitlab-org/gitlab#24168): push it there, from where it is.
    for (let attempt = 1; ; attempt++) {
      const current = await this.#head(branch);
      if (current === sha) return;
      const report = await this.#call(`move branch ${branch}`, () =>
        this.#api.receivePack([{ ref: `refs/heads/${branch}`, old: current ?? ZERO_OID, new: sha }]),
      );
      const status = report.refs.find((r) => r.ref === `refs/heads/${branch}`);
      if (report.unpack === 'ok' && status?.ok) return;
      if (attempt >= 3 || !MOVED.test(status?.reason ?? ''))
        throw this.#refused(`move branch ${branch}`, report);
    }
  }

  /**
   * One merge request per source branch, kept up to date: the open one is looked up first and edited
   * (title, description, labels added); a create that loses the race to another run (409 "Another
   * open merge request already exists for this source branch", app/models/merge_request.rb
   * `validate_branches`, lib/api/helpers/merge_requests_helpers.rb) adopts the winner. Labels GitLab
   * does not know yet are created by GitLab (https://docs.gitlab.com/api/merge_requests/#create-mr).
   */
  async openPullRequest(request: PullRequestRequest): Promise<PullRequestResult> {
    const found = await this.#findMergeRequest(request);
    if (found) return this.#updateMergeRequest(found, request);
    try {
      const created = await this.#api.mergeRequests.create(
        this.#api.projectPath,
        request.head,
        request.base,
        request.title,
        {
          description: request.body,
          ...(request.labels?.length ? { labels: request.labels.join(',') } : {}),
        },
      );
      return { number: created.iid, url: String(created.web_url), created: true };
    } catch (error) {
      const raced = statusOf(error) === 409 ? await this.#findMergeRequest(request) : undefined;
      if (raced) return this.#updateMergeRequest(raced, request);
      throw toGitHostError(error, `open merge request ${request.head} → ${request.base}`);
    }
  }

  async #findMergeRequest(request: PullRequestRequest): Promise<FoundMergeRequest | undefined> {
    const list = await this.#call('list merge requests', () =>
      this.#api.mergeRequests.all({
        projectId: this.#api.projectPath,
        sourceBranch: request.head,
        targetBranch: request.base,
        state: 'opened',
        perPage: 1,
        maxPages: 1,
      }),
    );
    const first = list[0];
    return first
      ? {
          iid: first.iid,
          url: String(first.web_url),
          title: String(first.title),
          description: typeof first.description === 'string' ? first.description : '',
          labels: Array.isArray(first.labels) ? first.labels.map(String) : [],
        }
      : undefined;
  }

  /** Edits the open merge request only when something changed (a newer version on the same branch). */
  async #updateMergeRequest(
    found: FoundMergeRequest,
    request: PullRequestRequest,
  ): Promise<PullRequestResult> {
    const missing = (request.labels ?? []).filter((l) => !found.labels.includes(l));
    if (found.title === request.title && found.description === request.body && missing.length === 0)
      return { number: found.iid, url: found.url, created: false };
    await this.#call(`update merge request !${found.iid}`, () =>
      this.#api.mergeRequests.edit(this.#api.projectPath, found.iid, {
        title: request.title,
        description: request.body,
        ...(request.labels?.length ? { addLabels: request.labels.join(',') } : {}),
      }),
    );
    return { number: found.iid, url: found.url, created: false };
  }

  /** The branch's commit id; undefined when the branch does not exist. */
  async #head(branch: string): Promise<string | undefined> {
    try {
      const found = await this.#api.branches.show(this.#api.projectPath, branch);
      return found.commit.id as string;
    } catch (error) {
      // 404 "404 Branch Not Found" vs "404 Project Not Found" (lib/api/branches.rb, lib/api/helpers.rb).
      if (statusOf(error) === 404 && /branch/i.test(detailOf(error))) return undefined;
      throw toGitHostError(error, `read branch ${branch}`);
    }
  }

  async #readChunk(
    head: string,
    chunk: SnapshotChunk,
    wanted: readonly string[],
    blobs: Map<string, BlobNode>,
    listed: Map<string, Map<string, string>>,
  ): Promise<void> {
    let cursors = new Map<number, string>();
    let current = chunk;
    for (;;) {
      const { query, variables } = buildSnapshotQuery(this.#api.projectPath, head, current, cursors);
      const data = await this.#graphql<SnapshotAnswer>('snapshot', query, variables);
      const repository = data.project?.repository;
      if (!repository) throw new GitHostError('NOT_FOUND', `project ${this.#api.projectPath} not found`);
      for (const node of repository.blobs?.nodes ?? []) blobs.set(node.path, node);
      // A listing is followed to its next page only while a wanted entry is still missing.
      const next = new Map<number, string>();
      const again: string[] = [];
      current.listings.forEach((dir, i) => {
        const listing = repository[`l${i}`] as TreeListing | null;
        const entries = listed.get(dir) ?? new Map<string, string>();
        for (const node of listing?.trees.nodes ?? []) entries.set(node.name, node.sha);
        listed.set(dir, entries);
        const missing = wanted.some((w) => parentOf(w).parent === dir && !entries.has(parentOf(w).name));
        if (missing && listing?.trees.pageInfo.hasNextPage && listing.trees.pageInfo.endCursor) {
          next.set(again.length, listing.trees.pageInfo.endCursor);
          again.push(dir);
        }
      });
      if (again.length === 0) return;
      current = { paths: [], listings: again };
      cursors = next;
    }
  }

  /**
   * `rawTextBlob` is null for binary blobs and GitLab may cut very large ones short
   * (app/graphql/types/repository/blob_type.rb); those are read raw over REST.
   */
  async #text(head: string, node: BlobNode): Promise<string> {
    const text = node.rawTextBlob;
    if (text !== null && Buffer.byteLength(text) === Number(node.size)) return text;
    const raw = await this.#call(`read ${node.path}`, () =>
      this.#api.files.showRaw(this.#api.projectPath, node.path, head),
    );
    return typeof raw === 'string' ? raw : utf8.decode(await (raw as Blob).arrayBuffer());
  }

  async #filesBelow(head: string, dir: string): Promise<string[]> {
    const files: string[] = [];
    let after: string | undefined;
    for (;;) {
      const { query, variables } = buildListFilesQuery(this.#api.projectPath, head, dir, after);
      const data = await this.#graphql<ListFilesAnswer>(`list ${dir}`, query, variables);
      const blobs = data.project?.repository?.tree?.blobs;
      for (const node of blobs?.nodes ?? []) files.push(node.path.slice(dir.length + 1));
      if (!blobs?.pageInfo.hasNextPage || !blobs.pageInfo.endCursor) return files.sort();
      after = blobs.pageInfo.endCursor;
    }
  }

  /**
   * Whether each path exists at `head`, so each change becomes the action GitLab requires (create
   * fails on an existing file, update and delete on a missing one). What the snapshot at that commit
   * already told is reused (commits never change); the rest is asked in GraphQL, 100 paths a query.
   */
  async #existence(head: string | undefined, paths: readonly string[]): Promise<Map<string, boolean>> {
    const answer = new Map<string, boolean>();
    if (head === undefined) {
      for (const path of paths) answer.set(path, false);
      return answer;
    }
    const unknown: string[] = [];
    for (const path of paths) {
      const known = this.#known.exists(head, path);
      if (known === undefined) unknown.push(path);
      else answer.set(path, known);
    }
    for (let i = 0; i < unknown.length; i += PAGE_SIZE) {
      const chunk = { paths: unknown.slice(i, i + PAGE_SIZE), listings: [] };
      const { query, variables } = buildSnapshotQuery(this.#api.projectPath, head, chunk);
      const data = await this.#graphql<SnapshotAnswer>('read before commit', query, variables);
      if (!data.project?.repository)
        throw new GitHostError('NOT_FOUND', `project ${this.#api.projectPath} not found`);
      const present = new Set((data.project.repository.blobs?.nodes ?? []).map((n) => n.path));
      for (const path of chunk.paths) answer.set(path, present.has(path));
    }
    return answer;
  }

  async #createOnScratch(
    scratch: string,
    expectedHead: string | undefined,
    message: string,
    actions: CommitAction[],
  ): Promise<string> {
    try {
      const created = await this.#api.commits.create(this.#api.projectPath, scratch, message, actions, {
        ...(expectedHead === undefined ? {} : { startSha: expectedHead }),
        stats: false,
      });
      return created.id;
    } catch (error) {
      if (expectedHead === undefined && statusOf(error) === 400 && /on a branch/i.test(detailOf(error))) {
        // app/services/commits/create_service.rb `validate_on_branch!`: a commit without a parent is
        // only possible in an empty repository.
        throw new GitHostError(
          'REQUEST_REJECTED',
          `GitLab cannot start a branch with no history in a repository that has commits; create the branch first (${detailOf(error)})`,
          { cause: error },
        );
      }
      throw toGitHostError(error, 'create commit');
    }
  }

  #checkMoved(branch: string, expectedHead: string | undefined, report: ReceivePackReport): void {
    const status = report.refs.find((r) => r.ref === `refs/heads/${branch}`);
    if (report.unpack === 'ok' && status?.ok) return;
    if (report.unpack === 'ok' && status && MOVED.test(status.reason ?? '')) {
      throw new GitHostError(
        'BRANCH_MOVED',
        `${branch} is no longer at ${expectedHead ?? '(absent)'} (${status.reason})`,
      );
    }
    throw this.#refused(`move ${branch}`, report);
  }

  #refused(action: string, report: ReceivePackReport): GitHostError {
    const reasons = report.refs.filter((r) => !r.ok).map((r) => `${r.ref}: ${r.reason}`);
    const detail = [report.unpack === 'ok' ? '' : `unpack ${report.unpack}`, ...reasons, report.messages]
      .filter(Boolean)
      .join('; ');
    // A hook's refusal is GitLab's access check (protected branch, push rule): the token may not do it.
    const code = /hook declined|not allowed|protected/i.test(detail) ? 'AUTH_FAILED' : 'REQUEST_REJECTED';
    return new GitHostError(code, `GitLab refused to ${action}: ${detail}`);
  }

  async #graphql<T>(action: string, query: string, variables: Record<string, unknown>): Promise<T> {
    const answer = await this.#call(action, () => this.#api.graphql<T>(query, variables));
    if (answer.errors?.length) {
      const message = answer.errors.map((e) => e.message).join('; ');
      throw new GitHostError('REQUEST_REJECTED', `GitLab ${action} query was refused: ${message}`);
    }
    if (!answer.data) throw new GitHostError('HOST_UNAVAILABLE', `GitLab ${action} query answered no data`);
    return answer.data;
  }

  async #call<T>(action: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw toGitHostError(error, action);
    }
  }
}
