import { afterEach, describe, expect, it } from 'vitest';
import { GitLabGitHost } from '../../../functions/adapters/git-hosts/gitlab/adapter';
import { GitLabApi } from '../../../functions/adapters/git-hosts/gitlab/api';
import { gitlabHost } from '../../../functions/adapters/git-hosts/gitlab/descriptor';
import {
  GitLabTransport,
  type GitLabTransportOptions,
} from '../../../functions/adapters/git-hosts/gitlab/transport';
import type { Clock } from '../../../functions/ports/clock';
import type { FileChange } from '../../../functions/ports/git-host';
import { treeId } from '../../../functions/ports/git-object-id';
import { commitUploads } from '../../../functions/promotion/uploads/commit-uploads';
import { gitHostFailure } from '../../support/git-host-contract';
import {
  type GitLabApiServer,
  type GitLabApiServerOptions,
  startGitLabApiServer,
} from '../../support/gitlab-api-server';
import { makeRequest } from '../../support/promotion-fixtures';

const SEED = {
  'README.md': '# cluster\n',
  '.chart-promoter.yaml': 'environments: []\n',
  'environments/dev/kustomization.yaml': 'resources: []\n',
  'charts/demo/1.0.0/Chart.yaml': 'apiVersion: v2\nname: demo\nversion: 1.0.0\n',
};

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

interface Fixture {
  readonly server: GitLabApiServer;
  readonly host: GitLabGitHost;
  readonly transport: GitLabTransport;
  /** `<method> <path> <status>` per request the client sent. */
  readonly sent: string[];
}

const open: Fixture[] = [];

const hostFor = (
  server: GitLabApiServer,
  transportOptions: GitLabTransportOptions = {},
  token = server.token,
): { host: GitLabGitHost; transport: GitLabTransport; sent: string[] } => {
  const sent: string[] = [];
  const transport = new GitLabTransport({
    serverErrorBackoffMs: 10,
    onRequest: ({ method, url, status }) => sent.push(`${method} ${new URL(url).pathname} ${status}`),
    ...transportOptions,
  });
  const api = new GitLabApi({ baseUrl: server.url, projectPath: server.projectPath, token, transport });
  return { host: new GitLabGitHost({ api }), transport, sent };
};

const start = async (
  serverOptions: GitLabApiServerOptions = {},
  transportOptions: GitLabTransportOptions = {},
): Promise<Fixture> => {
  const server = await startGitLabApiServer({ seed: SEED, ...serverOptions });
  const fixture = { server, ...hostFor(server, transportOptions) };
  open.push(fixture);
  return fixture;
};

afterEach(async () => {
  const fixtures = open.splice(0);
  for (const { server } of fixtures) await server.close();
  // No unknown route, no query GitLab's schema or complexity limit would refuse.
  expect(fixtures.flatMap(({ server }) => server.validationErrors())).toEqual([]);
});

const failure = gitHostFailure;

// The shared contract suite runs through the registry: test/integration/adapters/git-host-registry.test.ts.

describe('GitLab descriptor', () => {
  it.each([
    ['acme/cluster', []],
    ['acme/platform/team-a/cluster.repo', []],
    ['cluster', ['"cluster" is not group/project (at least one group)']],
    ['https://gitlab.com/acme/cluster', [expect.stringContaining('is a URL')]],
    ['acme//cluster', [expect.stringContaining('empty path segment')]],
    ['acme/cluster.git', [expect.stringContaining('not a GitLab path')]],
    ['acme/-cluster', [expect.stringContaining('not a GitLab path')]],
  ])('checks the repository %s', (repository, problems) => {
    expect(gitlabHost.repositoryProblems(repository)).toEqual(problems);
  });

  it('builds a host from settings: base URL with or without /api/v4, token credentials, injected fetch', async () => {
    // Prepare
    const server = await startGitLabApiServer({ seed: SEED });
    open.push({ server, ...hostFor(server) });
    let fetched = 0;
    const counting: typeof fetch = (input, init) => {
      fetched++;
      return fetch(input, init);
    };
    // Act
    const wiring = await gitlabHost.create({
      repository: server.projectPath,
      baseUrl: `${server.url}/api/v4/`,
      credentials: { kind: 'token', token: server.token },
      workDir: '/tmp',
      fetch: counting,
    });
    const snapshot = await wiring.host.snapshot('main', { files: ['README.md'], trees: [] });
    // Assess
    expect(wiring.host.kind).toBe('gitlab');
    expect(wiring.host.location).toBe(`${server.url}/${server.projectPath}`);
    expect(snapshot.files.get('README.md')).toBe('# cluster\n');
    expect(wiring.requests()).toBe(2);
    expect(fetched).toBe(2);
  });

  it('refuses credentials that are not a token', async () => {
    await expect(
      gitlabHost.create({
        repository: 'acme/cluster',
        credentials: { kind: 'basic', username: 'u', password: 'p' },
        workDir: '/tmp',
      }),
    ).rejects.toThrow(/access token/);
  });
});

describe('GitLabGitHost request budget', () => {
  it('promotes one chart in 4 requests: branch head, one GraphQL read at that commit, the commit, the push', async () => {
    // Prepare
    const { server, host } = await start();
    // Act: what the planner reads for one chart in one environment, then what it writes.
    const snapshot = await host.snapshot('main', {
      files: ['.chart-promoter.yaml', 'environments/dev/demo.yaml', 'environments/dev/kustomization.yaml'],
      trees: ['charts/demo/1.1.0'],
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
        { path: 'environments/dev/kustomization.yaml', content: text('resources: [demo.yaml]\n') },
      ],
    });
    // Assess
    expect(server.counts()).toEqual({
      'GET /projects/:id/repository/branches/:branch': 1,
      'POST /api/graphql': 1,
      'POST /projects/:id/repository/commits': 1,
      'POST /:project.git/git-receive-pack': 1,
    });
    expect(await server.git('rev-parse', 'main')).toBe(result.sha);
    expect(await server.git('rev-list', '--parents', '-n', '1', result.sha)).toBe(
      `${result.sha} ${snapshot.head}`,
    );
    expect(await server.git('show', 'main:environments/dev/kustomization.yaml')).toBe(
      'resources: [demo.yaml]',
    );
    // The scratch branch the commit was built on is gone with the same push.
    expect(await server.git('for-each-ref', '--format=%(refname)', 'refs/heads')).toBe('refs/heads/main');
    console.info(`request budget, one-chart promotion: ${server.total()} requests`, server.counts());
  });

  it('promotes 100 charts (2 000 files) in a constant number of requests', async () => {
    // Prepare: the local server writes 2 000 objects for the commit; no deadline on a loaded machine.
    const { server, host } = await start({}, { requestTimeoutMs: 600_000 });
    const charts = Array.from({ length: 100 }, (_, c) =>
      Array.from({ length: 20 }, (_, f) => ({
        path: `templates/file-${f}.yaml`,
        data: text(`# chart ${c} file ${f}\n${'x'.repeat(2048 - 30)}\n`),
      })),
    );
    const files = [
      '.chart-promoter.yaml',
      'environments/dev/kustomization.yaml',
      ...charts.map((_, c) => `environments/dev/c${c}.yaml`),
    ];
    const changes: FileChange[] = [
      ...charts.flatMap((chartFiles, c) =>
        chartFiles.map((f) => ({ path: `charts/c${c}/1.0.0/${f.path}`, content: f.data })),
      ),
      ...charts.map((_, c) => ({
        path: `environments/dev/c${c}.yaml`,
        content: text(`kind: HelmRelease # ${c}\n`),
      })),
    ];
    // Act
    const snapshot = await host.snapshot('main', {
      files,
      trees: charts.map((_, c) => `charts/c${c}/1.0.0`),
    });
    const { sha } = await host.commit('main', snapshot.head, { message: 'a hundred charts', changes });
    // Assess
    const counts = server.counts();
    expect(counts['GET /projects/:id/repository/branches/:branch']).toBe(1);
    expect(counts['POST /projects/:id/repository/commits']).toBe(1);
    expect(counts['POST /:project.git/git-receive-pack']).toBe(1);
    expect(counts['POST /api/graphql']).toBeLessThanOrEqual(8);
    for (const c of [0, 42, 99]) {
      expect(await server.git('rev-parse', `${sha}:charts/c${c}/1.0.0`)).toBe(treeId(charts[c]!));
    }
    expect(await server.git('rev-list', '--count', `${snapshot.head}..${sha}`)).toBe('1');
    console.info(`request budget, 100-chart batch: ${server.total()} requests`, counts);
  });

  it('asks GitLab whether paths exist before a commit the snapshot did not prepare (one query per 100 paths)', async () => {
    // Prepare
    const { server, host } = await start();
    const head = await server.git('rev-parse', 'main');
    // Act
    await host.commit('main', head, {
      message: 'edit and add',
      changes: [
        { path: 'README.md', content: text('# edited\n') },
        { path: 'docs/new.md', content: text('new\n') },
        { path: 'environments/dev/kustomization.yaml', content: null },
      ],
    });
    // Assess
    expect(server.counts()['POST /api/graphql']).toBe(1);
    expect(await server.git('show', 'main:README.md')).toBe('# edited');
    expect(await server.git('show', 'main:docs/new.md')).toBe('new');
    await expect(server.git('cat-file', '-e', 'main:environments/dev/kustomization.yaml')).rejects.toThrow();
  });
});

/** An upload as the pipeline hands it to commitUploads (the environment comes from the policy). */
const uploadOf = ({ environment: _, ...upload }: ReturnType<typeof makeRequest>) => upload;

describe('GitLabGitHost request budget through the planner (commitUploads, as the promote function runs it)', () => {
  const clock: Clock = { now: () => new Date(0), sleep: async () => {} };
  const seed = {
    'README.md': '# cluster\n',
    'environments/dev/kustomization.yaml':
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n',
  };

  it('promotes one chart in at most 5 requests', async () => {
    // Prepare
    const { server, host } = await start({ seed });
    // Act
    const run = await commitUploads(host, 'main', [uploadOf(makeRequest('web', '1.0.0'))], {
      clock,
      fallbackEnvironment: 'dev',
    });
    // Assess
    expect(run.outcomes.map((o) => o.status)).toEqual(['promoted']);
    expect(server.total()).toBeLessThanOrEqual(5);
    expect(await server.git('show', 'main:environments/dev/web.yaml')).toContain('chart: ./charts/web/1.0.0');
    console.info(`planner, one chart: ${server.total()} requests`, server.counts());
  });

  it('promotes a batch of 100 charts in a number of requests that does not grow with the batch (up to the query limits)', async () => {
    // Prepare
    const { server, host } = await start({ seed }, { requestTimeoutMs: 600_000 });
    const requests = Array.from({ length: 100 }, (_, i) => uploadOf(makeRequest(`chart-${i}`, '1.0.0')));
    // Act
    const run = await commitUploads(host, 'main', requests, { clock, fallbackEnvironment: 'dev' });
    // Assess
    expect(run.outcomes.every((o) => o.status === 'promoted')).toBe(true);
    const counts = server.counts();
    expect(counts['POST /projects/:id/repository/commits']).toBe(1);
    expect(counts['POST /:project.git/git-receive-pack']).toBe(1);
    expect(server.total()).toBeLessThanOrEqual(12);
    console.info(`planner, 100 charts: ${server.total()} requests`, counts);
  });
});

describe('GitLabGitHost compare-and-swap', () => {
  it('refuses with BRANCH_MOVED when another writer changed only a file the plan read (the policy), and keeps their change', async () => {
    // Prepare: GitLab's per-file checks would not see this: nothing we write was touched.
    const { server, host } = await start();
    const snapshot = await host.snapshot('main', { files: ['.chart-promoter.yaml'], trees: [] });
    await server.competingCommit(
      '.chart-promoter.yaml',
      'environments: [{name: prod, mode: pull-request}]\n',
    );
    // Act
    const error = await failure(
      host.commit('main', snapshot.head, {
        message: 'promote',
        changes: [{ path: 'environments/dev/demo.yaml', content: text('kind: HelmRelease\n') }],
      }),
    );
    // Assess
    expect(error.code).toBe('BRANCH_MOVED');
    expect(await server.git('show', 'main:.chart-promoter.yaml')).toContain('pull-request');
    await expect(server.git('cat-file', '-e', 'main:environments/dev/demo.yaml')).rejects.toThrow();
    expect(await server.git('for-each-ref', '--format=%(refname)', 'refs/heads')).toBe('refs/heads/main');
  });

  it('refuses with BRANCH_MOVED when another writer landed between the commit and the push (race injected at the push)', async () => {
    // Prepare
    const { server, host } = await start();
    const head = await server.git('rev-parse', 'main');
    server.failNext({ route: 'POST /:project.git/git-receive-pack', kind: 'race' });
    // Act
    const error = await failure(
      host.commit('main', head, { message: 'm', changes: [{ path: 'a.txt', content: text('a') }] }),
    );
    // Assess
    expect(error.code).toBe('BRANCH_MOVED');
    expect(error.message).toMatch(/failed to update ref/);
    expect(await server.git('log', '-1', '--format=%s', 'main')).toMatch(/^competing writer/);
  });

  it('reads the answers of the real git receive-pack the same way (git http-backend behind the stand-in)', async () => {
    // Prepare: the in-process receive-pack copies git's wording; this pins it against git itself.
    const { server, host } = await start({ gitBackend: 'http-backend' });
    const head = await server.git('rev-parse', 'main');
    const landed = await host.commit('main', head, {
      message: 'm',
      changes: [{ path: 'a.txt', content: text('a') }],
    });
    server.failNext({ route: 'POST /:project.git/git-receive-pack', kind: 'race' });
    // Act
    const error = await failure(
      host.commit('main', landed.sha, { message: 'n', changes: [{ path: 'b.txt', content: text('b') }] }),
    );
    // Assess
    expect(await server.git('show', `${landed.sha}:a.txt`)).toBe('a');
    expect(error.code).toBe('BRANCH_MOVED');
    expect(error.message).toMatch(/failed to update ref/);
    expect(await server.git('for-each-ref', '--format=%(refname)', 'refs/heads')).toBe('refs/heads/main');
  });

  it('refuses with BRANCH_MOVED when another writer created a chart directory the plan found absent', async () => {
    // Prepare
    const { server, host } = await start();
    const snapshot = await host.snapshot('main', { files: [], trees: ['charts/demo/2.0.0'] });
    await server.competingCommit('charts/demo/2.0.0/Chart.yaml', 'name: demo\nversion: 2.0.0 # theirs\n');
    // Act
    const error = await failure(
      host.commit('main', snapshot.head, {
        message: 'add demo 2.0.0',
        changes: [{ path: 'charts/demo/2.0.0/Chart.yaml', content: text('name: demo\nversion: 2.0.0\n') }],
      }),
    );
    // Assess
    expect(error.code).toBe('BRANCH_MOVED');
    expect(await server.git('show', 'main:charts/demo/2.0.0/Chart.yaml')).toContain('theirs');
  });

  it('creates a branch that does not exist yet only if it still does not (old value zero)', async () => {
    // Prepare
    const { server, host } = await start();
    const head = await server.git('rev-parse', 'main');
    await host.setBranch('promote/dev/demo-2.0.0', head);
    // Act: committing as if the branch were absent although it exists.
    const error = await failure(
      host.commit('promote/dev/demo-2.0.0', undefined, {
        message: 'm',
        changes: [{ path: 'x', content: text('x') }],
      }),
    );
    // Assess
    expect(error.code).toBe('REQUEST_REJECTED');
    expect(error.message).toMatch(/create the branch first/);
  });

  it('keeps binary files byte for byte (base64 actions) and reads a binary file back raw', async () => {
    // Prepare
    const { server, host } = await start();
    const head = await server.git('rev-parse', 'main');
    const binary = new Uint8Array([0, 1, 2, 0xff, 0xfe, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a]);
    // Act
    const { sha } = await host.commit('main', head, {
      message: 'binary',
      changes: [
        { path: 'logo.png', content: binary },
        { path: 'latin1.txt', content: new Uint8Array([0x63, 0x61, 0x66, 0xe9]) },
      ],
    });
    const snapshot = await host.snapshot('main', { files: ['latin1.txt'], trees: [] });
    // Assess
    expect(await server.git('rev-parse', `${sha}:logo.png`)).toBe(
      (await import('../../../functions/ports/git-object-id')).blobId(binary),
    );
    expect(await server.git('cat-file', '-s', `${sha}:latin1.txt`)).toBe('4');
    expect(snapshot.files.get('latin1.txt')).toBe(
      new TextDecoder().decode(new Uint8Array([0x63, 0x61, 0x66, 0xe9])),
    );
    expect(server.counts()['GET /projects/:id/repository/files/:file_path/raw']).toBe(1);
  });

  it('reads a file GitLab cuts short in GraphQL over REST, raw', async () => {
    // Prepare
    const big = `${'y'.repeat(300)}\n`;
    const { server, host } = await start({ seed: { ...SEED, 'big.yaml': big }, blobDataLimit: 200 });
    // Act
    const snapshot = await host.snapshot('main', { files: ['big.yaml', 'README.md'], trees: [] });
    // Assess
    expect(snapshot.files.get('big.yaml')).toBe(big);
    expect(snapshot.files.get('README.md')).toBe('# cluster\n');
    expect(server.counts()['GET /projects/:id/repository/files/:file_path/raw']).toBe(1);
  });

  it('reads a missing branch as no head and a missing project as NOT_FOUND', async () => {
    // Prepare
    const { server, host } = await start();
    const elsewhere = hostFor({ ...server, projectPath: 'acme/nope' } as GitLabApiServer).host;
    // Act
    const snapshot = await host.snapshot('nope', { files: ['README.md'], trees: ['charts'] });
    const error = await failure(elsewhere.snapshot('main', { files: [], trees: [] }));
    // Assess
    expect(snapshot.head).toBeUndefined();
    expect(snapshot.files.get('README.md')).toBeUndefined();
    expect(error.code).toBe('NOT_FOUND');
    expect(error.retryable).toBe(false);
  });
});

describe('GitLabGitHost failures', () => {
  it('waits out a 429 as Retry-After asks, then succeeds', async () => {
    // Prepare
    const { server, host } = await start();
    server.failNext({ route: 'POST /api/graphql', status: 429, retryAfter: 1 });
    const started = Date.now();
    // Act
    const snapshot = await host.snapshot('main', { files: ['README.md'], trees: [] });
    // Assess
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(snapshot.files.get('README.md')).toBe('# cluster\n');
    expect(server.counts()['POST /api/graphql']).toBe(2);
  });

  it('waits on RateLimit-Reset when Retry-After is absent', async () => {
    // Prepare: the transport's clock and sleep are observed, not real.
    const slept: number[] = [];
    const { server, host } = await start({}, { sleep: async (ms) => void slept.push(ms) });
    server.failNext({ route: 'GET /projects/:id/repository/branches/:branch', status: 429, retryAfter: 7 });
    // Act
    await host.snapshot('main', { files: [], trees: [] });
    // Assess: Retry-After (7) wins over the reset time, which says the same.
    expect(slept).toEqual([7000]);
  });

  it('gives up with a retryable RATE_LIMITED when the wait asked for is longer than it may wait', async () => {
    // Prepare
    const { server, host } = await start({}, { maxRetryAfterSeconds: 30 });
    server.failNext({ route: 'POST /projects/:id/repository/commits', status: 429, retryAfter: 120 });
    const head = await server.git('rev-parse', 'main');
    // Act
    const error = await failure(
      host.commit('main', head, { message: 'm', changes: [{ path: 'a', content: text('a') }] }),
    );
    // Assess
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.retryable).toBe(true);
    expect(server.counts()['POST /projects/:id/repository/commits']).toBe(1);
  });

  it('gives up with RATE_LIMITED after its bounded number of waits', async () => {
    // Prepare
    const { server, host } = await start({}, { rateLimitRetries: 2, sleep: async () => {} });
    server.failNext({
      route: 'POST /api/graphql',
      status: 429,
      retryAfter: 1,
      times: Number.POSITIVE_INFINITY,
    });
    // Act
    const error = await failure(host.snapshot('main', { files: ['README.md'], trees: [] }));
    // Assess
    expect(error.code).toBe('RATE_LIMITED');
    expect(server.counts()['POST /api/graphql']).toBe(3);
  });

  it.each([500, 502, 503] as const)('retries a %i on a read and succeeds', async (status) => {
    // Prepare
    const { server, host } = await start();
    server.failNext({ route: 'GET /projects/:id/repository/branches/:branch', status });
    // Act
    const snapshot = await host.snapshot('main', { files: [], trees: [] });
    // Assess
    expect(snapshot.head).toBe(await server.git('rev-parse', 'main'));
    expect(server.counts()['GET /projects/:id/repository/branches/:branch']).toBe(2);
  });

  it('reports a 5xx that does not go away as a retryable HOST_UNAVAILABLE after bounded retries', async () => {
    // Prepare
    const { server, host } = await start({}, { serverErrorRetries: 2 });
    server.failNext({ route: 'POST /api/graphql', status: 502, times: Number.POSITIVE_INFINITY });
    // Act
    const error = await failure(host.snapshot('main', { files: ['README.md'], trees: [] }));
    // Assess
    expect(error.code).toBe('HOST_UNAVAILABLE');
    expect(error.retryable).toBe(true);
    expect(server.counts()['POST /api/graphql']).toBe(3);
  });

  it('does not repeat the commit after a 5xx (it may have been made), and reports HOST_UNAVAILABLE', async () => {
    // Prepare
    const { server, host } = await start();
    server.failNext({ route: 'POST /projects/:id/repository/commits', status: 500 });
    const head = await server.git('rev-parse', 'main');
    // Act
    const error = await failure(
      host.commit('main', head, { message: 'm', changes: [{ path: 'a', content: text('a') }] }),
    );
    // Assess
    expect(error.code).toBe('HOST_UNAVAILABLE');
    expect(server.counts()['POST /projects/:id/repository/commits']).toBe(1);
    expect(await server.git('rev-parse', 'main')).toBe(head);
  });

  it('abandons a request GitLab does not answer within requestTimeoutMs, retries it, and succeeds', async () => {
    // Prepare
    const { server, host, sent } = await start({}, { requestTimeoutMs: 2_000 });
    server.failNext({ route: 'POST /api/graphql', kind: 'hang', ms: 10_000 });
    // Act
    const snapshot = await host.snapshot('main', { files: ['README.md'], trees: [] });
    // Assess
    expect(snapshot.files.get('README.md')).toBe('# cluster\n');
    expect(sent.filter((s) => s.startsWith('POST /api/graphql'))).toEqual([
      'POST /api/graphql undefined',
      'POST /api/graphql 200',
    ]);
  });

  it('reports a push GitLab does not answer as a retryable HOST_UNAVAILABLE without repeating it', async () => {
    // Prepare
    const { server, host } = await start({}, { requestTimeoutMs: 2_000 });
    server.failNext({ route: 'POST /:project.git/git-receive-pack', kind: 'hang', ms: 10_000 });
    const head = await server.git('rev-parse', 'main');
    // Act
    const error = await failure(
      host.commit('main', head, { message: 'm', changes: [{ path: 'a', content: text('a') }] }),
    );
    // Assess
    expect(error.code).toBe('HOST_UNAVAILABLE');
    expect(error.message).toMatch(/no answer from GitLab within 2000 ms \(POST .*git-receive-pack\)/);
    expect(server.counts()['POST /:project.git/git-receive-pack']).toBe(1);
  });

  it('reports a bad token as a terminal AUTH_FAILED with a clear message, without retrying', async () => {
    // Prepare
    const { server } = await start();
    const { host } = hostFor(server, {}, 'wrong-token');
    // Act
    const error = await failure(host.snapshot('main', { files: ['README.md'], trees: [] }));
    // Assess
    expect(error.code).toBe('AUTH_FAILED');
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/401.*check the token/);
    expect(server.total()).toBe(1);
  });

  it('reports a push refused for lack of rights as AUTH_FAILED', async () => {
    // Prepare: the API accepts the token, git over HTTPS does not (e.g. a token without push rights).
    const { server, host } = await start();
    server.failNext({ route: 'POST /:project.git/git-receive-pack', status: 403 });
    const head = await server.git('rev-parse', 'main');
    // Act
    const error = await failure(
      host.commit('main', head, { message: 'm', changes: [{ path: 'a', content: text('a') }] }),
    );
    // Assess
    expect(error.code).toBe('AUTH_FAILED');
    expect(error.retryable).toBe(false);
  });

  it('reports a conflict GitLab refuses (400) as a terminal REQUEST_REJECTED with its message', async () => {
    // Prepare
    const { server, host } = await start();
    server.failNext({
      route: 'POST /projects/:id/repository/commits',
      status: 400,
      message: 'A file with this name already exists',
    });
    const head = await server.git('rev-parse', 'main');
    // Act
    const error = await failure(
      host.commit('main', head, { message: 'm', changes: [{ path: 'a', content: text('a') }] }),
    );
    // Assess
    expect(error.code).toBe('REQUEST_REJECTED');
    expect(error.message).toMatch(/A file with this name already exists/);
  });
});

describe('GitLabGitHost merge requests', () => {
  const request = {
    head: 'promote/prod/demo-2.0.0',
    base: 'main',
    title: 'promote demo 2.0.0 to prod',
    body: 'demo 1.0.0 → 2.0.0',
    labels: ['chart-promoter', 'env/prod', 'chart/demo'],
  };

  it('opens one merge request per source branch, then updates it instead of opening another', async () => {
    // Prepare
    const { server, host } = await start();
    const head = await server.git('rev-parse', 'main');
    await host.setBranch(request.head, head);
    const { sha } = await host.commit(request.head, head, {
      message: 'promote demo 2.0.0 to prod',
      changes: [{ path: 'environments/prod/demo.yaml', content: text('kind: HelmRelease\n') }],
    });
    server.reset();
    // Act
    const first = await host.openPullRequest(request);
    const second = await host.openPullRequest({ ...request, body: 'demo 1.0.0 → 2.0.1', labels: ['extra'] });
    // Assess
    expect(first).toEqual({
      number: 1,
      url: `${server.url}/${server.projectPath}/-/merge_requests/1`,
      created: true,
    });
    expect(second).toEqual({ ...first, created: false });
    const [mr, ...others] = server.mergeRequests();
    expect(others).toEqual([]);
    expect(mr).toMatchObject({
      sourceBranch: request.head,
      targetBranch: 'main',
      description: 'demo 1.0.0 → 2.0.1',
    });
    expect(mr!.labels).toEqual(['chart-promoter', 'env/prod', 'chart/demo', 'extra']);
    expect(await server.git('rev-parse', request.head)).toBe(sha);
    expect(server.counts()).toEqual({
      'GET /projects/:id/merge_requests': 2,
      'POST /projects/:id/merge_requests': 1,
      'PUT /projects/:id/merge_requests/:merge_request_iid': 1,
    });
  });

  it('adopts the merge request another run opened between its look-up and its create (409)', async () => {
    // Prepare: the look-up sees none; GitLab then refuses the create as a duplicate.
    const { server, host } = await start();
    const head = await server.git('rev-parse', 'main');
    await host.setBranch(request.head, head);
    const api = new GitLabApi({
      baseUrl: server.url,
      projectPath: server.projectPath,
      token: server.token,
      transport: new GitLabTransport(),
    });
    await api.mergeRequests.create(server.projectPath, request.head, 'main', 'theirs');
    const racing = new GitLabGitHost({ api });
    // Act: hide the existing one from the first look-up only.
    const original = api.mergeRequests.all.bind(api.mergeRequests);
    let lookups = 0;
    api.mergeRequests.all = ((options: Parameters<typeof original>[0]) => {
      lookups++;
      return lookups === 1 ? Promise.resolve([]) : original(options);
    }) as typeof original;
    const result = await racing.openPullRequest(request);
    // Assess
    expect(result).toMatchObject({ number: 1, created: false });
    expect(server.mergeRequests()).toHaveLength(1);
    expect(server.mergeRequests()[0]!.labels).toEqual(request.labels);
  });

  it('moves an existing merge-request branch to a new start (setBranch on an existing branch)', async () => {
    // Prepare
    const { server, host } = await start();
    const first = await server.git('rev-parse', 'main');
    await host.setBranch(request.head, first);
    const second = await server.competingCommit('other.txt', 'x\n');
    // Act
    await host.setBranch(request.head, second);
    await host.setBranch(request.head, first);
    // Assess
    expect(await server.git('rev-parse', request.head)).toBe(first);
  });
});
