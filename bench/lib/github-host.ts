import { tmpdir } from 'node:os';
import { createGitHost } from '../../functions/adapters/git-hosts/registry';
import type { GitHost } from '../../functions/ports/git-host';
import type { GitHubApiServer } from '../../test/support/github-api-server';

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/**
 * The production GitHub adapter, built through the Git-host registry as the Lambda compositions build
 * it, against the local GitHub API server (optionally through a byte meter at `origin`). Write pacing
 * off: GitHub asks for ~1 s between content-creating requests and the production client keeps that
 * default (createGitHubClient's writeSpacingMs, 1,000 ms); against a local server it would only
 * measure a sleep. The pacing is accounted for in the throughput scenario.
 */
export const benchGitHubHost = async (server: GitHubApiServer, origin = server.url): Promise<GitHost> =>
  (
    await createGitHost('github', {
      repository: `${server.owner}/${server.repo}`,
      baseUrl: origin,
      credentials: { kind: 'token', token: server.token },
      workDir: tmpdir(),
      tuning: { writeSpacingMs: 0, serverErrorRetries: 0, log: quiet },
    })
  ).host;

/** Requests the server answered, failing loudly if any broke GitHub's OpenAPI description. */
export const assertValid = (server: GitHubApiServer): void => {
  const errors = server.validationErrors();
  if (errors.length > 0) throw new Error(`fake GitHub saw invalid traffic:\n${errors.join('\n')}`);
};
