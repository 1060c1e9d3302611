import type { S3Client } from '@aws-sdk/client-s3';
import {
  createGitHubClient,
  type GitHubRequestEvent,
} from '../../functions/adapters/git-hosts/github/github-client';
import { GitHubGitHost } from '../../functions/adapters/git-hosts/github/github-git-host';
import { type FaultProxy, startFaultProxy } from './fault-proxy';
import { type GitHubApiServer, startGitHubApiServer } from './github-api-server';
import { type Wiring, wirePipeline } from './pipeline/queue-rig';

/**
 * The pipeline against the local GitHub API server through the real Octokit client (throttling and
 * retry plugins), with the fault proxy in between: status faults come from the server itself
 * (`failNext`, shaped as GitHub sends them), network faults (dropped connections) from the proxy.
 */

export interface GitHubRig {
  readonly server: GitHubApiServer;
  readonly proxy: FaultProxy;
  readonly wiring: Wiring;
  /** Every HTTP request the client sent, as its onRequest hook saw it. */
  readonly requests: GitHubRequestEvent[];
  /** Everything Octokit itself logged. */
  readonly octokitLog: string[];
  close(): Promise<void>;
}

export const SEED = { 'README.md': '# cluster repository\n' };

export const startGitHubRig = async (options: {
  readonly s3: S3Client;
  readonly token?: string;
  /** Longest retry-after the client waits for inside an invocation. @default 3 */
  readonly maxRetryAfterSeconds?: number;
}): Promise<GitHubRig> => {
  const server = await startGitHubApiServer({
    seed: SEED,
    ...(options.token ? { token: options.token } : {}),
  });
  const proxy = await startFaultProxy({ upstream: server.url });
  const requests: GitHubRequestEvent[] = [];
  const octokitLog: string[] = [];
  const record =
    (level: string) =>
    (message: string, ...more: unknown[]) =>
      octokitLog.push(
        `${level} ${message} ${more.map((m) => (m instanceof Error ? `${m.message} ${m.stack}` : JSON.stringify(m))).join(' ')}`,
      );
  const octokit = createGitHubClient({
    auth: { token: server.token },
    baseUrl: proxy.url,
    writeSpacingMs: 0,
    serverErrorBackoffMs: 20,
    maxRetryAfterSeconds: options.maxRetryAfterSeconds ?? 3,
    onRequest: (event) => requests.push(event),
    log: { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') },
  });
  const host = new GitHubGitHost({ octokit, owner: server.owner, repo: server.repo });
  const wiring = wirePipeline({ client: options.s3, host, gitHostRequests: () => requests.length });
  return {
    server,
    proxy,
    wiring,
    requests,
    octokitLog,
    close: async () => {
      await proxy.close();
      await server.close();
    },
  };
};

/** Route keys of the local server (`failNext({ route })`). */
export const ROUTES = {
  graphql: 'POST /graphql',
  createTree: 'POST /repos/{owner}/{repo}/git/trees',
  createCommit: 'POST /repos/{owner}/{repo}/git/commits',
  updateRef: 'PATCH /repos/{owner}/{repo}/git/refs/{ref}',
} as const;
