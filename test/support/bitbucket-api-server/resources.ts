import type { CommitObject } from '../github-api-server/git-store';

/**
 * Bitbucket Cloud resources as the API returns them, shaped by the examples and definitions of the
 * OpenAPI description (branch, commit, treeentry, diffstat, pullrequest, error). Where a real answer
 * and the description disagree, the description wins here and the difference is noted (README.md).
 */

export interface RepoContext {
  /** API root, e.g. http://127.0.0.1:1234/2.0 */
  readonly api: string;
  readonly workspace: string;
  readonly slug: string;
  readonly mainBranch: string;
}

export const WEB = 'https://bitbucket.example';
const link = (href: string) => ({ href });
const repoApi = (c: RepoContext) => `${c.api}/repositories/${c.workspace}/${c.slug}`;
const repoWeb = (c: RepoContext) => `${WEB}/${c.workspace}/${c.slug}`;
const seconds = (iso: string) => iso.replace(/\.\d+Z$/, '+00:00').replace(/Z$/, '+00:00');

export const USER = {
  type: 'user',
  display_name: 'chart-promoter',
  uuid: '{6f2b3c9a-1d4e-4f8a-9b7c-2e5d8a1f0c3b}',
  account_id: '712020:6f2b3c9a-1d4e-4f8a-9b7c-2e5d8a1f0c3b',
  nickname: 'chart-promoter',
  links: { avatar: link(`${WEB}/account/chart-promoter/avatar/`) },
};

export const repositoryResource = (c: RepoContext) => ({
  type: 'repository',
  full_name: `${c.workspace}/${c.slug}`,
  name: c.slug,
  uuid: '{1b8e2f9c-4a6d-4c3e-8f1a-7d9b2c5e0a4f}',
  links: { self: link(repoApi(c)), html: link(repoWeb(c)), avatar: link(`${repoWeb(c)}/avatar/32/`) },
});

export const commitLinks = (c: RepoContext, hash: string) => ({
  self: link(`${repoApi(c)}/commit/${hash}`),
  html: link(`${repoWeb(c)}/commits/${hash}`),
});

/** A parent as commits embed them: hash, links, type. */
export const commitRef = (c: RepoContext, hash: string) => ({
  type: 'commit',
  hash,
  links: commitLinks(c, hash),
});

export const commitResource = (c: RepoContext, commit: CommitObject) => ({
  type: 'commit',
  hash: commit.sha,
  date: seconds(new Date(commit.author.date).toISOString()),
  author: { type: 'author', raw: `${commit.author.name} <${commit.author.email}>`, user: USER },
  message: commit.message,
  summary: { raw: commit.message, markup: 'markdown', html: '' },
  parents: commit.parents.map((p) => commitRef(c, p)),
  links: {
    ...commitLinks(c, commit.sha),
    diff: link(`${repoApi(c)}/diff/${commit.sha}`),
    patch: link(`${repoApi(c)}/patch/${commit.sha}`),
  },
  repository: repositoryResource(c),
});

export const branchResource = (c: RepoContext, name: string, commit: CommitObject) => ({
  type: 'branch',
  name,
  target: commitResource(c, commit),
  links: {
    self: link(`${repoApi(c)}/refs/branches/${name}`),
    commits: link(`${repoApi(c)}/commits/${name}`),
    html: link(`${repoWeb(c)}/branch/${name}`),
  },
  merge_strategies: ['merge_commit', 'squash', 'fast_forward'],
  default_merge_strategy: 'merge_commit',
});

/** `commit_directory` / `commit_file` entries of a listing, as in the src operation's examples. */
export const directoryEntry = (c: RepoContext, hash: string, path: string) => ({
  type: 'commit_directory',
  path,
  commit: commitRef(c, hash),
  links: {
    self: link(`${repoApi(c)}/src/${hash}/${path}/`),
    meta: link(`${repoApi(c)}/src/${hash}/${path}/?format=meta`),
  },
});

export const fileEntry = (
  c: RepoContext,
  hash: string,
  path: string,
  attributes: readonly string[],
  size: number,
) => ({
  type: 'commit_file',
  path,
  escaped_path: path,
  commit: commitRef(c, hash),
  attributes,
  size,
  links: {
    self: link(`${repoApi(c)}/src/${hash}/${path}`),
    meta: link(`${repoApi(c)}/src/${hash}/${path}?format=meta`),
  },
});

/**
 * A diffstat record. The description types `old`/`new` as `commit_file` objects (not nullable), so
 * the side that does not exist is left out rather than sent as null.
 */
export const diffstatResource = (
  c: RepoContext,
  status: 'added' | 'removed' | 'modified',
  path: string,
  lines: { added: number; removed: number },
  commits: { from: string; to: string },
) => {
  const side = (hash: string) => ({
    type: 'commit_file',
    path,
    escaped_path: path,
    links: { self: link(`${repoApi(c)}/src/${hash}/${path}`) },
  });
  return {
    type: 'diffstat',
    status,
    lines_added: lines.added,
    lines_removed: lines.removed,
    ...(status === 'added' ? {} : { old: side(commits.from) }),
    ...(status === 'removed' ? {} : { new: side(commits.to) }),
  };
};

export const errorResource = (message: string, detail?: string) => ({
  type: 'error',
  error: { message, ...(detail === undefined ? {} : { detail }) },
});

/** One page of a paginated collection; `next` is the same URL with the following `page`. */
export const page = <T>(values: readonly T[], url: URL, defaultLength: number, maxLength: number) => {
  const pagelen = Math.min(Number(url.searchParams.get('pagelen') ?? defaultLength), maxLength);
  const number = Number(url.searchParams.get('page') ?? 1);
  const slice = values.slice((number - 1) * pagelen, number * pagelen);
  const more = number * pagelen < values.length;
  const next = new URL(url);
  next.searchParams.set('page', String(number + 1));
  return {
    pagelen,
    page: number,
    size: values.length,
    values: slice,
    ...(more ? { next: next.href } : {}),
  };
};
