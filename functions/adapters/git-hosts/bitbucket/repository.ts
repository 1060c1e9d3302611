/**
 * Bitbucket Cloud repositories are named `workspace/repo_slug`: the workspace ID and the repository
 * slug as they appear in https://bitbucket.org/<workspace>/<repo_slug>. The API also takes either part
 * as a UUID in curly braces (path parameters `workspace` and `repo_slug` of the OpenAPI description).
 * Slugs are lower-case letters, digits, `-`, `_` and `.`; upper case is accepted here and left to
 * Bitbucket, which resolves slugs case-insensitively in URLs.
 */

export interface BitbucketRepository {
  readonly workspace: string;
  readonly slug: string;
}

export const REPOSITORY_FORMAT = 'workspace/repo_slug';

const SLUG = /^[A-Za-z0-9_.-]+$/;
const UUID = /^\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}$/;

const partProblems = (label: string, part: string): string[] => {
  if (part === '') return [`the ${label} is empty`];
  if (UUID.test(part)) return [];
  if (part === '.' || part === '..') return [`the ${label} cannot be "${part}"`];
  if (!SLUG.test(part))
    return [`the ${label} "${part}" may only hold letters, digits, "-", "_" and "." (or be a {UUID})`];
  return [];
};

/** Problems with `repository` as a Bitbucket Cloud repository name; [] when fine. Pure. */
export const repositoryProblems = (repository: string): string[] => {
  if (/^[a-z]+:\/\//i.test(repository) || repository.startsWith('git@'))
    return [`write the repository as ${REPOSITORY_FORMAT} (e.g. acme/cluster), not as a URL: ${repository}`];
  const parts = repository.split('/');
  if (parts.length !== 2)
    return [`a Bitbucket repository is ${REPOSITORY_FORMAT} (one "/"), got "${repository}"`];
  const [workspace, slug] = parts as [string, string];
  const problems = [...partProblems('workspace', workspace), ...partProblems('repository slug', slug)];
  if (slug.endsWith('.git')) problems.push(`drop ".git" from the repository slug: ${slug.slice(0, -4)}`);
  return problems;
};

/** Splits a repository name that `repositoryProblems` accepted. */
export const parseRepository = (repository: string): BitbucketRepository => {
  const problems = repositoryProblems(repository);
  if (problems.length > 0) throw new RangeError(problems.join('; '));
  const [workspace, slug] = repository.split('/') as [string, string];
  return { workspace, slug };
};

/** Bitbucket Cloud's API root. */
export const BITBUCKET_CLOUD_API = 'https://api.bitbucket.org/2.0';
