import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { HelmChartRenderer } from '../../functions/adapters/helm-chart-renderer';
import { layerBinaryPath } from '../../functions/adapters/layer-binaries';
import { newHelmReleaseText } from '../../functions/promotion/manifests/helm-release-manifest';
import type { ValuesChange } from '../../functions/promotion/values/values-change';
import { parseValuesDocument } from '../../functions/promotion/values/values-document';

/**
 * A cluster repository with the sample chart hello-web 1.0.0 (charts/hello-web, which has a
 * values.schema.json) deployed to some environments, as the pipeline writes it, for values changes.
 */
const SAMPLE_CHARTS = path.resolve(import.meta.dirname, '../../charts');

const filesBelow = async (dir: string, prefix = ''): Promise<[string, string][]> => {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map(
      async (entry): Promise<[string, string][]> =>
        entry.isDirectory()
          ? filesBelow(path.join(dir, entry.name), `${prefix}${entry.name}/`)
          : [[`${prefix}${entry.name}`, await readFile(path.join(dir, entry.name), 'utf8')]],
    ),
  );
  return nested.flat();
};

/** charts/<name>/<version>/… from the sample chart directory. */
export const sampleChartFiles = async (
  name = 'hello-web',
  version = '1.0.0',
): Promise<Record<string, string>> =>
  Object.fromEntries(
    (await filesBelow(path.join(SAMPLE_CHARTS, name))).map(([file, text]) => [
      `charts/${name}/${version}/${file}`,
      text,
    ]),
  );

/** The HelmRelease chart-promoter writes for a new release, with `values` in place of `values: {}`. */
export const releaseText = (
  environment: string,
  name = 'hello-web',
  version = '1.0.0',
  values = '  values: {}\n',
) =>
  newHelmReleaseText({
    name,
    namespace: environment,
    chartPath: `./charts/${name}/${version}`,
    version,
    runId: 'run-0',
    sourceRef: { name: 'flux-system', namespace: 'flux-system' },
    interval: '10m',
  }).replace('  values: {}\n', values);

export const POLICY = `environments:
  - name: dev
  - name: staging
    after: dev
    autoRollback: true
  - name: prod
    after: staging
    mode: pull-request
`;

/** The repository: policy, the chart, and a release of it in each environment given. */
export const repositoryFiles = async (
  releases: Readonly<Record<string, string>>,
  extra: Readonly<Record<string, string>> = {},
): Promise<Record<string, string>> => ({
  '.chart-promoter.yaml': POLICY,
  ...(await sampleChartFiles()),
  ...Object.fromEntries(
    Object.entries(releases).flatMap(([environment, text]) => [
      [`environments/${environment}/hello-web.yaml`, text],
      [
        `environments/${environment}/kustomization.yaml`,
        'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - hello-web.yaml\n',
      ],
    ]),
  ),
  ...extra,
});

/** A values change of hello-web from YAML text. */
export const valuesChange = (
  environment: string,
  yaml: string,
  overrides: Partial<ValuesChange> = {},
): ValuesChange => {
  const parsed = parseValuesDocument(new TextEncoder().encode(yaml));
  if (!parsed.ok) throw new Error(parsed.reason);
  return {
    kind: 'set',
    chart: 'hello-web',
    environment,
    values: parsed.document,
    runId: 'values-1',
    ...overrides,
  };
};

export const helmRenderer = async (): Promise<HelmChartRenderer> =>
  new HelmChartRenderer({ helmPath: await layerBinaryPath('helm') });

export const silentLogger = (): Logger => new Logger({ serviceName: 'test', logLevel: 'SILENT' });
