import { type RepoContext, repositoryResource, userResource } from './resources';

/**
 * Pull requests kept in memory: enough of https://docs.github.com/rest/pulls/pulls for "open one, or
 * find the open one for this head" (create, and list filtered by `head=owner:branch&state=open`), and
 * their labels (https://docs.github.com/rest/issues/labels#add-labels-to-an-issue).
 */

export interface StoredPull {
  readonly number: number;
  /** Updated by PATCH (a newer version proposed on the same branch). */
  title: string;
  body: string;
  readonly head: string;
  readonly base: string;
  headSha: string;
  readonly baseSha: string;
  state: 'open' | 'closed';
  readonly createdAt: string;
  /** Label names in the order they were first added. */
  readonly labels: string[];
}

/** GitHub refuses longer label names (422 "name is too long (maximum is 50 characters)"). */
export const LABEL_NAME_LIMIT = 50;

const BOT = 'chart-promoter[bot]';

const branchRef = (c: RepoContext, branch: string, sha: string) => ({
  label: `${c.owner}:${branch}`,
  ref: branch,
  sha,
  user: userResource(c, c.owner, 1),
  repo: repositoryResource(c),
});

/** The `label` schema; ids are stable per name, as a repository's labels are. */
export const labelResource = (c: RepoContext, name: string) => {
  const id = 7000 + [...name].reduce((hash, ch) => (hash * 31 + ch.codePointAt(0)!) % 1_000_000, 0);
  return {
    id,
    node_id: Buffer.from(`Label:${id}`).toString('base64'),
    url: `${c.api}/repos/${c.owner}/${c.repo}/labels/${encodeURIComponent(name)}`,
    name,
    // Labels GitHub creates on the fly have no description and its default grey (recorded:
    // @octokit/fixtures `add-labels-to-issue`, `"description": null`).
    description: null,
    color: 'ededed',
    default: false,
  };
};

/** The fields `pull-request-simple` (list) requires. */
export const pullSimpleResource = (c: RepoContext, pr: StoredPull) => {
  const api = `${c.api}/repos/${c.owner}/${c.repo}`;
  const html = `https://github.example/${c.owner}/${c.repo}/pull/${pr.number}`;
  const self = `${api}/pulls/${pr.number}`;
  const issue = `${api}/issues/${pr.number}`;
  const statuses = `${api}/statuses/${pr.headSha}`;
  return {
    url: self,
    id: 9000 + pr.number,
    node_id: Buffer.from(`PullRequest:${pr.number}`).toString('base64'),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: issue,
    commits_url: `${self}/commits`,
    review_comments_url: `${self}/comments`,
    review_comment_url: `${api}/pulls/comments{/number}`,
    comments_url: `${issue}/comments`,
    statuses_url: statuses,
    number: pr.number,
    state: pr.state,
    locked: false,
    title: pr.title,
    user: userResource(c, BOT, 2),
    body: pr.body,
    labels: pr.labels.map((name) => labelResource(c, name)),
    milestone: null,
    active_lock_reason: null,
    created_at: pr.createdAt,
    updated_at: pr.createdAt,
    closed_at: null,
    merged_at: null,
    merge_commit_sha: null,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: branchRef(c, pr.head, pr.headSha),
    base: branchRef(c, pr.base, pr.baseSha),
    _links: {
      self: { href: self },
      html: { href: html },
      issue: { href: issue },
      comments: { href: `${issue}/comments` },
      review_comments: { href: `${self}/comments` },
      review_comment: { href: `${api}/pulls/comments{/number}` },
      commits: { href: `${self}/commits` },
      statuses: { href: statuses },
    },
    author_association: 'NONE',
    auto_merge: null,
    draft: false,
  };
};

/** The full `pull-request` (create) adds merge state and counters. */
export const pullResource = (c: RepoContext, pr: StoredPull) => ({
  ...pullSimpleResource(c, pr),
  merged: false,
  mergeable: null,
  rebaseable: null,
  mergeable_state: 'unknown',
  merged_by: null,
  comments: 0,
  review_comments: 0,
  maintainer_can_modify: false,
  commits: 1,
  additions: 0,
  deletions: 0,
  changed_files: 0,
});

export class PullStore {
  private readonly pulls: StoredPull[] = [];

  create(request: Omit<StoredPull, 'number' | 'state' | 'createdAt' | 'labels'>): StoredPull {
    const pr: StoredPull = {
      ...request,
      number: this.pulls.length + 1,
      state: 'open',
      createdAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      labels: [],
    };
    this.pulls.push(pr);
    return pr;
  }

  list(filter: { head?: string; base?: string; state?: string }): StoredPull[] {
    return this.pulls.filter(
      (pr) =>
        (filter.state === 'all' || pr.state === (filter.state ?? 'open')) &&
        (filter.head === undefined || filter.head === pr.head) &&
        (filter.base === undefined || filter.base === pr.base),
    );
  }

  get(number: number): StoredPull | undefined {
    return this.pulls.find((pr) => pr.number === number);
  }

  /** Adds the names the pull request lacks; label names compare case-insensitively, as on GitHub. */
  addLabels(pr: StoredPull, names: readonly string[]): void {
    for (const name of names) {
      if (!pr.labels.some((l) => l.toLowerCase() === name.toLowerCase())) pr.labels.push(name);
    }
  }

  all(): readonly StoredPull[] {
    return this.pulls;
  }
}
