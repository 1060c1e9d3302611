import { PromoterError } from '../../../errors';
import { defineGitHost, type GitHostSettings } from '../descriptor';
import type { GitHubClientOptions } from './github-client';

/** GitHub's owner (≤ 39) and repository (≤ 100) name alphabets. */
const GITHUB_REPOSITORY = /^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/;

type Tuning = Omit<Partial<GitHubClientOptions>, 'auth' | 'baseUrl'>;
const NUMERIC = [
  'rateLimitRetries',
  'maxRetryAfterSeconds',
  'serverErrorRetries',
  'serverErrorBackoffMs',
  'writeSpacingMs',
  'requestTimeoutMs',
] as const;

/**
 * `settings.tuning` keys read (tests and benchmarks against the local GitHub API server): the numeric
 * options of createGitHubClient (e.g. `writeSpacingMs: 0`, since GitHub's pacing of content-creating
 * requests would only measure a sleep locally), `log`, `userAgent` and `onRequest` (called beside the
 * request counter).
 */
const tuningOf = (tuning: GitHostSettings['tuning']): Tuning => {
  if (tuning === undefined) return {};
  const picked: Record<string, unknown> = {};
  for (const key of NUMERIC) if (typeof tuning[key] === 'number') picked[key] = tuning[key];
  if (typeof tuning.userAgent === 'string') picked.userAgent = tuning.userAgent;
  if (typeof tuning.log === 'object' && tuning.log !== null) picked.log = tuning.log;
  if (typeof tuning.onRequest === 'function') picked.onRequest = tuning.onRequest;
  return picked as Tuning;
};

/**
 * GitHub and GitHub Enterprise Server, through the REST and GraphQL APIs (no clone): Octokit with the
 * throttling and retry plugins (github-client.ts), the adapter in github-git-host.ts. Requests are
 * counted by the client's `onRequest` hook; `settings.fetch` is not used (the client brings its own
 * fetch with a deadline per request).
 */
export const githubHost = defineGitHost({
  kind: 'github',
  displayName: 'GitHub',
  repositoryFormat: 'owner/name',
  repositoryProblems: (repository) => (GITHUB_REPOSITORY.test(repository) ? [] : ['must be "owner/name"']),
  defaultBaseUrl: 'https://api.github.com',
  customBaseUrl: true,
  credentialKinds: ['token', 'github-app'],
  credentialsFormat:
    '{"appId", "installationId", "privateKey"} (a GitHub App: Contents, Pull requests and Issues read and write) or {"token"} (a fine-grained token with the same permissions)',
  anonymous: false,
  pullRequestNoun: 'pull request',
  create: async (settings) => {
    const credentials = settings.credentials;
    if (credentials === undefined || credentials.kind === 'basic')
      throw new PromoterError(
        'CONFIG_INVALID',
        'terminal',
        'the github host needs a token or GitHub App credentials secret',
      );
    const { createGitHubClient } = await import('./github-client');
    const { GitHubGitHost } = await import('./github-git-host');
    const { onRequest, ...tuning } = tuningOf(settings.tuning);
    let requests = 0;
    const octokit = createGitHubClient({
      ...tuning,
      auth: credentials.kind === 'token' ? { token: credentials.token } : credentials,
      ...(settings.baseUrl ? { baseUrl: settings.baseUrl } : {}),
      onRequest: (event) => {
        requests++;
        onRequest?.(event);
      },
    });
    const [owner, repo] = settings.repository.split('/') as [string, string];
    return { host: new GitHubGitHost({ octokit, owner, repo }), requests: () => requests };
  },
});
