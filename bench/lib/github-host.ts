import { createGitHubClient } from '../../functions/adapters/git-hosts/github/github-client';
import { GitHubGitHost } from '../../functions/adapters/git-hosts/github/github-git-host';
import type { GitHubApiServer } from '../../test/support/github-api-server';

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/**
 * The production GitHub adapter against the local GitHub API server (optionally through a byte meter
 * at `origin`). Write pacing off: GitHub asks for ~1 s between content-creating requests and the
 * production client keeps that default (createGitHubClient's writeSpacingMs, 1,000 ms); against a
 * local server it would only measure a sleep. The pacing is accounted for in the throughput scenario.
 */
export const benchGitHubHost = (server: GitHubApiServer, origin = server.url): GitHubGitHost =>
  new GitHubGitHost({
    octokit: createGitHubClient({
      auth: { token: server.token },
      baseUrl: origin,
      writeSpacingMs: 0,
      serverErrorRetries: 0,
      log: quiet,
    }),
    owner: server.owner,
    repo: server.repo,
  });

/** Requests the server answered, failing loudly if any broke GitHub's OpenAPI description. */
export const assertValid = (server: GitHubApiServer): void => {
  const errors = server.validationErrors();
  if (errors.length > 0) throw new Error(`fake GitHub saw invalid traffic:\n${errors.join('\n')}`);
};
