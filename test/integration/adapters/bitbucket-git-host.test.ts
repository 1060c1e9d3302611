import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BitbucketGitHost } from '../../../functions/adapters/git-hosts/bitbucket/adapter';
import {
  BitbucketClient,
  type BitbucketClientOptions,
} from '../../../functions/adapters/git-hosts/bitbucket/http-client';
import { SnapshotCache } from '../../../functions/adapters/git-hosts/bitbucket/snapshot-cache';
import { blobId } from '../../../functions/ports/git-object-id';
import { runGit } from '../../support/bare-repo';
import {
  type BitbucketApiServer,
  type BitbucketApiServerOptions,
  startBitbucketApiServer,
} from '../../support/bitbucket-api-server';
import { gitHostFailure } from '../../support/git-host-contract';

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

const failure = gitHostFailure;

// The shared contract suite runs through the registry: test/integration/adapters/git-host-registry.test.ts.

/** Another tool commits a chart directory with an executable, a symbolic link and a binary file. */
const commitWithModes = async (dir: string): Promise<void> => {
  const index = path.join(tmpdir(), `index-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const env = { GIT_INDEX_FILE: index };
  try {
    const parent = await runGit(dir, ['rev-parse', 'main']);
    await runGit(dir, ['read-tree', parent], undefined, env);
    const add = async (mode: string, content: string | Uint8Array, file: string) => {
      const blob = await runGit(dir, ['hash-object', '-w', '--stdin'], content);
      await runGit(dir, ['update-index', '--add', '--cacheinfo', `${mode},${blob},${file}`], undefined, env);
    };
    await add('100644', 'name: odd\n', 'charts/odd/1.0.0/Chart.yaml');
    await add('100755', '#!/bin/sh\necho hi\n', 'charts/odd/1.0.0/bin/run.sh');
    await add('100644', new Uint8Array([0, 1, 2, 255]), 'charts/odd/1.0.0/bin/data.bin');
    await add('120000', 'Chart.yaml', 'charts/odd/1.0.0/link.yaml');
    const tree = await runGit(dir, ['write-tree'], undefined, env);
    const commit = await runGit(dir, ['commit-tree', tree, '-p', parent, '-m', 'odd modes'], undefined, env);
    await runGit(dir, ['update-ref', 'refs/heads/main', commit, parent]);
  } finally {
    await rm(index, { force: true });
  }
};

const COMMIT = 'POST /repositories/{workspace}/{repo_slug}/src';
const SOURCE = 'GET /repositories/{workspace}/{repo_slug}/src/{commit}/{path}';
const BRANCH = 'GET /repositories/{workspace}/{repo_slug}/refs/branches/{name}';
const change = (path: string, content: string) => ({ path, content: text(content) });

describe('BitbucketGitHost commits', () => {
  it('commits in one request, sending parents and branch, and names the commit from the branch tip', async () => {
    // Prepare
    const { server, host, clientRequests } = await start();
    const head = await server.git('rev-parse', 'main');
    // Act
    const result = await host.commit('main', head, {
      message: 'promote demo 1.1.0 to dev\n\nChart-Promoter-Run: r1\n',
      changes: [change('charts/demo/1.1.0/Chart.yaml', 'name: demo\n'), { path: 'README.md', content: null }],
    });
    // Assess
    expect(result).toEqual({ sha: await server.git('rev-parse', 'main'), parent: head });
    expect(clientRequests.map((r) => r.replace(/\/2\.0\/repositories\/acme\/cluster/, ''))).toEqual([
      'POST /src 201',
      'GET /refs/branches/main 200',
    ]);
    expect((await server.git('log', '-1', '--format=%an <%ae>%n%B', 'main')).trim()).toBe(
      'chart-promoter <chart-promoter@bitbucket.example>\npromote demo 1.1.0 to dev\n\nChart-Promoter-Run: r1',
    );
    await expect(server.git('cat-file', '-e', 'main:README.md')).rejects.toThrow();
  });

  it('takes the commit from a Location header when Bitbucket sends one (no branch read)', async () => {
    const { server, host } = await start({ commitLocation: true });
    const head = await server.git('rev-parse', 'main');
    server.reset();
    const result = await host.commit('main', head, { message: 'm', changes: [change('a.txt', 'a')] });
    expect(result.sha).toBe(await server.git('rev-parse', 'main'));
    expect(server.counts()).toEqual({ [COMMIT]: 1 });
  });

  it('finds its commit among later ones when another writer committed right after it', async () => {
    // Prepare: a competitor commits after ours lands and before the adapter reads the branch.
    const { server, host } = await start();
    const head = await server.git('rev-parse', 'main');
    server.failNext({ kind: 'competing-commit', route: BRANCH });
    // Act
    const result = await host.commit('main', head, { message: 'mine', changes: [change('mine.txt', 'm')] });
    // Assess
    expect(await server.git('log', '-1', '--format=%s', result.sha)).toBe('mine');
    expect(await server.git('rev-parse', `${result.sha}^`)).toBe(head);
    expect(await server.git('rev-parse', 'main~1')).toBe(result.sha);
    expect(server.counts()['GET /repositories/{workspace}/{repo_slug}/commits/{revision}']).toBe(1);
  });

  it('keeps binary files byte for byte and files named like form fields', async () => {
    const { server, host } = await start();
    const bytes = new Uint8Array(256).map((_, i) => i);
    const head = await server.git('rev-parse', 'main');
    const { sha } = await host.commit('main', head, {
      message: 'm',
      changes: [
        { path: 'charts/x/1.0.0/files/all-bytes.bin', content: bytes },
        change('message', 'a file named message\n'),
        change('files', 'a file named files\n'),
        change('charts/x/1.0.0/ünïcødé.yaml', 'u: 1\n'),
      ],
    });
    expect(await server.git('rev-parse', `${sha}:charts/x/1.0.0/files/all-bytes.bin`)).toBe(blobId(bytes));
    expect(await server.git('show', `${sha}:message`)).toBe('a file named message');
    expect(await server.git('show', `${sha}:files`)).toBe('a file named files');
    expect(await server.git('show', `${sha}:charts/x/1.0.0/ünïcødé.yaml`)).toBe('u: 1');
  });

  it('refuses paths a multipart field cannot carry, before sending anything', async () => {
    const { server, host } = await start();
    const head = await server.git('rev-parse', 'main');
    for (const path of ['a"b.yaml', 'a\nb.yaml', '../x', 'a//b']) {
      const error = await failure(host.commit('main', head, { message: 'm', changes: [change(path, 'x')] }));
      expect(error.code).toBe('REQUEST_REJECTED');
    }
    expect(server.total()).toBe(0);
  });

  it('creates a missing branch from the expected head, and refuses a second create as BRANCH_MOVED', async () => {
    const { server, host } = await start();
    const created = await host.commit('promote/demo', undefined, {
      message: 'new',
      changes: [change('x.yaml', 'x')],
    });
    const again = await failure(host.commit('promote/demo', undefined, { message: 'again', changes: [] }));
    expect(await server.git('rev-parse', 'promote/demo')).toBe(created.sha);
    expect(again.code).toBe('BRANCH_MOVED');
  });

  it('turns the 409 of a moved branch into BRANCH_MOVED and leaves the competitor in place', async () => {
    const { server, host } = await start();
    const head = await server.git('rev-parse', 'main');
    server.failNext({ kind: 'competing-commit', route: COMMIT });
    const error = await failure(host.commit('main', head, { message: 'm', changes: [change('a', 'a')] }));
    expect(error.code).toBe('BRANCH_MOVED');
    expect(error.retryable).toBe(true);
    expect(await server.git('log', '-1', '--format=%s', 'main')).toMatch(/^competing writer/);
    expect(server.counts()[COMMIT]).toBe(1);
  });
});

describe('BitbucketGitHost snapshots', () => {
  it('reads an empty repository as no head, and its first commit becomes the root commit', async () => {
    const { server, host } = await start({ seed: {} });
    const snapshot = await host.snapshot('main', {
      files: ['a.yaml'],
      trees: ['charts/x/1.0.0'],
      directories: ['charts'],
    });
    expect(snapshot.head).toBeUndefined();
    expect(snapshot.files.get('a.yaml')).toBeUndefined();
    const { sha } = await host.commit('main', undefined, {
      message: 'first',
      changes: [change('a.yaml', 'a')],
    });
    expect(await server.git('rev-list', '--count', sha)).toBe('1');
  });

  it('computes tree ids git would give directories with executables, links and binary files', async () => {
    // Prepare: a chart directory written by another tool, with modes the API reports as attributes.
    const { server, host } = await start();
    await commitWithModes(server.repoDir);
    // Act
    const snapshot = await host.snapshot('main', {
      files: [],
      trees: ['charts/odd/1.0.0', 'charts/odd/1.0.0/bin'],
    });
    // Assess
    expect(snapshot.trees.get('charts/odd/1.0.0')).toBe(
      await server.git('rev-parse', 'main:charts/odd/1.0.0'),
    );
    expect(snapshot.trees.get('charts/odd/1.0.0/bin')).toBe(
      await server.git('rev-parse', 'main:charts/odd/1.0.0/bin'),
    );
  });

  it('answers a directory asked as a file, and a file asked as a directory, as absent', async () => {
    const { host } = await start();
    const snapshot = await host.snapshot('main', {
      files: ['charts/demo/1.0.0'],
      trees: ['README.md'],
      directories: ['environments/dev/kustomization.yaml'],
    });
    expect(snapshot.files.get('charts/demo/1.0.0')).toBeUndefined();
    expect(snapshot.trees.get('README.md')).toBeUndefined();
    expect(snapshot.directories?.get('environments/dev/kustomization.yaml')).toBeUndefined();
  });

  it('looks deep paths up from an ancestor, so no look-up walks more than three levels', async () => {
    const urls: string[] = [];
    const { host } = await start({}, { onRequest: (event) => urls.push(event.url) });
    const snapshot = await host.snapshot('main', {
      files: ['charts/demo/1.0.0/templates/cm.yaml', 'charts/demo/1.0.0/values.yaml', 'README.md'],
      trees: [],
    });
    expect(snapshot.files.get('charts/demo/1.0.0/templates/cm.yaml')).toBeUndefined();
    expect(snapshot.files.get('README.md')).toBe('# cluster\n');
    const depths = urls.flatMap((url) => new URL(url).searchParams.getAll('max_depth'));
    expect(depths.length).toBeGreaterThan(0);
    expect(Math.max(...depths.map(Number))).toBeLessThanOrEqual(3);
  });

  it('reads a branch whose name has a slash through refs/branches, then at its commit', async () => {
    const { server, host } = await start();
    await host.setBranch('release/v1', await server.git('rev-parse', 'main'));
    server.reset();
    const snapshot = await host.snapshot('release/v1', { files: ['README.md'], trees: [] });
    expect(snapshot.head).toBe(await server.git('rev-parse', 'release/v1'));
    expect(snapshot.files.get('README.md')).toBe('# cluster\n');
    expect(server.counts()[BRANCH]).toBe(1);
  });

  it('re-reads only what another writer changed since the last snapshot (one diffstat)', async () => {
    // Prepare: a warm host, then a competitor edits one of the files it read.
    const { server, host } = await start();
    const request = {
      files: ['README.md', 'environments/dev/kustomization.yaml'],
      trees: ['charts/demo/1.0.0'],
    };
    await host.snapshot('main', request);
    await server.competingCommit('environments/dev/kustomization.yaml', 'resources: [a.yaml]\n');
    server.reset();
    // Act
    const snapshot = await host.snapshot('main', request);
    // Assess: the head (nothing unknown to look up), the diffstat, the changed file.
    expect(snapshot.files.get('environments/dev/kustomization.yaml')).toBe('resources: [a.yaml]\n');
    expect(snapshot.files.get('README.md')).toBe('# cluster\n');
    expect(snapshot.trees.get('charts/demo/1.0.0')).toBe(
      await server.git('rev-parse', 'main:charts/demo/1.0.0'),
    );
    expect(server.counts()).toEqual({
      [BRANCH]: 1,
      'GET /repositories/{workspace}/{repo_slug}/diffstat/{spec}': 1,
      [SOURCE]: 1,
    });
  });

  it('reads afresh when the diffstat times out (555): correct, only slower', async () => {
    const { server, host } = await start({}, { serverErrorRetries: 0 });
    const request = { files: ['README.md'], trees: [] };
    await host.snapshot('main', request);
    await server.competingCommit('README.md', '# changed\n');
    server.failNext({
      kind: 'status',
      status: 555,
      route: 'GET /repositories/{workspace}/{repo_slug}/diffstat/{spec}',
    });
    const snapshot = await host.snapshot('main', request);
    expect(snapshot.files.get('README.md')).toBe('# changed\n');
  });
});

describe('BitbucketGitHost failures', () => {
  it('waits out a 429 as Retry-After asks, then succeeds', async () => {
    // Prepare
    const { server, host } = await start();
    server.failNext({ kind: 'status', status: 429, retryAfter: 1, rateLimitHeaders: true, route: COMMIT });
    const head = await server.git('rev-parse', 'main');
    const started = Date.now();
    // Act
    const result = await host.commit('main', head, { message: 'm', changes: [change('a', 'a')] });
    // Assess
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(result.sha).toBe(await server.git('rev-parse', 'main'));
    expect(server.counts()[COMMIT]).toBe(2);
  });

  it('backs off on a 429 without Retry-After, and gives up with a retryable RATE_LIMITED', async () => {
    const { server, host } = await start({}, { rateLimitRetries: 2 });
    server.failNext({ kind: 'status', status: 429, route: SOURCE, times: Number.POSITIVE_INFINITY });
    const error = await failure(host.snapshot('main', { files: ['README.md'], trees: [] }));
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('Rate limit for this resource has been exceeded');
    expect(server.counts()[SOURCE]).toBe(3);
  });

  it('gives up at once when Retry-After is longer than it may wait', async () => {
    const { server, host } = await start({}, { maxRetryAfterSeconds: 30 });
    server.failNext({ kind: 'status', status: 429, retryAfter: 3600, route: SOURCE });
    const error = await failure(host.snapshot('main', { files: ['README.md'], trees: [] }));
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.message).toContain('retry after 3600 s');
    expect(server.counts()[SOURCE]).toBe(1);
  });

  it('reads a Retry-After given as an HTTP date', async () => {
    const { server, host } = await start();
    const when = new Date(Date.now() + 1500).toUTCString();
    server.failNext({ kind: 'status', status: 429, retryAfter: when, route: SOURCE });
    const started = Date.now();
    await host.snapshot('main', { files: ['README.md'], trees: [] });
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
  });

  it.each([500, 502, 503, 504] as const)('retries a %i and succeeds', async (status) => {
    const { server, host } = await start();
    server.failNext({ kind: 'status', status, route: COMMIT });
    const head = await server.git('rev-parse', 'main');
    const result = await host.commit('main', head, { message: 'm', changes: [change('a', 'a')] });
    expect(result.sha).toBe(await server.git('rev-parse', 'main'));
    expect(server.counts()[COMMIT]).toBe(2);
  });

  it('reports a 5xx that does not go away as a retryable HOST_UNAVAILABLE after bounded retries', async () => {
    const { server, host } = await start({}, { serverErrorRetries: 2 });
    server.failNext({ kind: 'status', status: 502, route: SOURCE, times: Number.POSITIVE_INFINITY });
    const error = await failure(host.snapshot('main', { files: ['README.md'], trees: [] }));
    expect(error.code).toBe('HOST_UNAVAILABLE');
    expect(error.retryable).toBe(true);
    expect(server.counts()[SOURCE]).toBe(3);
  });

  it('abandons a request Bitbucket does not answer within requestTimeoutMs, retries it, and succeeds', async () => {
    // The deadline is generous so that only the request that never gets an answer hits it on a loaded machine.
    const { server, host, clientRequests } = await start({}, { requestTimeoutMs: 2_000 });
    server.failNext({ kind: 'hang', route: SOURCE });
    const snapshot = await host.snapshot('main', { files: ['README.md'], trees: [] });
    expect(snapshot.files.get('README.md')).toBe('# cluster\n');
    expect(clientRequests[0]).toMatch(/^GET .*\/src\/main\/ undefined$/);
    expect(clientRequests.filter((r) => r.endsWith(' undefined')).length).toBeGreaterThanOrEqual(1);
  });

  it('reports an API that keeps hanging as a retryable HOST_UNAVAILABLE within bounded time', async () => {
    const { server, host } = await start({}, { requestTimeoutMs: 200, serverErrorRetries: 2 });
    server.failNext({ kind: 'hang', route: SOURCE, times: Number.POSITIVE_INFINITY });
    const started = Date.now();
    const error = await failure(host.snapshot('main', { files: ['README.md'], trees: [] }));
    const elapsed = Date.now() - started;
    // 3 attempts of 200 ms plus 10 + 40 ms of backoff.
    expect(error.code).toBe('HOST_UNAVAILABLE');
    expect(error.message).toMatch(/timed out: no answer from Bitbucket within 200 ms \(GET /);
    expect(elapsed).toBeGreaterThanOrEqual(600);
    expect(elapsed).toBeLessThan(10_000);
    expect(server.counts()[SOURCE]).toBe(3);
  });

  it('retries a connection dropped before Bitbucket acted', async () => {
    const { server, host } = await start();
    server.failNext({ kind: 'drop-request', route: COMMIT });
    const head = await server.git('rev-parse', 'main');
    const result = await host.commit('main', head, { message: 'm', changes: [change('a', 'a')] });
    expect(result.sha).toBe(await server.git('rev-parse', 'main'));
  });

  it('reports a commit whose answer was lost as BRANCH_MOVED, and it landed exactly once', async () => {
    // The commit lands, the answer is lost; the retry names the same parent and gets the real 409.
    const { server, host } = await start();
    server.failNext({ kind: 'drop-response', route: COMMIT });
    const head = await server.git('rev-parse', 'main');
    const error = await failure(host.commit('main', head, { message: 'once', changes: [change('a', 'a')] }));
    expect(error.code).toBe('BRANCH_MOVED');
    expect(await server.git('rev-list', '--count', `${head}..main`)).toBe('1');
    expect(await server.git('log', '-1', '--format=%s', 'main')).toBe('once');
  });

  it.each([
    { status: 401 as const, code: 'AUTH_FAILED', hint: /refused the credentials/ },
    { status: 403 as const, code: 'AUTH_FAILED', hint: /repository:write and pullrequest:write/ },
    { status: 400 as const, code: 'REQUEST_REJECTED', hint: /parents: Commit not found/ },
    { status: 404 as const, code: 'NOT_FOUND', hint: /Not found/ },
  ])(
    'reports a $status on a commit as a terminal $code, without retrying',
    async ({ status, code, hint }) => {
      const { server, host } = await start();
      const message = status === 400 ? 'parents: Commit not found: 0123456' : undefined;
      server.failNext({ kind: 'status', status, route: COMMIT, ...(message ? { message } : {}) });
      const head = await server.git('rev-parse', 'main');
      const error = await failure(host.commit('main', head, { message: 'm', changes: [change('a', 'a')] }));
      expect(error.code).toBe(code);
      expect(error.retryable).toBe(false);
      expect(error.message).toMatch(hint);
      expect(server.counts()[COMMIT]).toBe(1);
    },
  );

  it('reports wrong credentials as a terminal AUTH_FAILED with what to fix', async () => {
    const server = await startBitbucketApiServer({ seed: SEED });
    open.push({ server, ...hostFor(server) });
    const { host } = hostFor(server, { auth: { kind: 'basic', username: 'someone', password: 'wrong' } });
    const error = await failure(host.snapshot('main', { files: ['README.md'], trees: [] }));
    expect(error.code).toBe('AUTH_FAILED');
    expect(error.message).toContain('{"username", "password"}');
    expect(server.total()).toBe(1);
  });

  it('authenticates with an app password or API token as Basic', async () => {
    const server = await startBitbucketApiServer({ seed: SEED });
    open.push({ server, ...hostFor(server) });
    const { host } = hostFor(server, {
      auth: { kind: 'basic', username: server.username, password: server.password },
    });
    const snapshot = await host.snapshot('main', { files: ['README.md'], trees: [] });
    expect(snapshot.files.get('README.md')).toBe('# cluster\n');
  });

  it('reports an unknown repository as a terminal NOT_FOUND on commit', async () => {
    const { server } = await start();
    const client = new BitbucketClient({ auth: { kind: 'token', token: server.token }, baseUrl: server.url });
    const host = new BitbucketGitHost({ client, repository: { workspace: 'acme', slug: 'nope' } });
    const snapshot = await host.snapshot('main', { files: [], trees: [] });
    const error = await failure(
      host.commit('main', await server.git('rev-parse', 'main'), { message: 'm', changes: [] }),
    );
    expect(snapshot.head).toBeUndefined();
    expect(error.code).toBe('NOT_FOUND');
  });

  it('refuses a requestTimeoutMs that is not a positive whole number', () => {
    for (const requestTimeoutMs of [0, -1, 1.5, Number.POSITIVE_INFINITY])
      expect(() => new BitbucketClient({ auth: { kind: 'token', token: 't' }, requestTimeoutMs })).toThrow(
        RangeError,
      );
  });
});

describe('BitbucketGitHost branches and pull requests', () => {
  const PULLS = 'GET /repositories/{workspace}/{repo_slug}/pullrequests';
  const request = {
    head: 'promote/prod/demo-2.0.0',
    base: 'main',
    title: 'promote demo 2.0.0 to prod',
    body: 'chart-promoter: promote **demo** in **prod**',
    labels: ['chart-promoter', 'env/prod', 'chart/demo'],
  };

  it('creates a branch, moves it (delete and create: Bitbucket has no force-move), and leaves one already there', async () => {
    // Prepare
    const { server, host } = await start();
    const head = await server.git('rev-parse', 'main');
    const { sha } = await host.commit('main', head, { message: 'm', changes: [change('p', 'p')] });
    server.reset();
    // Act
    await host.setBranch(request.head, head);
    await host.setBranch(request.head, sha);
    const afterMove = server.counts();
    server.reset();
    await host.setBranch(request.head, sha);
    // Assess
    expect(await server.git('rev-parse', request.head)).toBe(sha);
    expect(afterMove).toEqual({
      'POST /repositories/{workspace}/{repo_slug}/refs/branches': 3,
      [BRANCH]: 1,
      'DELETE /repositories/{workspace}/{repo_slug}/refs/branches/{name}': 1,
    });
    expect(server.counts()).toEqual({
      'POST /repositories/{workspace}/{repo_slug}/refs/branches': 1,
      [BRANCH]: 1,
    });
  });

  it('opens a pull request once, finds the open one when asked again, and sends no labels (Bitbucket has none)', async () => {
    // Prepare
    const { server, host } = await start();
    await host.setBranch(request.head, await server.git('rev-parse', 'main'));
    server.reset();
    // Act
    const first = await host.openPullRequest(request);
    const second = await host.openPullRequest(request);
    // Assess
    expect(first).toEqual({
      number: 1,
      url: 'https://bitbucket.example/acme/cluster/pull-requests/1',
      created: true,
    });
    expect(second).toEqual({ ...first, created: false });
    expect(server.pulls()).toHaveLength(1);
    expect(server.pulls()[0]).toMatchObject({
      title: request.title,
      description: request.body,
      source: request.head,
      destination: 'main',
      state: 'OPEN',
      closeSourceBranch: true,
    });
    expect(server.counts()).toEqual({
      [PULLS]: 2,
      'POST /repositories/{workspace}/{repo_slug}/pullrequests': 1,
    });
  });

  it('updates the title and description of the open pull request and keeps the reviewers a human added', async () => {
    // Prepare
    const { server, host } = await start();
    await host.setBranch(request.head, await server.git('rev-parse', 'main'));
    await host.openPullRequest(request);
    server.addReviewer(1, 'Reviewer One');
    server.reset();
    // Act
    const updated = await host.openPullRequest({ ...request, body: 'a newer proposal' });
    // Assess
    expect(updated.created).toBe(false);
    expect(server.pulls()).toHaveLength(1);
    expect(server.pulls()[0]).toMatchObject({ description: 'a newer proposal', title: request.title });
    expect(server.pulls()[0]!.reviewers.map((r) => r.display_name)).toEqual(['Reviewer One']);
    expect(server.counts()).toEqual({
      [PULLS]: 1,
      'GET /repositories/{workspace}/{repo_slug}/pullrequests/{pull_request_id}': 1,
      'PUT /repositories/{workspace}/{repo_slug}/pullrequests/{pull_request_id}': 1,
    });
  });

  it('keeps one pull request when two runs open it at the same time', async () => {
    const { server, host } = await start();
    await host.setBranch(request.head, await server.git('rev-parse', 'main'));
    const { host: other } = hostFor(server);
    const [a, b] = await Promise.all([host.openPullRequest(request), other.openPullRequest(request)]);
    expect(server.pulls()).toHaveLength(1);
    expect(a.number).toBe(b.number);
    expect([a.created, b.created].sort()).toEqual([false, true]);
  });

  it('keeps the open pull request when its branch is moved for a newer proposal', async () => {
    const { server, host } = await start();
    const head = await server.git('rev-parse', 'main');
    await host.setBranch(request.head, head);
    const first = await host.openPullRequest(request);
    const { sha } = await host.commit('main', head, { message: 'm', changes: [change('q', 'q')] });
    await host.setBranch(request.head, sha);
    const again = await host.openPullRequest(request);
    expect(again).toEqual({ ...first, created: false });
    expect(server.pulls().filter((pr) => pr.state === 'OPEN')).toHaveLength(1);
  });

  it('reports a pull request Bitbucket refuses (no such source branch) as terminal', async () => {
    const { host } = await start();
    const error = await failure(host.openPullRequest({ ...request, head: 'promote/prod/none-1.0.0' }));
    expect(error.code).toBe('REQUEST_REJECTED');
    expect(error.message).toContain('source: branch not found');
  });
});
