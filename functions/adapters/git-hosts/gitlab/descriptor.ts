import { PromoterError } from '../../../errors';
import { defineGitHost, type GitHostSettings } from '../descriptor';
import type { GitLabTransportOptions } from './transport';

/**
 * GitLab.com and self-managed GitLab. Repository: the project's full path, `group/subgroup/project`
 * (URL-encoded as the REST `:id`: https://docs.gitlab.com/api/rest/#namespaced-paths). Base URL: the
 * instance root (`https://gitlab.com`, `https://git.example.com`, or with a relative URL root
 * `https://example.com/gitlab`); REST is under `/api/v4`, GraphQL at `/api/graphql`, git at
 * `/<project>.git` (the adapter needs git over HTTPS: it moves branches with receive-pack). Credentials:
 * a personal, project or group access token with scope `api` (`{"token": "glpat-…"}`), sent as
 * `PRIVATE-TOKEN` to REST, `Authorization: Bearer` to GraphQL and as the HTTP Basic password to git.
 */

export const GITLAB_DEFAULT_BASE_URL = 'https://gitlab.com';

/**
 * GitLab's rules for a namespace or project path (lib/gitlab/path_regex.rb: letters, digits, `_`,
 * `-`, `.`; starting with a letter, digit or `_`; not ending in `.git` or `.atom`), and at most 20
 * levels of subgroups (https://docs.gitlab.com/user/group/subgroups/).
 */
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const MAX_SEGMENTS = 21;

export const gitlabRepositoryProblems = (repository: string): string[] => {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(repository) || repository.startsWith('git@')) {
    return [
      `${JSON.stringify(repository)} is a URL: give the project path (group/subgroup/project) and the instance as the base URL`,
    ];
  }
  const segments = repository.split('/');
  if (segments.length < 2) return [`${JSON.stringify(repository)} is not group/project (at least one group)`];
  if (segments.length > MAX_SEGMENTS)
    return [`${JSON.stringify(repository)} nests deeper than GitLab's 20 levels of subgroups`];
  const problems: string[] = [];
  for (const segment of segments) {
    if (segment === '') problems.push(`${JSON.stringify(repository)} has an empty path segment`);
    else if (!SEGMENT.test(segment) || /\.(git|atom)$/i.test(segment) || segment.includes('..'))
      problems.push(
        `${JSON.stringify(segment)} in ${JSON.stringify(repository)} is not a GitLab path (letters, digits, '_', '-', '.'; not starting with '-' or '.', not ending in .git or .atom)`,
      );
  }
  return problems;
};

/**
 * The base URL is the instance root: a pasted API root (`…/api/v4`) is accepted and cut back; a query,
 * a fragment or credentials in the URL are refused (the token belongs in the credentials secret).
 */
export const gitlabBaseUrlProblems = (baseUrl: string): string[] => {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return ['must be a URL (the GitLab instance root, e.g. https://gitlab.example.com)'];
  }
  const problems: string[] = [];
  if (url.username !== '' || url.password !== '')
    problems.push('must not hold credentials (the token goes in the credentials secret)');
  if (url.search !== '' || url.hash !== '')
    problems.push('must be the instance root, without a query or fragment');
  if (/\/api\/graphql\/?$|\/api\/v[0-35-9]\/?$/.test(url.pathname))
    problems.push('must be the instance root (e.g. https://gitlab.example.com), not an API path');
  return problems;
};

/** The instance root from what a user may paste: trailing slashes and an `/api/v4` suffix are dropped. */
export const gitlabInstanceRoot = (baseUrl: string | undefined): string =>
  (baseUrl ?? GITLAB_DEFAULT_BASE_URL).replace(/\/+$/, '').replace(/\/api\/v4$/, '');

type Tuning = Omit<GitLabTransportOptions, 'fetch'>;
const NUMERIC = [
  'requestTimeoutMs',
  'rateLimitRetries',
  'maxRetryAfterSeconds',
  'serverErrorRetries',
  'serverErrorBackoffMs',
] as const;

/**
 * `settings.tuning` keys read (tests, benchmarks and the local runtime against the GitLab stand-in): the
 * numeric options of the transport (transport.ts; e.g. `serverErrorBackoffMs: 10`), and `onRequest`.
 */
const tuningOf = (tuning: GitHostSettings['tuning']): Tuning => {
  if (tuning === undefined) return {};
  const picked: Record<string, unknown> = {};
  for (const key of NUMERIC) if (typeof tuning[key] === 'number') picked[key] = tuning[key];
  if (typeof tuning.onRequest === 'function') picked.onRequest = tuning.onRequest;
  return picked as Tuning;
};

export const gitlabHost = defineGitHost({
  kind: 'gitlab',
  displayName: 'GitLab',
  repositoryFormat: 'group/subgroup/project',
  repositoryProblems: gitlabRepositoryProblems,
  defaultBaseUrl: GITLAB_DEFAULT_BASE_URL,
  customBaseUrl: true,
  baseUrlProblems: gitlabBaseUrlProblems,
  credentialKinds: ['token'],
  credentialsFormat:
    '{"token"} (a project, group or personal access token with scope api, of a user or bot with the Developer role or one that may push to the branch)',
  anonymous: false,
  pullRequestNoun: 'merge request',
  create: async (settings) => {
    const problems = [
      ...gitlabRepositoryProblems(settings.repository),
      ...(settings.baseUrl === undefined ? [] : gitlabBaseUrlProblems(settings.baseUrl)),
    ];
    if (problems.length > 0)
      throw new PromoterError('CONFIG_INVALID', 'terminal', `GitLab settings: ${problems.join('; ')}`);
    if (settings.credentials?.kind !== 'token') {
      throw new PromoterError(
        'CONFIG_INVALID',
        'terminal',
        `GitLab needs an access token ({"token": "…"} in the credentials secret, scope api); got ${settings.credentials?.kind ?? 'none'}`,
      );
    }
    const [{ GitLabGitHost }, { GitLabApi }, { GitLabTransport }] = await Promise.all([
      import('./adapter'),
      import('./api'),
      import('./transport'),
    ]);
    const transport = new GitLabTransport({
      ...tuningOf(settings.tuning),
      ...(settings.fetch ? { fetch: settings.fetch } : {}),
    });
    const api = new GitLabApi({
      baseUrl: gitlabInstanceRoot(settings.baseUrl),
      projectPath: settings.repository,
      token: settings.credentials.token,
      transport,
    });
    return { host: new GitLabGitHost({ api }), requests: () => transport.requests() };
  },
});
