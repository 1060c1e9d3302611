import { afterEach, describe, expect, it } from 'vitest';
import { createGitHubClient } from '../../../functions/adapters/git-hosts/github/github-client';
import { GitHubGitHost } from '../../../functions/adapters/git-hosts/github/github-git-host';
import type { ChartFile } from '../../../functions/chart/chart';
import { runEnvironmentMove } from '../../../functions/promotion/moves/run-environment-move';
import { commitUploads } from '../../../functions/promotion/uploads/commit-uploads';
import { FakeClock } from '../../support/feedback-harness';
import { type GitHubApiServer, startGitHubApiServer } from '../../support/github-api-server';
import { makeRequest } from '../../support/promotion-fixtures';

/**
 * Gated environments on GitHub (the local GitHub API server, checked against GitHub's OpenAPI
 * description): one pull request per chart, environment and version, labelled; a re-run updates its
 * branch and finds the open request instead of opening a second one.
 */
const policy = (prodMode: string) => `environments:
  - name: dev
  - name: prod
    after: dev
    mode: ${prodMode}
`;
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const servers: GitHubApiServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

const withValues = (version: string, values: string) => {
  const { environment: _, ...request } = makeRequest('web', version, 'dev', { runId: `run-${version}` });
  const data = new TextEncoder().encode(values);
  const files: ChartFile[] = request.chart.files.map((file) =>
    file.path === 'values.yaml' ? { path: file.path, size: data.byteLength, data } : file,
  );
  return { ...request, chart: { ...request.chart, files } };
};

describe('pull requests for gated environments (GitHub)', () => {
  it('opens one pull request with the version move, template and values changes; a re-run updates it', async () => {
    // Prepare: prod runs 1.0.0 (promoted while prod was direct), then prod becomes gated.
    const server = await startGitHubApiServer({ seed: { '.chart-promoter.yaml': policy('direct') } });
    servers.push(server);
    const octokit = createGitHubClient({
      auth: { token: server.token },
      baseUrl: server.url,
      writeSpacingMs: 0,
      log: quiet,
    });
    const host = new GitHubGitHost({ octokit, owner: server.owner, repo: server.repo });
    const clock = new FakeClock(new Date('2026-03-01T10:00:00Z'));
    const options = { clock, fallbackEnvironment: 'dev' };
    await commitUploads(host, 'main', [withValues('1.0.0', 'replicas: 1\nimage: web:1\n')], options);
    await runEnvironmentMove(
      host,
      'main',
      { kind: 'promote', chart: 'web', version: '1.0.0', to: 'prod', runId: 'r0' },
      options,
    );
    await server.competingCommit('.chart-promoter.yaml', policy('pull-request'));
    await commitUploads(host, 'main', [withValues('1.1.0', 'replicas: 2\nimage: web:1\n')], options);
    const mainBefore = await server.git('rev-parse', 'main');
    const move = {
      kind: 'promote' as const,
      chart: 'web',
      version: '1.1.0',
      from: 'dev',
      to: 'prod',
      runId: 'run-1.1.0',
    };
    const labels = ['chart-promoter', 'env/prod', 'chart/web'];
    // Act
    const first = await runEnvironmentMove(host, 'main', move, options);
    const labelsAfterFirst = [...(server.pulls()[0]?.labels ?? [])];
    server.reset();
    const second = await runEnvironmentMove(host, 'main', move, options);
    // Assess
    expect(first).toMatchObject({
      status: 'pull-request',
      created: true,
      branch: 'promote/prod/web',
      fromVersion: '1.0.0',
    });
    expect(second).toMatchObject({
      status: 'pull-request',
      created: false,
      number: (first as { number: number }).number,
    });
    expect(server.pulls()).toHaveLength(1);
    const [pull] = server.pulls();
    expect(pull).toMatchObject({
      title: 'promote web 1.1.0 to prod',
      head: 'promote/prod/web',
      base: 'main',
      state: 'open',
    });
    expect(labelsAfterFirst).toEqual(labels);
    expect(pull!.labels).toEqual(labels); // the re-run added none twice
    expect(server.counts()['POST /repos/{owner}/{repo}/issues/{issue_number}/labels']).toBe(1);
    expect(pull!.body).toContain('| chart version | 1.0.0 → 1.1.0 |');
    expect(pull!.body).toContain('templates/: unchanged');
    expect(pull!.body).toContain('- replicas: 1\n+ replicas: 2\n  image: web:1');
    expect(await server.git('rev-parse', 'main')).toBe(mainBefore);
    expect(await server.git('show', 'promote/prod/web:environments/prod/web.yaml')).toContain(
      'chart: ./charts/web/1.1.0',
    );
    expect(server.validationErrors()).toEqual([]);
  });
});
