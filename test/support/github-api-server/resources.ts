import type { CommitObject, TreeEntry } from './git-store';

/**
 * Full, realistic GitHub REST resources (every field GitHub's OpenAPI description marks required), so
 * that response validation proves the adapter only relies on what GitHub really returns.
 */

export interface RepoContext {
  /** API root, e.g. http://127.0.0.1:1234 */
  readonly api: string;
  readonly owner: string;
  readonly repo: string;
  readonly defaultBranch: string;
}

const web = 'https://github.example';
const nodeId = (kind: string, id: string | number) => Buffer.from(`${kind}:${id}`).toString('base64');
const repoApi = (c: RepoContext) => `${c.api}/repos/${c.owner}/${c.repo}`;

export const refResource = (c: RepoContext, branch: string, sha: string) => ({
  ref: `refs/heads/${branch}`,
  node_id: nodeId('Ref', branch),
  url: `${repoApi(c)}/git/refs/heads/${branch}`,
  object: { type: 'commit', sha, url: `${repoApi(c)}/git/commits/${sha}` },
});

export const commitResource = (c: RepoContext, commit: CommitObject) => ({
  sha: commit.sha,
  node_id: nodeId('Commit', commit.sha),
  url: `${repoApi(c)}/git/commits/${commit.sha}`,
  html_url: `${web}/${c.owner}/${c.repo}/commit/${commit.sha}`,
  author: commit.author,
  committer: commit.committer,
  message: commit.message,
  tree: { sha: commit.tree, url: `${repoApi(c)}/git/trees/${commit.tree}` },
  parents: commit.parents.map((sha) => ({
    sha,
    url: `${repoApi(c)}/git/commits/${sha}`,
    html_url: `${web}/${c.owner}/${c.repo}/commit/${sha}`,
  })),
  // GitHub signs API commits of Apps and web-flow itself; the fake does not sign.
  verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
});

/** The `file-commit` answer of the contents API, shaped as @octokit/fixtures `create-file` recorded it. */
export const fileCommitResource = (
  c: RepoContext,
  branch: string,
  path: string,
  sha: string,
  size: number,
  commit: CommitObject,
) => {
  const self = `${repoApi(c)}/contents/${path}?ref=${branch}`;
  const git = `${repoApi(c)}/git/blobs/${sha}`;
  const html = `${web}/${c.owner}/${c.repo}/blob/${branch}/${path}`;
  return {
    content: {
      name: path.split('/').pop()!,
      path,
      sha,
      size,
      url: self,
      html_url: html,
      git_url: git,
      download_url: `https://raw.githubusercontent.example/${c.owner}/${c.repo}/${branch}/${path}`,
      type: 'file',
      _links: { self, git, html },
    },
    commit: commitResource(c, commit),
  };
};

export const treeResource = (
  c: RepoContext,
  sha: string,
  entries: readonly (TreeEntry & { path: string })[],
  truncated = false,
) => ({
  sha,
  url: `${repoApi(c)}/git/trees/${sha}`,
  truncated,
  tree: entries.map((e) => ({
    path: e.path,
    mode: e.mode,
    type: e.type,
    sha: e.sha,
    ...(e.size === undefined ? {} : { size: e.size }),
    url: `${repoApi(c)}/git/${e.type === 'tree' ? 'trees' : 'blobs'}/${e.sha}`,
  })),
});

export const blobResource = (c: RepoContext, sha: string, content: Buffer) => ({
  sha,
  node_id: nodeId('Blob', sha),
  url: `${repoApi(c)}/git/blobs/${sha}`,
  size: content.byteLength,
  // GitHub wraps base64 at 60 columns; clients must ignore the newlines.
  content: `${content.toString('base64').replace(/.{60}/g, '$&\n')}\n`,
  encoding: 'base64',
});

export const userResource = (c: RepoContext, login: string, id: number) => {
  const u = `${c.api}/users/${login}`;
  return {
    login,
    id,
    node_id: nodeId('User', id),
    avatar_url: `${web}/avatars/${login}`,
    gravatar_id: '',
    url: u,
    html_url: `${web}/${login}`,
    followers_url: `${u}/followers`,
    following_url: `${u}/following{/other_user}`,
    gists_url: `${u}/gists{/gist_id}`,
    starred_url: `${u}/starred{/owner}{/repo}`,
    subscriptions_url: `${u}/subscriptions`,
    organizations_url: `${u}/orgs`,
    repos_url: `${u}/repos`,
    events_url: `${u}/events{/privacy}`,
    received_events_url: `${u}/received_events`,
    type: login.endsWith('[bot]') ? 'Bot' : 'User',
    site_admin: false,
  };
};

const CREATED = '2026-01-01T00:00:00Z';

export const repositoryResource = (c: RepoContext) => {
  const r = repoApi(c);
  const urls = Object.fromEntries(
    [
      ['archive_url', '/{archive_format}{/ref}'],
      ['assignees_url', '/assignees{/user}'],
      ['blobs_url', '/git/blobs{/sha}'],
      ['branches_url', '/branches{/branch}'],
      ['collaborators_url', '/collaborators{/collaborator}'],
      ['comments_url', '/comments{/number}'],
      ['commits_url', '/commits{/sha}'],
      ['compare_url', '/compare/{base}...{head}'],
      ['contents_url', '/contents/{+path}'],
      ['contributors_url', '/contributors'],
      ['deployments_url', '/deployments'],
      ['downloads_url', '/downloads'],
      ['events_url', '/events'],
      ['forks_url', '/forks'],
      ['git_commits_url', '/git/commits{/sha}'],
      ['git_refs_url', '/git/refs{/sha}'],
      ['git_tags_url', '/git/tags{/sha}'],
      ['hooks_url', '/hooks'],
      ['issue_comment_url', '/issues/comments{/number}'],
      ['issue_events_url', '/issues/events{/number}'],
      ['issues_url', '/issues{/number}'],
      ['keys_url', '/keys{/key_id}'],
      ['labels_url', '/labels{/name}'],
      ['languages_url', '/languages'],
      ['merges_url', '/merges'],
      ['milestones_url', '/milestones{/number}'],
      ['notifications_url', '/notifications{?since,all,participating}'],
      ['pulls_url', '/pulls{/number}'],
      ['releases_url', '/releases{/id}'],
      ['stargazers_url', '/stargazers'],
      ['statuses_url', '/statuses/{sha}'],
      ['subscribers_url', '/subscribers'],
      ['subscription_url', '/subscription'],
      ['tags_url', '/tags'],
      ['teams_url', '/teams'],
      ['trees_url', '/git/trees{/sha}'],
    ].map(([k, suffix]) => [k, `${r}${suffix}`]),
  );
  return {
    id: 4242,
    node_id: nodeId('Repository', 4242),
    name: c.repo,
    full_name: `${c.owner}/${c.repo}`,
    owner: userResource(c, c.owner, 1),
    private: true,
    html_url: `${web}/${c.owner}/${c.repo}`,
    description: 'cluster repository',
    fork: false,
    url: r,
    ...urls,
    clone_url: `${web}/${c.owner}/${c.repo}.git`,
    git_url: `git://github.example/${c.owner}/${c.repo}.git`,
    ssh_url: `git@github.example:${c.owner}/${c.repo}.git`,
    svn_url: `${web}/${c.owner}/${c.repo}`,
    mirror_url: null,
    homepage: null,
    language: null,
    forks: 0,
    forks_count: 0,
    stargazers_count: 0,
    watchers: 0,
    watchers_count: 0,
    size: 1,
    default_branch: c.defaultBranch,
    open_issues: 0,
    open_issues_count: 0,
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_downloads: false,
    archived: false,
    disabled: false,
    license: null,
    pushed_at: CREATED,
    created_at: CREATED,
    updated_at: CREATED,
  };
};
