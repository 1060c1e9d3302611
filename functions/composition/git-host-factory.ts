import * as fs from 'node:fs';
import { PlainGitHost } from '../adapters/git-hosts/git/plain-git-host';
import { createGitHubClient } from '../adapters/git-hosts/github/github-client';
import { GitHubGitHost } from '../adapters/git-hosts/github/github-git-host';
import type { GitCredentials } from '../adapters/secrets-credentials';
import type { PromoteConfig } from '../config/promote-config';
import { PromoterError } from '../errors';
import type { GitHost } from '../ports/git-host';

export interface GitHostWiring {
  readonly host: GitHost;
  /** Monotonic count of HTTP requests sent to the host. */
  readonly requests: () => number;
}

/** Builds the configured GitHost from the typed config and the credentials read from the secret. */
export const createGitHost = (
  config: Pick<PromoteConfig, 'repository' | 'gitHostKind' | 'gitHostBaseUrl'>,
  credentials: GitCredentials | undefined,
  workDir: string,
): GitHostWiring => {
  if (config.gitHostKind === 'github') {
    if (!credentials || credentials.kind === 'basic') {
      throw new PromoterError(
        'CONFIG_INVALID',
        'terminal',
        'the github host needs a token or GitHub App credentials secret',
      );
    }
    let requests = 0;
    const octokit = createGitHubClient({
      auth: credentials.kind === 'token' ? { token: credentials.token } : credentials,
      ...(config.gitHostBaseUrl ? { baseUrl: config.gitHostBaseUrl } : {}),
      onRequest: () => {
        requests++;
      },
    });
    const [owner, repo] = config.repository.split('/') as [string, string];
    return { host: new GitHubGitHost({ octokit, owner, repo }), requests: () => requests };
  }
  const remote = config.repository.startsWith('/')
    ? { path: config.repository }
    : {
        url: config.repository,
        workDir,
        ...(credentials?.kind === 'token' ? { auth: { token: credentials.token } } : {}),
        ...(credentials?.kind === 'basic'
          ? { auth: { username: credentials.username, password: credentials.password } }
          : {}),
      };
  const host = new PlainGitHost({ remote, fs });
  return { host, requests: () => host.stats().requests };
};
