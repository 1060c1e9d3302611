import { defineGitHost, type GitHostSettings } from '../descriptor';
import type { BitbucketClientOptions } from './http-client';
import { BITBUCKET_CLOUD_API, REPOSITORY_FORMAT, repositoryProblems } from './repository';

type Tuning = Omit<Partial<BitbucketClientOptions>, 'auth' | 'baseUrl' | 'fetch'>;
const NUMERIC = [
  'rateLimitRetries',
  'maxRetryAfterSeconds',
  'serverErrorRetries',
  'backoffMs',
  'requestTimeoutMs',
] as const;

/**
 * `settings.tuning` keys read (tests, benchmarks and the local runtime against the Bitbucket stand-in):
 * the numeric options of BitbucketClient (`backoffMs: 10` so a retried 5xx does not wait a second),
 * `userAgent`, and `onRequest` (called beside the request counter). `sharedCache: false` (read by
 * adapter.ts) starts the host with an empty snapshot cache instead of the process's.
 */
const tuningOf = (tuning: GitHostSettings['tuning']): Tuning => {
  if (tuning === undefined) return {};
  const picked: Record<string, unknown> = {};
  for (const key of NUMERIC) if (typeof tuning[key] === 'number') picked[key] = tuning[key];
  if (typeof tuning.userAgent === 'string') picked.userAgent = tuning.userAgent;
  if (typeof tuning.onRequest === 'function') picked.onRequest = tuning.onRequest;
  return picked as Tuning;
};

/**
 * Bitbucket Cloud (bitbucket.org), through its REST API 2.0: reads, one-request commits with
 * compare-and-swap, pull requests (adapter.ts).
 *
 * - Repository: `workspace/repo_slug`.
 * - API root: https://api.bitbucket.org/2.0. No custom base URL is configurable: Bitbucket Data Center
 *   (self-hosted) speaks another API (`/rest/api/1.0`), so a base URL could only point at something
 *   that is not Bitbucket Cloud. `create` still honours `settings.baseUrl` for the local stand-in
 *   (`demo --host bitbucket`) and tests, never from configuration (the registry refuses it there).
 * - Credentials: `token` (repository, project or workspace access token, sent as Bearer) or `basic`
 *   (Atlassian account e-mail + API token with scopes, or Bitbucket username + app password).
 */
export const bitbucketHost = defineGitHost({
  kind: 'bitbucket',
  displayName: 'Bitbucket Cloud',
  repositoryFormat: REPOSITORY_FORMAT,
  repositoryProblems,
  defaultBaseUrl: BITBUCKET_CLOUD_API,
  customBaseUrl: false,
  credentialKinds: ['token', 'basic'],
  credentialsFormat:
    '{"token"} (a repository, project or workspace access token: scopes repository:write and pullrequest:write) or {"username", "password"} (the Atlassian account e-mail and an API token with scopes write:repository:bitbucket and write:pullrequest:bitbucket; or a username and app password: Repositories write, Pull requests write)',
  anonymous: false,
  pullRequestNoun: 'pull request',
  create: async (settings) => {
    const { createBitbucketWiring } = await import('./adapter');
    return createBitbucketWiring(settings, tuningOf(settings.tuning));
  },
});
