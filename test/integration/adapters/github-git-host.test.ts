import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createGitHubClient,
  type GitHubClientOptions,
} from '../../../functions/adapters/git-hosts/github/github-client';
import { createFirstCommit } from '../../../functions/adapters/git-hosts/github/github-first-commit';
import { GitHubGitHost } from '../../../functions/adapters/git-hosts/github/github-git-host';
import type { FileChange } from '../../../functions/ports/git-host';
import { treeId } from '../../../functions/ports/git-object-id';
import { describeGitHostContract, gitHostFailure } from '../../support/git-host-contract';
import {
  type GitHubApiServer,
  type GitHubApiServerOptions,
  startGitHubApiServer,
} from '../../support/github-api-server';

const SEED = {
  'README.md': '# cluster\n',
  'environments/dev/kustomization.yaml': 'resources: []\n',
  'charts/demo/1.0.0/Chart.yaml': 'apiVersion: v2\nname: demo\nversion: 1.0.0\n',
};

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

interface Fixture {
  readonly server: GitHubApiServer;
  readonly host: GitHubGitHost;
  /** HTTP requests the client sent, as seen by its onRequest hook. */
  readonly clientRequests: string[];
}

const open: Fixture[] = [];

const start = async (
  serverOptions: GitHubApiServerOptions = {},
  clientOptions: Partial<GitHubClientOptions> = {},
): Promise<Fixture> => {
  const server = await startGitHubApiServer({ seed: SEED, ...serverOptions });
  const clientRequests: string[] = [];
  const octokit = createGitHubClient({
    auth: { token: server.token },
    baseUrl: server.url,
    writeSpacingMs: 0,
    serverErrorBackoffMs: 10,
    log: quiet,
    onRequest: ({ method, url, status }) =>
      clientRequests.push(`${method} ${new URL(url).pathname} ${status}`),
    ...clientOptions,
  });
  const fixture = {
    server,
    host: new GitHubGitHost({ octokit, owner: server.owner, repo: server.repo }),
    clientRequests,
  };
  open.push(fixture);
  return fixture;
};

afterEach(async () => {
  const fixtures = open.splice(0);
  for (const { server } of fixtures) await server.close();
  // Every request the adapter made, and every answer, matched GitHub's OpenAPI description.
  expect(fixtures.flatMap(({ server }) => server.validationErrors())).toEqual([]);
});

describeGitHostContract('GitHub API', async (seed) => {
  const server = await startGitHubApiServer({ seed });
  const octokit = createGitHubClient({
    auth: { token: server.token },
    baseUrl: server.url,
    writeSpacingMs: 0,
    log: quiet,
  });
  return {
    host: new GitHubGitHost({ octokit, owner: server.owner, repo: server.repo }),
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

describe('GitHubGitHost request budget', () => {
  it('reads a snapshot in one GraphQL request and commits a few text files in three more', async () => {
    // Prepare
    const { server, host, clientRequests } = await start();
    // Act
    const snapshot = await host.snapshot('main', {
      files: ['README.md', 'environments/dev/kustomization.yaml'],
      trees: ['charts/demo/1.0.0'],
    });
    const result = await host.commit('main', snapshot.head, {
      message: 'promote demo 1.1.0 to dev',
      changes: [
        {
          path: 'charts/demo/1.1.0/Chart.yaml',
          content: text('apiVersion: v2\nname: demo\nversion: 1.1.0\n'),
        },
        { path: 'charts/demo/1.1.0/values.yaml', content: text('replicas: 1\n') },
        { path: 'environments/dev/demo.yaml', content: text('kind: HelmRelease\n') },
      ],
    });
    // Assess
    expect(server.counts()).toEqual({
      'POST /graphql': 1,
      'POST /repos/{owner}/{repo}/git/trees': 1,
      'POST /repos/{owner}/{repo}/git/commits': 1,
      'PATCH /repos/{owner}/{repo}/git/refs/{ref}': 1,
    });
    expect(clientRequests).toHaveLength(server.total());
    expect(await server.git('rev-parse', 'main')).toBe(result.sha);
    console.info(`request budget, snapshot + 3-file commit: ${server.total()} requests`, server.counts());
  });

  it('reads the head commit once when it did not come from a snapshot, and adds one request per binary file', async () => {
    // Prepare
    const { server, host } = await start();
    const head = await server.git('rev-parse', 'main');
    // Act
    await host.commit('main', head, {
      message: 'two binaries',
      changes: [
        { path: 'a.txt', content: text('a\n') },
        { path: 'logo.png', content: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]) },
        { path: 'latin1.txt', content: new Uint8Array([0x63, 0x61, 0x66, 0xe9]) },
      ],
    });
    // Assess
    expect(server.counts()).toEqual({
      'GET /repos/{owner}/{repo}/git/commits/{commit_sha}': 1,
      'POST /repos/{owner}/{repo}/git/blobs': 2,
      'POST /repos/{owner}/{repo}/git/trees': 1,
      'POST /repos/{owner}/{repo}/git/commits': 1,
      'PATCH /repos/{owner}/{repo}/git/refs/{ref}': 1,
    });
    expect(await server.git('cat-file', '-s', 'main:latin1.txt')).toBe('4');
  });

  it('commits a 100-chart change set (2 000 files, 4 MB) in at most 10 requests, split into several create-tree calls', async () => {
    // Prepare
    const { server, host } = await start();
    const charts = Array.from({ length: 100 }, (_, c) =>
      Array.from({ length: 20 }, (_, f) => ({
        path: `templates/file-${f}.yaml`,
        data: text(`# chart ${c} file ${f}\n${'x'.repeat(2048 - 30)}\n`),
      })),
    );
    const changes: FileChange[] = charts.flatMap((files, c) =>
      files.map((f) => ({ path: `charts/c${c}/1.0.0/${f.path}`, content: f.data })),
    );
    // Act
    const { head } = await host.snapshot('main', { files: [], trees: [] });
    const { sha } = await host.commit('main', head, { message: 'a hundred charts', changes });
    // Assess
    expect(server.total()).toBeLessThanOrEqual(10);
    expect(server.counts()['POST /repos/{owner}/{repo}/git/trees']).toBeGreaterThan(1);
    for (const c of [0, 42, 99]) {
      expect(await server.git('rev-parse', `${sha}:charts/c${c}/1.0.0`)).toBe(treeId(charts[c]!));
    }
    expect(await server.git('rev-list', '--count', `${head}..${sha}`)).toBe('1');
    expect(await server.git('show', `${sha}:README.md`)).toBe('# cluster');
    await server.git('fsck', '--strict');
    console.info(`request budget, 100-chart change set: ${server.total()} requests`, server.counts());
  });
});

describe('GitHubGitHost snapshot edge cases', () => {
  it('falls back to one REST blob read for a file GraphQL truncates', async () => {
    // Prepare
    const big = `${'y'.repeat(300)}\n`;
    const { server, host } = await start({ seed: { ...SEED, 'big.yaml': big }, graphqlTextLimit: 200 });
    // Act
    const snapshot = await host.snapshot('main', { files: ['big.yaml', 'README.md'], trees: [] });
    // Assess
    expect(snapshot.files.get('big.yaml')).toBe(big);
    expect(snapshot.files.get('README.md')).toBe('# cluster\n');
    expect(server.counts()).toEqual({
      'POST /graphql': 1,
      'GET /repos/{owner}/{repo}/git/blobs/{file_sha}': 1,
    });
  });

  it('keeps the partial answer when GitHub reports each missing path as a NOT_FOUND error (a new chart version)', async () => {
    // Prepare: GitHub answers null + one top-level NOT_FOUND per missing alias (real-behaviours.ts).
    const { server, host } = await start();
    // Act
    const snapshot = await host.snapshot('main', {
      files: ['README.md', 'environments/dev/demo.yaml', 'environments/prod/kustomization.yaml'],
      trees: ['charts/demo/1.0.0', 'charts/demo/2.0.0'],
      directories: ['charts/demo', 'charts/other'],
    });
    // Assess
    expect(snapshot.head).toBe(await server.git('rev-parse', 'main'));
    expect(snapshot.files.get('README.md')).toBe('# cluster\n');
    expect(snapshot.files.get('environments/dev/demo.yaml')).toBeUndefined();
    expect(snapshot.files.get('environments/prod/kustomization.yaml')).toBeUndefined();
    expect(snapshot.trees.get('charts/demo/1.0.0')).toBe(
      await server.git('rev-parse', 'main:charts/demo/1.0.0'),
    );
    expect(snapshot.trees.get('charts/demo/2.0.0')).toBeUndefined();
    expect(snapshot.directories?.get('charts/demo')).toEqual(['1.0.0/Chart.yaml']);
    expect(snapshot.directories?.get('charts/other')).toBeUndefined();
    expect(server.counts()).toEqual({
      'POST /graphql': 1,
      'GET /repos/{owner}/{repo}/git/trees/{tree_sha}': 1,
    });
  });

  it('refuses a branch missing from a repository with commits: terminal NOT_FOUND naming the default branch', async () => {
    // Prepare
    const { server, host } = await start();
    // Act
    const error = await gitHostFailure(host.snapshot('mian', { files: ['README.md'], trees: ['charts'] }));
    // Assess
    expect(error.code).toBe('NOT_FOUND');
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(
      /branch mian does not exist in GitHub repository acme\/cluster \(its default branch is main\)/,
    );
    expect(error.message).toMatch(/create mian on GitHub first/);
    expect(server.total()).toBe(1);
  });

  it('reports a repository GitHub cannot resolve as a terminal NOT_FOUND that says the credentials may not see it', async () => {
    // Prepare
    const { server } = await start();
    const octokit = createGitHubClient({ auth: { token: server.token }, baseUrl: server.url, log: quiet });
    const host = new GitHubGitHost({ octokit, owner: server.owner, repo: 'nope' });
    // Act
    const error = await gitHostFailure(host.snapshot('main', { files: ['README.md'], trees: [] }));
    // Assess
    expect(error.code).toBe('NOT_FOUND');
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(
      /GitHub repository acme\/nope not found at http:\/\/127\.0\.0\.1:\d+, or these credentials cannot see it/,
    );
    expect(error.message).not.toMatch(/branch/);
  });

  it('gives an empty repository its first commit through the contents API, then the change set on top', async () => {
    // Prepare: no commit at all; the Git Data API answers 409 "Git Repository is empty." until there is one.
    const { server, host } = await start({ seed: {} });
    // Act
    const snapshot = await host.snapshot('main', {
      files: ['environments/dev/kustomization.yaml'],
      trees: ['charts'],
    });
    const result = await host.commit('main', snapshot.head, {
      message: 'promote demo 1.0.0 to dev',
      changes: [
        {
          path: 'charts/demo/1.0.0/Chart.yaml',
          content: text('apiVersion: v2\nname: demo\nversion: 1.0.0\n'),
        },
        { path: 'charts/demo/1.0.0/logo.png', content: new Uint8Array([0x89, 0x50, 0, 1]) },
      ],
    });
    // Assess: two commits, the README the contents API wrote, then the promotion with a parent.
    expect(snapshot.head).toBeUndefined();
    expect(snapshot.files.get('environments/dev/kustomization.yaml')).toBeUndefined();
    expect(await server.git('rev-parse', 'main')).toBe(result.sha);
    expect(await server.git('log', '--format=%s', 'main')).toBe(
      'promote demo 1.0.0 to dev\ninitialise the cluster repository',
    );
    expect(result.parent).toBe(await server.git('rev-parse', 'main~1'));
    expect(await server.git('ls-tree', '-r', '--name-only', 'main')).toBe(
      'README.md\ncharts/demo/1.0.0/Chart.yaml\ncharts/demo/1.0.0/logo.png',
    );
    expect(server.counts()).toEqual({
      'POST /graphql': 1,
      'POST /repos/{owner}/{repo}/git/blobs': 2, // the first answered 409
      'PUT /repos/{owner}/{repo}/contents/{path}': 1,
      'POST /repos/{owner}/{repo}/git/trees': 1,
      'POST /repos/{owner}/{repo}/git/commits': 1,
      'PATCH /repos/{owner}/{repo}/git/refs/{ref}': 1,
    });
    await server.git('fsck', '--strict');
  });

  it('sends a writer that lost the first commit of an empty repository back to re-read (BRANCH_MOVED)', async () => {
    // Prepare: two writers read the empty repository; the first lands.
    const { server, host } = await start({ seed: {} });
    const octokit = createGitHubClient({
      auth: { token: server.token },
      baseUrl: server.url,
      writeSpacingMs: 0,
      log: quiet,
    });
    const change = (path: string) => ({ message: path, changes: [{ path, content: text(`${path}\n`) }] });
    await host.commit('main', undefined, change('first.yaml'));
    // Act: the second writer, as if its 409 had come before the first writer's README…
    const lateInit = await gitHostFailure(createFirstCommit(octokit, server.owner, server.repo, 'main'));
    // …and as it goes when the repository already has its commit by then.
    const lateCommit = await gitHostFailure(host.commit('main', undefined, change('second.yaml')));
    // Assess
    expect(lateInit.code).toBe('BRANCH_MOVED');
    expect(lateCommit.code).toBe('BRANCH_MOVED');
    expect(await server.git('log', '--format=%s', 'main')).toBe(
      'first.yaml\ninitialise the cluster repository',
    );
  });
});

describe('GitHubGitHost failures', () => {
  it.each([
    { status: 429 as const, kind: 'secondary' as const },
    { status: 403 as const, kind: 'secondary' as const },
    { status: 403 as const, kind: 'primary' as const },
  ])(
    'waits out a $kind rate limit ($status) as retry-after asks, then succeeds',
    async ({ status, kind }) => {
      // Prepare
      const { server, host } = await start();
      const head = await server.git('rev-parse', 'main');
      server.failNext({ route: 'POST /repos/{owner}/{repo}/git/commits', status, kind, retryAfter: 1 });
      const started = Date.now();
      // Act
      const result = await host.commit('main', head, {
        message: 'm',
        changes: [{ path: 'a', content: text('a') }],
      });
      // Assess
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
      expect(await server.git('rev-parse', 'main')).toBe(result.sha);
      expect(server.counts()['POST /repos/{owner}/{repo}/git/commits']).toBe(2);
    },
  );

  it('gives up with a retryable RATE_LIMITED when retry-after is longer than it may wait', async () => {
    // Prepare
    const { server, host } = await start({}, { maxRetryAfterSeconds: 30 });
    server.failNext({ route: 'POST /graphql', status: 403, kind: 'secondary', retryAfter: 120 });
    // Act
    const error = await gitHostFailure(host.snapshot('main', { files: [], trees: [] }));
    // Assess
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.retryable).toBe(true);
  });

  it('retries a 502 and succeeds', async () => {
    // Prepare
    const { server, host } = await start();
    server.failNext({ route: 'POST /repos/{owner}/{repo}/git/trees', status: 502 });
    const head = await server.git('rev-parse', 'main');
    // Act
    const result = await host.commit('main', head, {
      message: 'm',
      changes: [{ path: 'a', content: text('a') }],
    });
    // Assess
    expect(await server.git('rev-parse', 'main')).toBe(result.sha);
    expect(server.counts()['POST /repos/{owner}/{repo}/git/trees']).toBe(2);
  });

  it('reports a 502 that does not go away as a retryable HOST_UNAVAILABLE after bounded retries', async () => {
    // Prepare
    const { server, host } = await start({}, { serverErrorRetries: 2 });
    server.failNext({ route: 'POST /graphql', status: 502, times: Number.POSITIVE_INFINITY });
    // Act
    const error = await gitHostFailure(host.snapshot('main', { files: ['README.md'], trees: [] }));
    // Assess
    expect(error.code).toBe('HOST_UNAVAILABLE');
    expect(error.retryable).toBe(true);
    expect(server.counts()['POST /graphql']).toBe(3);
  });

  it('abandons a request GitHub does not answer within requestTimeoutMs, retries it, and succeeds', async () => {
    // Prepare: one warm read (a loaded machine must not make the retry itself miss the deadline),
    // then the next request hangs; the client's timeout clears the latency for the retry.
    let server: GitHubApiServer | undefined;
    let hang = false;
    const statuses: (number | undefined)[] = [];
    const fixture = await start(
      {},
      {
        requestTimeoutMs: 1_500,
        onRequest: ({ status }) => {
          if (!hang) return;
          statuses.push(status);
          if (status === undefined) server?.setLatency(0);
        },
      },
    );
    server = fixture.server;
    await fixture.host.snapshot('main', { files: ['README.md'], trees: [] });
    hang = true;
    server.setLatency(20_000);
    server.reset();
    const started = Date.now();
    // Act
    const snapshot = await fixture.host.snapshot('main', { files: ['README.md'], trees: [] });
    // Assess: well before the hung request would have been answered.
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(snapshot.files.get('README.md')).toBe('# cluster\n');
    expect(statuses).toEqual([undefined, 200]);
    expect(server.counts()['POST /graphql']).toBe(2);
  });

  it('reports an API that keeps hanging as a retryable HOST_UNAVAILABLE within bounded time', async () => {
    // Prepare
    const { server, host, clientRequests } = await start(
      { latencyMs: 2_000 },
      { requestTimeoutMs: 200, serverErrorRetries: 2 },
    );
    const started = Date.now();
    // Act
    const error = await gitHostFailure(host.snapshot('main', { files: ['README.md'], trees: [] }));
    const elapsed = Date.now() - started;
    // Assess: 3 attempts of 200 ms plus 10 + 40 ms of backoff, far below the server's 2 s.
    expect(error.code).toBe('HOST_UNAVAILABLE');
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/timed out: no answer from GitHub within 200 ms \(POST .*\/graphql\)/);
    expect(elapsed).toBeGreaterThanOrEqual(600);
    expect(elapsed).toBeLessThan(1_900);
    expect(clientRequests).toEqual(Array(3).fill('POST /graphql undefined'));
    expect(server.counts()['POST /graphql']).toBe(3);
  });

  it('refuses a requestTimeoutMs that is not a positive whole number', () => {
    // Act + Assess
    for (const requestTimeoutMs of [0, -1, 1.5, Number.POSITIVE_INFINITY])
      expect(() => createGitHubClient({ auth: { token: 't' }, requestTimeoutMs })).toThrow(RangeError);
  });

  it('reports bad credentials as a terminal AUTH_FAILED without retrying', async () => {
    // Prepare
    const { server } = await start();
    const octokit = createGitHubClient({ auth: { token: 'wrong' }, baseUrl: server.url, log: quiet });
    const host = new GitHubGitHost({ octokit, owner: server.owner, repo: server.repo });
    // Act
    const error = await gitHostFailure(
      host.commit('main', await server.git('rev-parse', 'main'), { message: 'm', changes: [] }),
    );
    // Assess
    expect(error.code).toBe('AUTH_FAILED');
    expect(error.retryable).toBe(false);
    expect(server.total()).toBe(1);
  });

  it('turns 422 "Reference cannot be updated", GitHub\'s other answer to racing writers, into BRANCH_MOVED', async () => {
    // Prepare: a competing writer moves the branch, and GitHub answers as osunyorg/admin#119 saw it.
    const { server, host } = await start();
    const head = await server.git('rev-parse', 'main');
    server.failNext({
      route: 'PATCH /repos/{owner}/{repo}/git/refs/{ref}',
      status: 422,
      message: 'Reference cannot be updated',
    });
    // Act
    const error = await gitHostFailure(
      host.commit('main', head, { message: 'm', changes: [{ path: 'a', content: text('a') }] }),
    );
    // Assess
    expect(error.code).toBe('BRANCH_MOVED');
    expect(error.retryable).toBe(true);
    expect(await server.git('log', '-1', '--format=%s', 'main')).toMatch(/^competing writer/);
  });

  it('turns create-ref\'s intermittent 422 "Reference update failed" into a retryable BRANCH_MOVED', async () => {
    // Prepare: github/rest-api-description#4887.
    const { server, host } = await start();
    const head = await server.git('rev-parse', 'main');
    const createRef = 'POST /repos/{owner}/{repo}/git/refs';
    server.failNext({ route: createRef, status: 422, message: 'Reference update failed', times: 2 });
    // Act
    const proposal = await gitHostFailure(host.setBranch('promote/dev/demo-1.0.0', head));
    const orphan = await gitHostFailure(
      host.commit('side', undefined, { message: 'm', changes: [{ path: 'a', content: text('a') }] }),
    );
    // Assess
    expect([proposal.code, orphan.code]).toEqual(['BRANCH_MOVED', 'BRANCH_MOVED']);
    expect(server.counts()[createRef]).toBe(2);
  });

  it.each([
    { kind: 'graphql-rate-limited' as const, type: 'RATE_LIMITED', requests: 1 },
    { kind: 'graphql-rate-limit' as const, type: 'RATE_LIMIT', requests: 1 },
  ])(
    "reports a GraphQL rate limit ($type) that outlasts the client's wait as a retryable RATE_LIMITED",
    async ({ kind, requests }) => {
      // Prepare: GitHub answers 200 with errors[].type; the reset is an hour away.
      const { server, host } = await start({}, { maxRetryAfterSeconds: 30 });
      server.failNext({ route: 'POST /graphql', status: 200, kind, retryAfter: 3600 });
      // Act
      const error = await gitHostFailure(host.snapshot('main', { files: ['README.md'], trees: [] }));
      // Assess
      expect(error.code).toBe('RATE_LIMITED');
      expect(error.retryable).toBe(true);
      expect(server.counts()['POST /graphql']).toBe(requests);
    },
  );

  it('waits out a GraphQL RATE_LIMITED whose reset is near, as the throttling plugin does, then reads', async () => {
    // Prepare
    const { server, host } = await start();
    server.failNext({ route: 'POST /graphql', status: 200, kind: 'graphql-rate-limited', retryAfter: 1 });
    // Act
    const snapshot = await host.snapshot('main', { files: ['README.md'], trees: [] });
    // Assess
    expect(snapshot.files.get('README.md')).toBe('# cluster\n');
    expect(server.counts()['POST /graphql']).toBe(2);
  });

  it('turns a 422 "not a fast forward" into BRANCH_MOVED and leaves the competitor in place', async () => {
    // Prepare
    const { server, host } = await start();
    const head = await server.git('rev-parse', 'main');
    server.failNext({ route: 'PATCH /repos/{owner}/{repo}/git/refs/{ref}', status: 422 });
    // Act
    const error = await gitHostFailure(
      host.commit('main', head, { message: 'm', changes: [{ path: 'a', content: text('a') }] }),
    );
    // Assess
    expect(error.code).toBe('BRANCH_MOVED');
    expect(error.retryable).toBe(true);
    expect(await server.git('log', '-1', '--format=%s', 'main')).toMatch(/^competing writer/);
  });

  it('reports an unknown repository as a terminal NOT_FOUND', async () => {
    // Prepare
    const { server } = await start();
    const octokit = createGitHubClient({ auth: { token: server.token }, baseUrl: server.url, log: quiet });
    const host = new GitHubGitHost({ octokit, owner: server.owner, repo: 'nope' });
    // Act
    const error = await gitHostFailure(
      host.commit('main', await server.git('rev-parse', 'main'), { message: 'm', changes: [] }),
    );
    // Assess
    expect(error.code).toBe('NOT_FOUND');
    expect(error.retryable).toBe(false);
  });
});

describe('GitHubGitHost pull requests', () => {
  it('opens a pull request once and returns the same one when asked again', async () => {
    // Prepare
    const { server, host } = await start();
    const head = await server.git('rev-parse', 'main');
    const { sha } = await host.commit('main', head, {
      message: 'm',
      changes: [{ path: 'p', content: text('p') }],
    });
    await host.setBranch('promote/demo-2.0.0', sha);
    await host.setBranch('promote/demo-2.0.0', head); // moving an existing branch (force)
    const request = {
      head: 'promote/demo-2.0.0',
      base: 'main',
      title: 'promote demo 2.0.0 to prod',
      body: 'why',
      labels: ['chart-promoter', 'env/prod', 'chart/demo'],
    };
    server.reset();
    // Act
    const first = await host.openPullRequest(request);
    const labelsAfterFirst = [...server.pulls()[0]!.labels];
    const second = await host.openPullRequest(request);
    // Assess
    expect(first.created).toBe(true);
    expect(second).toEqual({ ...first, created: false });
    expect(server.pulls()).toHaveLength(1);
    expect(labelsAfterFirst).toEqual(['chart-promoter', 'env/prod', 'chart/demo']);
    expect(server.pulls()[0]!.labels).toEqual(['chart-promoter', 'env/prod', 'chart/demo']);
    // Per call: look up (+ create the first time) + one label request.
    expect(server.counts()).toEqual({
      'GET /repos/{owner}/{repo}/pulls': 2,
      'POST /repos/{owner}/{repo}/pulls': 1,
      'POST /repos/{owner}/{repo}/issues/{issue_number}/labels': 2,
    });
    expect(server.validationErrors()).toEqual([]);
    expect(await server.git('rev-parse', 'promote/demo-2.0.0')).toBe(head);
  });

  it('keeps labels already there, sends no label request for none, and reports a refused label as terminal', async () => {
    // Prepare: one pull request (GitHub spaces pull-request creations 3 s apart).
    const { server, host } = await start();
    await host.setBranch('promote/demo-3.0.0', await server.git('rev-parse', 'main'));
    const request = { head: 'promote/demo-3.0.0', base: 'main', title: 't', body: 'b' };
    await host.openPullRequest({ ...request, labels: ['needs-review'] }); // as if a human had labelled it
    server.reset();
    // Act
    await host.openPullRequest({ ...request, labels: ['chart-promoter', 'CHART-PROMOTER'] });
    await host.openPullRequest(request);
    const tooLong = await gitHostFailure(host.openPullRequest({ ...request, labels: ['x'.repeat(51)] }));
    // Assess
    expect(server.pulls()[0]!.labels).toEqual(['needs-review', 'chart-promoter']);
    expect(server.counts()['POST /repos/{owner}/{repo}/issues/{issue_number}/labels']).toBe(2);
    expect(tooLong.retryable).toBe(false);
    expect(server.validationErrors()).toEqual([]);
  });
});

describe('GitHubGitHost with GitHub App authentication', () => {
  it('exchanges the App JWT for an installation token once and commits with it', async () => {
    // Prepare
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const app = {
      appId: 123,
      installationId: 456,
      publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    };
    const { server } = await start({ app });
    const octokit = createGitHubClient({
      auth: { ...app, privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() },
      baseUrl: server.url,
      writeSpacingMs: 0,
      log: quiet,
    });
    const host = new GitHubGitHost({ octokit, owner: server.owner, repo: server.repo });
    // Act
    const { head } = await host.snapshot('main', { files: [], trees: [] });
    const result = await host.commit('main', head, {
      message: 'as the app',
      changes: [{ path: 'a', content: text('a') }],
    });
    // Assess
    expect(await server.git('rev-parse', 'main')).toBe(result.sha);
    expect(server.counts()['POST /app/installations/{installation_id}/access_tokens']).toBe(1);
    expect(server.total()).toBe(5);
  });
});
