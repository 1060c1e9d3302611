import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubClient } from '../../../functions/adapters/git-hosts/github/github-client';
import { GitHubGitHost } from '../../../functions/adapters/git-hosts/github/github-git-host';
import type { HelmChartRenderer } from '../../../functions/adapters/helm-chart-renderer';
import { runValuesChange } from '../../../functions/promotion/values/run-values-change';
import { VALUES_BASE_ANNOTATION, valuesBaseBranch } from '../../../functions/promotion/values/values-change';
import { FakeClock } from '../../support/feedback-harness';
import { type GitHubApiServer, startGitHubApiServer } from '../../support/github-api-server';
import { helmRenderer, releaseText, repositoryFiles, valuesChange } from '../../support/values-fixtures';

/**
 * A values change end to end against the local GitHub API server (checked against GitHub's OpenAPI
 * description) with the real helm binary: the gates (credentials, the chart's values.schema.json,
 * `helm template` of the chart version the environment runs), each refusal with its code and no
 * commit, a direct commit that keeps the human's comments, and a pull request with the values diff
 * for a gated environment (`mode: pull-request`).
 */
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const HUMAN_VALUES =
  '  values:\n    # two replicas: the on-call asked for it (OPS-12)\n    replicaCount: 2\n';

describe('values changes through the commit loop (GitHub, real helm)', () => {
  let server: GitHubApiServer;
  let host: GitHubGitHost;
  let renderer: HelmChartRenderer;
  const clock = new FakeClock(new Date('2026-03-01T10:00:00Z'));
  const options = () => ({ clock, fallbackEnvironment: 'dev', renderer });
  const fileAtMain = (path: string) => server.git('show', `main:${path}`);

  beforeAll(async () => {
    renderer = await helmRenderer();
    server = await startGitHubApiServer({
      seed: await repositoryFiles(
        {
          staging: releaseText('staging', 'hello-web', '1.0.0', HUMAN_VALUES),
          prod: releaseText('prod', 'hello-web', '1.0.0', HUMAN_VALUES),
          // A release whose valuesFrom names a Secret: its values live only in the cluster.
          qa: releaseText(
            'qa',
            'hello-web',
            '1.0.0',
            '  valuesFrom:\n    - kind: Secret\n      name: hello-web-values\n  values: {}\n',
          ),
          // A release naming a chart directory the repository does not hold.
          canary: releaseText('canary', 'hello-web', '9.9.9'),
        },
        {
          '.chart-promoter.yaml':
            'environments:\n  - name: dev\n  - name: staging\n    after: dev\n    autoRollback: true\n  - name: prod\n    after: staging\n    mode: pull-request\n  - name: qa\n    after: dev\n  - name: canary\n    after: dev\n',
        },
      ),
    });
    const octokit = createGitHubClient({
      auth: { token: server.token },
      baseUrl: server.url,
      writeSpacingMs: 0,
      log: quiet,
    });
    host = new GitHubGitHost({ octokit, owner: server.owner, repo: server.repo });
  });

  afterAll(async () => {
    await server?.close();
  });

  it.each([
    [
      'VALUES_SECRET_SUSPECTED',
      'staging',
      'auth:\n  password: hunter2\n',
      /auth\.password \("password" names a credential\)/,
    ],
    [
      'VALUES_SECRET_SUSPECTED',
      'staging',
      'env:\n  - name: DB_PASSWORD\n    value: hunter2\n',
      /env\[0\]\.value \(the variable DB_PASSWORD names a credential\)/,
    ],
    ['VALUES_SCHEMA_VIOLATION', 'staging', 'replicaCount: -1\n', /replicaCount/],
    ['VALUES_SCHEMA_VIOLATION', 'staging', 'image:\n  tag: ""\n', /image\/tag|tag/],
    [
      'RENDER_FAILED',
      'staging',
      'message: "x\\nfoo: [bar"\n',
      /YAML parse error on hello-web\/templates\/configmap\.yaml/,
    ],
    ['ENVIRONMENT_UNKNOWN', 'perf', 'replicaCount: 3\n', /"perf" is not in the policy/],
    ['RELEASE_NOT_FOUND', 'dev', 'replicaCount: 3\n', /dev does not run hello-web/],
    ['VALUES_FROM_UNSUPPORTED', 'qa', 'replicaCount: 3\n', /Secret qa\/hello-web-values/],
    [
      'VERSION_NOT_FOUND',
      'canary',
      'replicaCount: 3\n',
      /charts\/hello-web\/9\.9\.9\/ is not in the repository/,
    ],
  ])('refuses %s (%s: %s) and commits nothing', async (code, environment, yaml, message) => {
    // Prepare
    const before = await server.git('rev-parse', 'main');

    // Act
    const outcome = await runValuesChange(host, 'main', valuesChange(environment, yaml), options());

    // Assess
    expect(outcome).toMatchObject({ status: 'refused', code });
    expect(outcome.status === 'refused' && outcome.message).toMatch(message);
    if (code === 'VALUES_SECRET_SUSPECTED') expect(JSON.stringify(outcome)).not.toContain('hunter2');
    expect(await server.git('rev-parse', 'main')).toBe(before);
  });

  it('commits a values change in a direct environment, keeping the comments and keys it leaves', async () => {
    // Prepare
    const before = await server.git('rev-parse', 'main');
    server.reset();
    const change = valuesChange(
      'staging',
      '# two replicas: the on-call asked for it (OPS-12)\nreplicaCount: 2\n# CI rolled the image\nimage:\n  tag: "1.27.4"\n',
      { runId: 'values-run-1' },
    );

    // Act
    const outcome = await runValuesChange(host, 'main', change, options());

    // Assess
    expect(outcome).toMatchObject({ status: 'committed', chartVersion: '1.0.0' });
    const text = await fileAtMain('environments/staging/hello-web.yaml');
    expect(text).toContain(
      '  values:\n    # two replicas: the on-call asked for it (OPS-12)\n    replicaCount: 2\n    # CI rolled the image\n    image:\n      tag: "1.27.4"',
    );
    expect(text).toContain('event.toolkit.fluxcd.io/run-id: values-run-1');
    // autoRollback: the commit the change was made on is recorded, for putting the values back.
    expect(text).toContain(`${VALUES_BASE_ANNOTATION}: ${before}`);
    expect(await server.git('rev-parse', valuesBaseBranch('staging', 'hello-web'))).toBe(before);
    expect(await server.git('log', '-1', '--format=%s', 'main')).toBe(
      'set values of hello-web in staging (image)',
    );
    // Figure for ARCHITECTURE.md: requests per values change on GitHub (chart version not read before).
    console.info(`values change on GitHub: ${server.total()} requests ${JSON.stringify(server.counts())}`);
    expect(server.validationErrors()).toEqual([]);
  });

  it('answers unchanged, committing nothing, when the environment already has these values', async () => {
    // Prepare
    const before = await server.git('rev-parse', 'main');
    const change = valuesChange('staging', 'replicaCount: 2\nimage:\n  tag: "1.27.4"\n', {
      runId: 'values-run-2',
    });

    // Act
    const outcome = await runValuesChange(host, 'main', change, options());

    // Assess
    expect(outcome).toMatchObject({ status: 'unchanged', chartVersion: '1.0.0' });
    expect(await server.git('rev-parse', 'main')).toBe(before);
  });

  it('proposes a values change for a gated environment: a pull request showing the values diff and the rendered change', async () => {
    // Prepare
    const before = await server.git('rev-parse', 'main');

    // Act
    const outcome = await runValuesChange(
      host,
      'main',
      valuesChange('prod', 'replicaCount: 3\n', { runId: 'values-run-3' }),
      options(),
    );

    // Assess
    expect(outcome).toMatchObject({ status: 'pull-request', created: true, branch: 'values/prod/hello-web' });
    expect(await server.git('rev-parse', 'main')).toBe(before);
    const [pull] = server.pulls();
    expect(pull?.title).toBe('set values of hello-web in prod');
    expect(pull?.body).toContain('```diff');
    expect(pull?.body).toMatch(/^-\s+replicaCount: 2$/m);
    expect(pull?.body).toMatch(/^\+\s+replicaCount: 3$/m);
    expect(pull?.body).toContain('The rendered manifests change');
    expect(pull?.body).toContain('`Deployment prod/hello-web`');
    const proposed = await server.git('show', 'values/prod/hello-web:environments/prod/hello-web.yaml');
    // The human's comment stays above the key the change rewrote.
    expect(proposed).toMatch(/ {4}# two replicas: the on-call asked for it \(OPS-12\)\n {4}replicaCount: 3$/);
  });
});
