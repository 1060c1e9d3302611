import { commitLinks, type RepoContext, repositoryResource, USER, WEB } from './resources';

/**
 * Pull requests kept in memory: what `/pullrequests` and `/pullrequests/{id}` need for "find the open
 * one for this source branch, or create it; update its title and description".
 */

export interface Reviewer {
  readonly uuid: string;
  readonly display_name: string;
}

export interface StoredPull {
  readonly id: number;
  title: string;
  description: string;
  readonly source: string;
  readonly destination: string;
  sourceHash: string;
  readonly destinationHash: string;
  state: 'OPEN' | 'MERGED' | 'DECLINED' | 'SUPERSEDED';
  reviewers: Reviewer[];
  readonly createdOn: string;
  updatedOn: string;
  readonly closeSourceBranch: boolean;
}

const now = () => new Date().toISOString().replace(/Z$/, '+00:00');

const accountOf = (r: Reviewer) => ({ type: 'user', uuid: r.uuid, display_name: r.display_name, links: {} });

/**
 * The `pullrequest` resource. Reviewers and participants are only on a pull request's own URL ("For
 * performance reasons, the API only includes this list on a pull request's `self` URL").
 */
export const pullResource = (c: RepoContext, pr: StoredPull, full: boolean) => {
  const api = `${c.api}/repositories/${c.workspace}/${c.slug}/pullrequests/${pr.id}`;
  const markup = { raw: pr.description, markup: 'markdown', html: '' };
  return {
    type: 'pullrequest',
    id: pr.id,
    title: pr.title,
    description: pr.description,
    summary: markup,
    rendered: { title: { ...markup, raw: pr.title }, description: markup },
    state: pr.state,
    author: USER,
    source: {
      branch: { name: pr.source },
      commit: { hash: pr.sourceHash },
      repository: repositoryResource(c),
    },
    destination: {
      branch: { name: pr.destination },
      commit: { hash: pr.destinationHash },
      repository: repositoryResource(c),
    },
    close_source_branch: pr.closeSourceBranch,
    comment_count: 0,
    task_count: 0,
    reason: '',
    created_on: pr.createdOn,
    updated_on: pr.updatedOn,
    links: {
      self: { href: api },
      html: { href: `${WEB}/${c.workspace}/${c.slug}/pull-requests/${pr.id}` },
      commits: { href: `${api}/commits` },
      approve: { href: `${api}/approve` },
      diff: { href: commitLinks(c, pr.sourceHash).self.href },
      diffstat: { href: `${api}/diffstat` },
      comments: { href: `${api}/comments` },
      activity: { href: `${api}/activity` },
      merge: { href: `${api}/merge` },
      decline: { href: `${api}/decline` },
    },
    ...(full ? { reviewers: pr.reviewers.map(accountOf), participants: [] } : {}),
  };
};

export class PullStore {
  readonly #pulls: StoredPull[] = [];

  create(request: {
    title: string;
    description: string;
    source: string;
    destination: string;
    sourceHash: string;
    destinationHash: string;
    closeSourceBranch: boolean;
  }): StoredPull {
    const created = now();
    const pr: StoredPull = {
      ...request,
      id: this.#pulls.length + 1,
      state: 'OPEN',
      reviewers: [],
      createdOn: created,
      updatedOn: created,
    };
    this.#pulls.push(pr);
    return pr;
  }

  get(id: number): StoredPull | undefined {
    return this.#pulls.find((pr) => pr.id === id);
  }

  all(): readonly StoredPull[] {
    return this.#pulls;
  }

  touch(pr: StoredPull): void {
    pr.updatedOn = now();
  }
}
