import { ApiError, type ProjectContext } from './repository';

/**
 * Merge requests kept in memory: list (filtered by source/target branch and state), create, edit
 * (https://docs.gitlab.com/api/merge_requests/). Rules from GitLab's source:
 * - a second open merge request from the same source branch to the same target is refused with
 *   409 {"message": ["Another open merge request already exists for this source branch: !<iid>"]}
 *   (app/models/merge_request.rb `validate_branches`, lib/api/helpers/merge_requests_helpers.rb
 *   `handle_merge_request_errors!` → `conflict!`);
 * - `labels` (create, edit: replace) and `add_labels` (edit: add) are comma-separated; labels the
 *   project lacks are created (docs, "labels" / "add_labels").
 */

export interface StoredMergeRequest {
  readonly iid: number;
  title: string;
  description: string;
  readonly sourceBranch: string;
  readonly targetBranch: string;
  state: 'opened' | 'closed' | 'merged';
  labels: string[];
  readonly createdAt: string;
  updatedAt: string;
}

const labelList = (value: unknown): string[] =>
  (Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(',') : [])
    .map((l) => l.trim())
    .filter((l) => l.length > 0);

export class MergeRequestStore {
  readonly #items: StoredMergeRequest[] = [];

  all(): readonly StoredMergeRequest[] {
    return this.#items;
  }

  list(query: URLSearchParams): StoredMergeRequest[] {
    const state = query.get('state') ?? 'all';
    const source = query.get('source_branch');
    const target = query.get('target_branch');
    return this.#items
      .filter(
        (mr) =>
          (state === 'all' || mr.state === state) &&
          (source === null || mr.sourceBranch === source) &&
          (target === null || mr.targetBranch === target),
      )
      .sort((a, b) => b.iid - a.iid);
  }

  create(body: Record<string, unknown>): StoredMergeRequest {
    const source = body.source_branch;
    const target = body.target_branch;
    const title = body.title;
    const missing = ['source_branch', 'target_branch', 'title'].find((k) => typeof body[k] !== 'string');
    if (missing) throw new ApiError(400, `400 Bad request - ${missing} is missing`);
    if (source === target)
      throw new ApiError(422, ["You can't use same project/branch for source and target"]);
    const open = this.#items.find(
      (mr) => mr.state === 'opened' && mr.sourceBranch === source && mr.targetBranch === target,
    );
    if (open)
      throw new ApiError(409, [
        `Another open merge request already exists for this source branch: !${open.iid}`,
      ]);
    const now = new Date().toISOString();
    const mr: StoredMergeRequest = {
      iid: this.#items.length + 1,
      title: title as string,
      description: typeof body.description === 'string' ? body.description : '',
      sourceBranch: source as string,
      targetBranch: target as string,
      state: 'opened',
      labels: [...new Set(labelList(body.labels))],
      createdAt: now,
      updatedAt: now,
    };
    this.#items.push(mr);
    return mr;
  }

  edit(iid: number, body: Record<string, unknown>): StoredMergeRequest {
    const mr = this.#items.find((m) => m.iid === iid);
    if (!mr) throw new ApiError(404, '404 Not found');
    if (typeof body.title === 'string') mr.title = body.title;
    if (typeof body.description === 'string') mr.description = body.description;
    if (body.labels !== undefined) mr.labels = [...new Set(labelList(body.labels))];
    for (const label of labelList(body.add_labels)) if (!mr.labels.includes(label)) mr.labels.push(label);
    const remove = new Set(labelList(body.remove_labels));
    mr.labels = mr.labels.filter((l) => !remove.has(l));
    if (body.state_event === 'close') mr.state = 'closed';
    mr.updatedAt = new Date().toISOString();
    return mr;
  }
}

/** The fields of API::Entities::MergeRequestBasic the adapter and a reader care about. */
export const mergeRequestEntity = (ctx: ProjectContext, mr: StoredMergeRequest, sha: string | undefined) => ({
  id: 50_000 + mr.iid,
  iid: mr.iid,
  project_id: ctx.projectId,
  title: mr.title,
  description: mr.description,
  state: mr.state,
  created_at: mr.createdAt,
  updated_at: mr.updatedAt,
  target_branch: mr.targetBranch,
  source_branch: mr.sourceBranch,
  source_project_id: ctx.projectId,
  target_project_id: ctx.projectId,
  labels: [...mr.labels],
  draft: false,
  work_in_progress: false,
  merge_when_pipeline_succeeds: false,
  merge_status: 'checking',
  detailed_merge_status: 'checking',
  sha: sha ?? null,
  merge_commit_sha: null,
  squash_commit_sha: null,
  author: { id: 1, username: ctx.user.username, name: ctx.user.name, state: 'active' },
  references: { short: `!${mr.iid}`, relative: `!${mr.iid}`, full: `${ctx.projectPath}!${mr.iid}` },
  web_url: `${ctx.instance}/${ctx.projectPath}/-/merge_requests/${mr.iid}`,
});
