import { tmpdir } from 'node:os';
import type { GitHostSettings } from '../functions/adapters/git-hosts/descriptor';
import { startBitbucketApiServer } from '../test/support/bitbucket-api-server';
import { startGitHubApiServer } from '../test/support/github-api-server';
import { startGitLabApiServer } from '../test/support/gitlab-api-server';

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/**
 * A Git host's local stand-in over a real bare repository: the very servers the tests run the adapters
 * against (test/support/*-api-server, each checked against the host's API description), started for
 * `demo --host` / `local --host` and for the benchmarks. The only module outside test/ and bench/
 * that imports test code (test/support/import-rules.ts).
 */
export interface HostStandIn {
  readonly kind: StandInKind;
  readonly branch: string;
  /** The stand-in's bare repository (read with plain git for the environments table and the board). */
  readonly repoDir: string;
  /** Where it listens and which repository it holds, for the demo's banner. */
  readonly description: string;
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
export type StandInKind = (typeof HOST_KINDS)[number];

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
  kind: StandInKind,
  seed: Readonly<Record<string, string>>,
): Promise<HostStandIn> => {
  const workDir = tmpdir();
  if (kind === 'github') {
    const server = await startGitHubApiServer({ seed });
    return {
      kind,
      branch: server.branch,
      repoDir: server.repoDir,
      description: `local GitHub API stand-in ${server.url} (${server.owner}/${server.repo})`,
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
      repoDir: server.repoDir,
      description: `local Bitbucket Cloud API stand-in ${server.url} (${server.workspace}/${server.repo})`,
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
    repoDir: server.repoDir,
    description: `local GitLab API stand-in ${server.url} (${server.projectPath})`,
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
