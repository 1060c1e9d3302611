import { afterEach, describe, expect, it } from 'vitest';
import { BitbucketGitHost } from '../../../functions/adapters/git-hosts/bitbucket/adapter';
import {
  BitbucketClient,
  type BitbucketClientOptions,
} from '../../../functions/adapters/git-hosts/bitbucket/http-client';
import { SnapshotCache } from '../../../functions/adapters/git-hosts/bitbucket/snapshot-cache';
import { GitHostError } from '../../../functions/ports/git-host-error';
import {
  type BitbucketApiServer,
  type BitbucketApiServerOptions,
  startBitbucketApiServer,
} from '../../support/bitbucket-api-server';
import { describeGitHostContract } from '../../support/git-host-contract';

const SEED = {
  'README.md': '# cluster\n',
  'environments/dev/kustomization.yaml': 'resources: []\n',
  'charts/demo/1.0.0/Chart.yaml': 'apiVersion: v2\nname: demo\nversion: 1.0.0\n',
};

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

interface Fixture {
  readonly server: BitbucketApiServer;
  readonly host: BitbucketGitHost;
  /** `METHOD /path status` of every HTTP request the client sent. */
  readonly clientRequests: string[];
}

const open: Fixture[] = [];

const hostFor = (
  server: BitbucketApiServer,
  clientOptions: Partial<BitbucketClientOptions> = {},
  cache = new SnapshotCache(),
): { host: BitbucketGitHost; clientRequests: string[] } => {
  const clientRequests: string[] = [];
  const client = new BitbucketClient({
    auth: { kind: 'token', token: server.token },
    baseUrl: server.url,
    backoffMs: 10,
    ...clientOptions,
    onRequest: (event) => {
      clientRequests.push(`${event.method} ${new URL(event.url).pathname} ${event.status}`);
      clientOptions.onRequest?.(event);
    },
  });
  const host = new BitbucketGitHost({
    client,
    repository: { workspace: server.workspace, slug: server.repo },
    cache,
  });
  return { host, clientRequests };
};

const start = async (
  serverOptions: BitbucketApiServerOptions = {},
  clientOptions: Partial<BitbucketClientOptions> = {},
): Promise<Fixture> => {
  const server = await startBitbucketApiServer({ seed: SEED, ...serverOptions });
  const fixture = { server, ...hostFor(server, clientOptions) };
  open.push(fixture);
  return fixture;
};

afterEach(async () => {
  const fixtures = open.splice(0);
  const errors = fixtures.flatMap(({ server }) => server.validationErrors());
  for (const { server } of fixtures) await server.close();
  // Every request the adapter made, and every answer, matched Bitbucket's OpenAPI description.
  expect(errors).toEqual([]);
});

export const failure = (promise: Promise<unknown>): Promise<GitHostError> =>
  promise.then(
    () => {
      throw new Error('expected a GitHostError');
    },
    (error: unknown) => {
      expect(error).toBeInstanceOf(GitHostError);
      return error as GitHostError;
    },
  );

describeGitHostContract('Bitbucket Cloud API', async (seed) => {
  const server = await startBitbucketApiServer({ seed });
  const { host } = hostFor(server);
  return {
    host,
    branch: server.branch,
    git: (...args) => server.git(...args),
    competingCommit: (path, content) => server.competingCommit(path, content),
    close: async () => {
      const errors = server.validationErrors();
      await server.close();
      expect(errors).toEqual([]);
    },
  };
});

describe('BitbucketGitHost smoke', () => {
  it('commits one file', async () => {
    const { server, host } = await start();
    const head = await server.git('rev-parse', 'main');
    const result = await host.commit('main', head, {
      message: 'm',
      changes: [{ path: 'a.txt', content: text('a') }],
    });
    expect(await server.git('rev-parse', 'main')).toBe(result.sha);
  });
});
