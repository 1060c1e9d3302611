import type { GitHostDescriptor } from '../descriptor';
import { BITBUCKET_CLOUD_API, REPOSITORY_FORMAT, repositoryProblems } from './repository';

/**
 * Bitbucket Cloud (bitbucket.org), through its REST API 2.0: reads, one-request commits with
 * compare-and-swap, pull requests.
 *
 * - Repository: `workspace/repo_slug`.
 * - API root: https://api.bitbucket.org/2.0. No custom base URL is configurable: Bitbucket Data Center
 *   (self-hosted) speaks another API (`/rest/api/1.0`), so a base URL could only point at something
 *   that is not Bitbucket Cloud. `create` still honours `settings.baseUrl` for the local stand-in and
 *   tests (and a forward proxy wired in code), never from configuration.
 * - Credentials: `token` (repository, project or workspace access token, sent as Bearer) or `basic`
 *   (Bitbucket username + app password, or Atlassian account e-mail + API token).
 */
export const bitbucketDescriptor: GitHostDescriptor = {
  kind: 'bitbucket',
  displayName: 'Bitbucket Cloud',
  repositoryFormat: REPOSITORY_FORMAT,
  repositoryProblems,
  defaultBaseUrl: BITBUCKET_CLOUD_API,
  customBaseUrl: false,
  credentialKinds: ['token', 'basic'],
  anonymous: false,
  pullRequestNoun: 'pull request',
  create: async (settings) => {
    const { createBitbucketWiring } = await import('./adapter');
    return createBitbucketWiring(settings);
  },
};
