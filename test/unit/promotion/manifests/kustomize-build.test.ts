import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { KubectlKustomize } from '../../../../functions/adapters/kubectl-kustomize';
import { layerBinaryPath } from '../../../../functions/adapters/layer-binaries';
import { validateHelmRelease } from '../../../../functions/promotion/manifests/flux-schema';
import { planPromotions } from '../../../../functions/promotion/uploads/plan-promotions';
import { changedTexts, makeRequest, snapshotOf } from '../../../support/promotion-fixtures';

let workDir: string;
let kustomize: KubectlKustomize;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'promotion-kustomize-'));
  kustomize = new KubectlKustomize({ kubectlPath: await layerBinaryPath('kubectl'), tempDir: workDir });
});
afterAll(() => rm(workDir, { recursive: true, force: true }));

const writeTree = async (root: string, files: Readonly<Record<string, string>>): Promise<void> => {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
};

describe('environment directories produced by a plan', () => {
  it('build with the real kubectl kustomize, every HelmRelease in them passing the Flux schema', async () => {
    // Prepare: a repository with the contract's seed kustomization and a human-edited release.
    const existing = {
      'environments/dev/kustomization.yaml': 'resources: []\n',
      'environments/prod/kustomization.yaml': '# prod\nresources:\n  - legacy.yaml # hand-written\n',
      'environments/prod/legacy.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: legacy}\n',
      'environments/prod/web.yaml':
        'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: web\n  namespace: prod\n' +
        'spec:\n  interval: 5m\n  chart:\n    spec:\n      chart: ./charts/web/0.9.0\n' +
        '      sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}\n  values:\n    replicas: 4 # peak\n',
    };
    const requests = [
      makeRequest('web', '1.0.0', 'dev'),
      makeRequest('api', '2.0.0', 'dev'),
      makeRequest('web', '1.0.0', 'prod'),
    ];
    const plan = planPromotions(await snapshotOf(existing, requests), requests);
    const root = join(workDir, 'repo');
    await writeTree(root, {
      ...existing,
      ...(changedTexts(plan.changeSet?.changes) as Record<string, string>),
    });
    // Act
    const dev = await kustomize.build(join(root, 'environments/dev'));
    const prod = await kustomize.build(join(root, 'environments/prod'));
    // Assess
    const objects = (text: string) => parseAllDocuments(text).map((doc) => doc.toJS());
    const devObjects = objects(dev);
    const prodObjects = objects(prod);
    expect(devObjects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'HelmRelease/api',
      'HelmRelease/web',
    ]);
    expect(prodObjects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'ConfigMap/legacy',
      'HelmRelease/web',
    ]);
    const prodWeb = prodObjects.find((o) => o.kind === 'HelmRelease');
    expect(prodWeb.spec.chart.spec.chart).toBe('./charts/web/1.0.0');
    expect(prodWeb.spec.values).toEqual({ replicas: 4 });
    for (const release of [...devObjects, prodWeb])
      expect(validateHelmRelease(release)).toEqual({ ok: true });
  });
});
