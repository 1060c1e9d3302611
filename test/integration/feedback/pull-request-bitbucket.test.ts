import { afterEach, describe, expect, it } from 'vitest';
import { BitbucketGitHost } from '../../../functions/adapters/git-hosts/bitbucket/adapter';
import { BitbucketClient } from '../../../functions/adapters/git-hosts/bitbucket/http-client';
import { SnapshotCache } from '../../../functions/adapters/git-hosts/bitbucket/snapshot-cache';
import type { ChartFile } from '../../../functions/chart/chart';
import { runEnvironmentMove } from '../../../functions/promotion/moves/run-environment-move';
import { commitUploads } from '../../../functions/promotion/uploads/commit-uploads';
import { type BitbucketApiServer, startBitbucketApiServer } from '../../support/bitbucket-api-server';
import { FakeClock } from '../../support/feedback-harness';
import { makeRequest } from '../../support/promotion-fixtures';

/**
 * Gated environments on Bitbucket Cloud (the local stand-in, checked against Atlassian's OpenAPI
 * description), through the same domain code as on GitHub: one pull request per chart, environment
 * and version, the same body (version move, template change by tree id, values diff); a re-run moves
 * the branch to a fresh proposal and finds the open request instead of opening a second one.
 */
const policy = (prodMode: string) => `environments:
  - name: dev
  - name: prod
    after: dev
    mode: ${prodMode}
`;
const servers: BitbucketApiServer[] = [];
afterEach(async () => {
  const all = servers.splice(0);
  const errors = all.flatMap((s) => s.validationErrors());
  for (const server of all) await server.close();
  expect(errors).toEqual([]);
});

const withValues = (version: string, values: string) => {
  const { environment: _, ...request } = makeRequest('web', version, 'dev', { runId: `run-${version}` });
  const data = new TextEncoder().encode(values);
  const files: ChartFile[] = request.chart.files.map((file) =>
    file.path === 'values.yaml' ? { path: file.path, size: data.byteLength, data } : file,
  );
  return { ...request, chart: { ...request.chart, files } };
};

const hostOn = (server: BitbucketApiServer, cache = new SnapshotCache()) =>
  new BitbucketGitHost({
    client: new BitbucketClient({
      auth: { kind: 'token', token: server.token },
      baseUrl: server.url,
      serverErrorRetries: 0,
    }),
    repository: { workspace: server.workspace, slug: server.repo },
    cache,
  });

describe('pull requests for gated environments (Bitbucket Cloud)', () => {
  it('opens one pull request with the version move, template and values changes; a re-run updates it', async () => {
    // Prepare: prod runs 1.0.0 (promoted while prod was direct), then prod becomes gated.
    const server = await startBitbucketApiServer({ seed: { '.chart-promoter.yaml': policy('direct') } });
    servers.push(server);
    const host = hostOn(server);
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
    // Act
    const first = await runEnvironmentMove(host, 'main', move, options);
    const second = await runEnvironmentMove(hostOn(server), 'main', move, options);
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
      source: 'promote/prod/web',
      destination: 'main',
      state: 'OPEN',
    });
    expect(pull!.description).toContain('| chart version | 1.0.0 → 1.1.0 |');
    // Tree ids computed from the files Bitbucket served are git's own: equal templates compare equal.
    const templates = await server.git('rev-parse', 'main:charts/web/1.1.0/templates');
    expect(await server.git('rev-parse', 'main:charts/web/1.0.0/templates')).toBe(templates);
    expect(pull!.description).toContain(`templates/: unchanged (tree ${templates.slice(0, 12)})`);
    expect(pull!.description).toContain('- replicas: 1\n+ replicas: 2\n  image: web:1');
    expect(await server.git('rev-parse', 'main')).toBe(mainBefore);
    expect(await server.git('show', 'promote/prod/web:environments/prod/web.yaml')).toContain(
      'chart: ./charts/web/1.1.0',
    );
    expect(await server.git('rev-parse', 'promote/prod/web~1')).toBe(mainBefore);
  });
});
