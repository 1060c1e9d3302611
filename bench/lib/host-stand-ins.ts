import { tmpdir } from 'node:os';
import type { GitHostSettings } from '../../functions/adapters/git-hosts/descriptor';
import { startBitbucketApiServer } from '../../test/support/bitbucket-api-server';
import { startGitHubApiServer } from '../../test/support/github-api-server';
import { startGitLabApiServer } from '../../test/support/gitlab-api-server';

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** A Git host's local stand-in over a real repository, as the benchmarks drive it. */
export interface HostStandIn {
  readonly kind: 'github' | 'bitbucket' | 'gitlab';
  readonly branch: string;
  /** Settings for the host's descriptor; `cold` gives the host nothing a previous one learnt. */
  settings(cold: boolean): GitHostSettings;
  /** Requests the stand-in answered since the last reset, by route. */
  counts(): Record<string, number>;
  total(): number;
  reset(): void;
  /** Stops the server; throws when any request or answer broke the host's API description. */
  close(): Promise<void>;
}

export const HOST_KINDS = ['github', 'bitbucket', 'gitlab'] as const;

const closer =
  (server: { validationErrors(): readonly string[]; close(): Promise<void> }, kind: string) => async () => {
    const errors = server.validationErrors();
    await server.close();
    if (errors.length > 0) throw new Error(`the ${kind} stand-in saw invalid traffic:\n${errors.join('\n')}`);
  };

/**
 * Starts the stand-in of `kind` seeded with `seed`. Retries and pacing are tuned for a local server
 * (GitHub's ~1 s between content-creating requests would only measure a sleep); none of it changes
 * how many requests an operation sends when nothing fails.
 */
export const startHostStandIn = async (
  kind: HostStandIn['kind'],
  seed: Readonly<Record<string, string>>,
): Promise<HostStandIn> => {
  const workDir = tmpdir();
  if (kind === 'github') {
    const server = await startGitHubApiServer({ seed });
    return {
      kind,
      branch: server.branch,
      settings: () => ({
        repository: `${server.owner}/${server.repo}`,
        baseUrl: server.url,
        credentials: { kind: 'token', token: server.token },
        workDir,
        tuning: { writeSpacingMs: 0, log: quiet },
      }),
      counts: () => server.counts(),
      total: () => server.total(),
      reset: () => server.reset(),
      close: closer(server, kind),
    };
  }
  if (kind === 'bitbucket') {
    const server = await startBitbucketApiServer({ seed });
    return {
      kind,
      branch: server.branch,
      settings: (cold) => ({
        repository: `${server.workspace}/${server.repo}`,
        baseUrl: server.url,
        credentials: { kind: 'token', token: server.token },
        workDir,
        tuning: { backoffMs: 10, ...(cold ? { sharedCache: false } : {}) },
      }),
      counts: () => server.counts(),
      total: () => server.total(),
      reset: () => server.reset(),
      close: closer(server, kind),
    };
  }
  const server = await startGitLabApiServer({ seed });
  return {
    kind,
    branch: server.branch,
    settings: () => ({
      repository: server.projectPath,
      baseUrl: server.url,
      credentials: { kind: 'token', token: server.token },
      workDir,
      tuning: { serverErrorBackoffMs: 10 },
    }),
    counts: () => server.counts(),
    total: () => server.total(),
    reset: () => server.reset(),
    close: closer(server, kind),
  };
};
