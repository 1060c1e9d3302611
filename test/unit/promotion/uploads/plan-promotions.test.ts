import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { RUN_ID_ANNOTATION } from '../../../../functions/promotion/manifests/helm-release-manifest';
import { planPromotions } from '../../../../functions/promotion/uploads/plan-promotions';
import { snapshotRequestFor } from '../../../../functions/promotion/uploads/snapshot-request';
import { changedTexts, makeRequest, snapshotOf } from '../../../support/promotion-fixtures';

/** The repository files as they are after a plan for `requests` is applied to `files`. */
const applied = async (files: Record<string, string>, requests: Parameters<typeof planPromotions>[1]) => {
  const plan = planPromotions(await snapshotOf(files, requests), requests);
  const texts = changedTexts(plan.changeSet?.changes);
  return { plan, files: { ...files, ...(texts as Record<string, string>) } };
};

describe('snapshotRequestFor', () => {
  it('lists each release, kustomization and chart tree once, and nothing for invalid environments', () => {
    // Act
    const request = snapshotRequestFor([
      makeRequest('web', '1.0.0', 'dev'),
      makeRequest('web', '1.0.0', 'staging'),
      makeRequest('api', '2.0.0', 'dev'),
      makeRequest('api', '2.0.0', '../etc'),
    ]);
    // Assess
    expect(request).toEqual({
      files: [
        'environments/dev/api.yaml',
        'environments/dev/kustomization.yaml',
        'environments/dev/web.yaml',
        'environments/staging/kustomization.yaml',
        'environments/staging/web.yaml',
      ],
      trees: ['charts/api/2.0.0', 'charts/web/1.0.0'],
    });
  });
});

describe('planPromotions', () => {
  it('writes the chart, a new HelmRelease and a new kustomization for a first promotion', async () => {
    // Prepare
    const request = makeRequest('web', '1.0.0', 'dev', { runId: 'run-42' });
    // Act
    const { plan } = await applied({}, [request]);
    // Assess
    const texts = changedTexts(plan.changeSet?.changes);
    expect(Object.keys(texts)).toEqual([
      'charts/web/1.0.0/Chart.yaml',
      'charts/web/1.0.0/templates/configmap.yaml',
      'charts/web/1.0.0/values.yaml',
      'environments/dev/kustomization.yaml',
      'environments/dev/web.yaml',
    ]);
    const release = parse(texts['environments/dev/web.yaml']!);
    expect(release.metadata).toEqual({
      name: 'web',
      namespace: 'dev',
      annotations: { [RUN_ID_ANNOTATION]: 'run-42' },
    });
    expect(release.spec.chart.spec.chart).toBe('./charts/web/1.0.0');
    expect(release.spec.chart.spec.sourceRef).toEqual({
      kind: 'GitRepository',
      name: 'flux-system',
      namespace: 'flux-system',
    });
    expect(parse(texts['environments/dev/kustomization.yaml']!).resources).toEqual(['web.yaml']);
    expect(plan.changeSet?.message.split('\n')[0]).toBe('promote web 1.0.0 to dev');
    expect(plan.outcomes).toEqual([
      {
        status: 'promoted',
        request,
        changes: { chartWritten: true, release: 'created', kustomizationUpdated: true },
      },
    ]);
  });

  it('is idempotent: planning the same chart again changes nothing and commits nothing', async () => {
    // Prepare
    const first = await applied({}, [makeRequest('web', '1.0.0', 'dev', { runId: 'run-1' })]);
    const again = makeRequest('web', '1.0.0', 'dev', { runId: 'run-2' });
    // Act
    const { plan } = await applied(first.files, [again]);
    // Assess
    expect(plan.changeSet).toBeUndefined();
    expect(plan.outcomes).toEqual([
      { status: 'unchanged', request: again, reason: 'dev already runs web 1.0.0' },
    ]);
  });

  it('updates only the chart reference when a new version is promoted, reporting the previous one', async () => {
    // Prepare
    const first = await applied({}, [makeRequest('web', '1.0.0')]);
    // Act
    const { plan } = await applied(first.files, [makeRequest('web', '1.1.0')]);
    // Assess
    expect(
      Object.keys(changedTexts(plan.changeSet?.changes)).filter((p) => p.startsWith('environments/')),
    ).toEqual(['environments/dev/web.yaml']);
    expect(plan.outcomes[0]).toMatchObject({
      status: 'promoted',
      changes: {
        chartWritten: true,
        release: 'updated',
        previousVersion: '1.0.0',
        kustomizationUpdated: false,
      },
    });
  });

  it('refuses VERSION_IMMUTABLE when the version exists with other content, and promotes the rest of the batch', async () => {
    // Prepare
    const first = await applied({}, [makeRequest('web', '1.0.0')]);
    const changed = makeRequest('web', '1.0.0', 'staging', { flavour: '-changed' });
    const other = makeRequest('api', '3.0.0', 'staging');
    // Act
    const { plan } = await applied(first.files, [changed, other]);
    // Assess
    expect(plan.outcomes[0]).toMatchObject({
      status: 'refused',
      code: 'VERSION_IMMUTABLE',
      path: 'charts/web/1.0.0',
    });
    expect(plan.outcomes[1]).toMatchObject({ status: 'promoted' });
    const paths = Object.keys(changedTexts(plan.changeSet?.changes));
    expect(paths.some((p) => p.includes('web'))).toBe(false);
    expect(plan.changeSet?.message.split('\n')[0]).toBe('promote api 3.0.0 to staging');
  });

  it('plans a batch of several charts and environments as one change set', async () => {
    // Prepare
    const requests = [
      makeRequest('web', '1.0.0', 'dev'),
      makeRequest('api', '2.0.0', 'dev'),
      makeRequest('web', '1.0.0', 'staging'),
      makeRequest('db', '0.1.0', 'staging'),
    ];
    // Act
    const { plan, files } = await applied({}, requests);
    // Assess
    expect(plan.outcomes.map((o) => o.status)).toEqual(['promoted', 'promoted', 'promoted', 'promoted']);
    expect(parse(files['environments/dev/kustomization.yaml']!).resources).toEqual(['api.yaml', 'web.yaml']);
    expect(parse(files['environments/staging/kustomization.yaml']!).resources).toEqual([
      'db.yaml',
      'web.yaml',
    ]);
    expect(plan.outcomes[2]).toMatchObject({ changes: { chartWritten: false, release: 'created' } });
    const chartPaths = plan
      .changeSet!.changes.filter((c) => c.path.startsWith('charts/web/'))
      .map((c) => c.path);
    expect(chartPaths).toHaveLength(3);
    expect(plan.changeSet!.message).toMatch(/^promote 4 releases\n\n- web 1.0.0 → dev\n/);
  });

  it('lets the highest version win for one chart and environment, and deduplicates the same version', async () => {
    // Prepare
    const requests = [
      makeRequest('web', '1.10.0', 'dev', { runId: 'a' }),
      makeRequest('web', '1.9.0', 'dev', { runId: 'b' }),
      makeRequest('web', '1.10.0', 'dev', { runId: 'c' }),
      makeRequest('web', '1.10.0', 'dev', { runId: 'd', flavour: '-other' }),
    ];
    // Act
    const { plan, files } = await applied({}, requests);
    // Assess
    expect(plan.outcomes.map((o) => o.status)).toEqual(['promoted', 'superseded', 'unchanged', 'refused']);
    expect(plan.outcomes[1]).toMatchObject({ by: '1.10.0' });
    expect(plan.outcomes[3]).toMatchObject({ code: 'VERSION_IMMUTABLE' });
    expect(parse(files['environments/dev/web.yaml']!).spec.chart.spec.chart).toBe('./charts/web/1.10.0');
    expect(Object.keys(files).some((p) => p.startsWith('charts/web/1.9.0/'))).toBe(false);
  });

  it.each([
    ['environments/dev/web.yaml', 'kind: Deployment\n', 'RELEASE_MANIFEST_INVALID'],
    ['environments/dev/kustomization.yaml', 'resources: {}\n', 'KUSTOMIZATION_INVALID'],
  ])(
    'refuses when %s is invalid (%s) with its code, and still promotes other environments',
    async (path, text, code) => {
      // Prepare
      const requests = [makeRequest('web', '1.0.0', 'dev'), makeRequest('web', '1.0.0', 'prod')];
      // Act
      const { plan } = await applied({ [path]: text }, requests);
      // Assess
      expect(plan.outcomes[0]).toMatchObject({ status: 'refused', code, path });
      expect(plan.outcomes[1]).toMatchObject({ status: 'promoted' });
      expect(plan.changeSet!.changes.some((c) => c.path.startsWith('environments/dev/'))).toBe(false);
    },
  );

  it('refuses a release that would violate the Flux schema, and an unusable environment name', async () => {
    // Prepare
    const release =
      'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: web}\n' +
      'spec: {interval: soon, chart: {spec: {chart: ./charts/web/0.9.0, sourceRef: {kind: GitRepository, name: r}}}}\n';
    const requests = [makeRequest('web', '1.0.0', 'dev'), makeRequest('web', '1.0.0', 'Dev_2')];
    // Act
    const { plan } = await applied({ 'environments/dev/web.yaml': release }, requests);
    // Assess
    expect(plan.outcomes[0]).toMatchObject({ status: 'refused', code: 'RELEASE_SCHEMA_VIOLATION' });
    expect(plan.outcomes[0]!.status === 'refused' && plan.outcomes[0]!.message).toContain('/spec/interval');
    expect(plan.outcomes[1]).toMatchObject({ status: 'refused', code: 'ENVIRONMENT_INVALID' });
    expect(plan.changeSet).toBeUndefined();
  });

  it('uses the configured source, namespace and interval for new releases', async () => {
    // Prepare
    const requests = [makeRequest('web', '1.0.0', 'prod')];
    const snapshot = await snapshotOf({}, requests);
    // Act
    const plan = planPromotions(snapshot, requests, {
      sourceRef: { name: 'cluster', namespace: 'gitops' },
      releaseNamespaces: { prod: 'web-prod' },
      interval: '1h',
      layout: { chartsDir: 'clusters/eu/charts', environmentsDir: 'clusters/eu/envs' },
    });
    // Assess
    const texts = changedTexts(plan.changeSet?.changes);
    const release = parse(texts['clusters/eu/envs/prod/web.yaml']!);
    expect(release.metadata.namespace).toBe('web-prod');
    expect(release.spec.interval).toBe('1h');
    expect(release.spec.chart.spec.chart).toBe('./clusters/eu/charts/web/1.0.0');
    expect(release.spec.chart.spec.sourceRef).toEqual({
      kind: 'GitRepository',
      name: 'cluster',
      namespace: 'gitops',
    });
    expect(texts['clusters/eu/charts/web/1.0.0/Chart.yaml']).toContain('name: web');
  });
});
