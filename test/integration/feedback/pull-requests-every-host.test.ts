import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { GIT_HOSTS, gitHostDescriptor } from '../../../functions/adapters/git-hosts/registry';
import type { ChartFile } from '../../../functions/chart/chart';
import type { GitHost } from '../../../functions/ports/git-host';
import { runEnvironmentMove } from '../../../functions/promotion/moves/run-environment-move';
import { commitUploads } from '../../../functions/promotion/uploads/commit-uploads';
import { FakeClock } from '../../support/feedback-harness';
import type { ContractVariant, RegistryFixture } from '../../support/git-host-fixtures/contract-fixture';
import { makeRequest } from '../../support/promotion-fixtures';

/**
 * Gated environments on every host that has pull (merge) requests, built through the registry against
 * its stand-in: one request per chart and environment on the branch `promote/<env>/<chart>`, updated
 * by a re-run and by a newer version, never a second one; the version's issue keys in the title (where
 * Jira's Bitbucket, GitHub and GitLab integrations read them) and in the commit's `Refs:` trailers; and
 * the very same body on every host (the domain writes it, the adapters only carry it).
 */

const policy = (prodMode: string) => `environments:
  - name: dev
  - name: prod
    after: dev
    mode: ${prodMode}
`;

const upload = (version: string, values: string, issues: readonly string[] = []) => {
  const { environment: _, ...request } = makeRequest('web', version, 'dev', { runId: `run-${version}` });
  const data = new TextEncoder().encode(values);
  const files: ChartFile[] = request.chart.files.map((file) =>
    file.path === 'values.yaml' ? { path: file.path, size: data.byteLength, data } : file,
  );
  return { ...request, chart: { ...request.chart, files }, issues };
};

const toProd = (version: string) =>
  ({ kind: 'promote', chart: 'web', version, from: 'dev', to: 'prod', runId: `run-${version}` }) as const;

const fixtureModule = (kind: string): string =>
  fileURLToPath(new URL(`../../support/git-host-fixtures/${kind}.ts`, import.meta.url));

/** Bodies of the second proposal, by host: compared once every host has run. */
const bodies = new Map<string, string>();

for (const descriptor of GIT_HOSTS) {
  if (!existsSync(fixtureModule(descriptor.kind))) continue;
  const { contractVariants } = (await import(fixtureModule(descriptor.kind))) as {
    contractVariants: readonly ContractVariant[];
  };
  const variant = contractVariants[0]!;
  describe(`pull requests on ${descriptor.displayName} (${descriptor.kind}, through the registry)`, () => {
    let fixture: RegistryFixture | undefined;
    afterAll(() => fixture?.close());

    it('proposes each version on one branch and one request per chart and environment, keys in the title', async () => {
      // Prepare: prod ran 1.0.0 while it was direct, then the policy gates it.
      fixture = await variant.start({ '.chart-promoter.yaml': policy('direct') });
      const { host } = await gitHostDescriptor(descriptor.kind).create(fixture.settings);
      const pulls = fixture.pullRequests;
      const options = { clock: new FakeClock(new Date('2026-03-01T10:00:00Z')), fallbackEnvironment: 'dev' };
      const commit = (version: string, values: string, issues?: readonly string[]) =>
        commitUploads(host, fixture!.branch, [upload(version, values, issues)], options);
      const move = (h: GitHost, version: string) =>
        runEnvironmentMove(h, fixture!.branch, toProd(version), options);
      await commit('1.0.0', 'replicas: 1\nimage: web:1\n');
      await runEnvironmentMove(host, fixture.branch, { ...toProd('1.0.0'), from: undefined }, options);
      await fixture.competingCommit('.chart-promoter.yaml', policy('pull-request'));
      const baseHead = () => fixture!.git('rev-parse', fixture!.branch);

      // Act: 1.1.0 proposed, proposed again, then 1.2.0 (other keys) while the request is open.
      await commit('1.1.0', 'replicas: 2\nimage: web:1\n', ['ABC-1']);
      const main = await baseHead();
      const first = await move(host, '1.1.0');
      const again = await move(host, '1.1.0');
      const mainAfterProposals = await baseHead();
      await commit('1.2.0', 'replicas: 3\nimage: web:2\n', ['OPS-2', 'OPS-3']);
      const uploaded = await baseHead();
      const newer = await move(host, '1.2.0');

      // Assess
      if (!pulls) {
        // Plain git: the branch alone, for a human to open the request in the host's UI.
        expect([first.status, again.status, newer.status]).toEqual([
          'branch-pushed',
          'branch-pushed',
          'branch-pushed',
        ]);
        return;
      }
      expect(first).toMatchObject({ status: 'pull-request', created: true, branch: 'promote/prod/web' });
      expect(again).toMatchObject({
        status: 'pull-request',
        created: false,
        number: (first as { number: number }).number,
      });
      expect(newer).toMatchObject({
        status: 'pull-request',
        created: false,
        number: (first as { number: number }).number,
      });
      const open = pulls().filter((p) => p.open);
      expect(open).toHaveLength(1);
      const [pull] = open;
      expect(pull).toMatchObject({
        head: 'promote/prod/web',
        base: fixture.branch,
        title: 'promote web 1.2.0 to prod (OPS-2, OPS-3)',
      });
      expect(pull!.body).toContain('| chart version | 1.0.0 → 1.2.0 |');
      expect(pull!.body).toContain('| issues | OPS-2, OPS-3 |');
      expect(pull!.body).toContain('templates/: unchanged');
      expect(pull!.body).toContain('- replicas: 1\n- image: web:1\n+ replicas: 3\n+ image: web:2');
      bodies.set(descriptor.kind, pull!.body);
      // The branch holds the newer proposal, one commit on the base, with the keys as trailers.
      expect(await fixture.git('rev-parse', 'promote/prod/web~1')).toBe(await baseHead());
      expect(await fixture.git('show', 'promote/prod/web:environments/prod/web.yaml')).toContain(
        'chart: ./charts/web/1.2.0',
      );
      expect(await fixture.git('log', '-1', '--format=%B', 'promote/prod/web')).toContain(
        'Refs: OPS-2\nRefs: OPS-3',
      );
      // Proposals never touch the base branch (only uploads do).
      expect(mainAfterProposals).toBe(main);
      expect(await baseHead()).toBe(uploaded);
    });
  });
}

describe('the pull-request body', () => {
  it('is the same on every host', () => {
    expect(bodies.size).toBeGreaterThanOrEqual(3);
    expect(new Set(bodies.values()).size).toBe(1);
  });
});
