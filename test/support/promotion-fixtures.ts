import { createHash } from 'node:crypto';
import type { Chart, ChartFile } from '../../functions/chart/chart';
import type { RepoSnapshot } from '../../functions/ports/git-host';
import type { PromotionRequest } from '../../functions/promotion/promotion';
import { snapshotRequestFor } from '../../functions/promotion/uploads/snapshot-request';
import { InMemoryGitHost } from './in-memory-git-host';

const encoder = new TextEncoder();

const file = (path: string, text: string): ChartFile => {
  const data = encoder.encode(text);
  return { path, size: data.byteLength, data };
};

/** A small valid chart; `flavour` changes a template so the same version can differ in content. */
export const makeChart = (name: string, version: string, flavour = ''): Chart => {
  const files = [
    file('Chart.yaml', `apiVersion: v2\nname: ${name}\nversion: ${version}\n`),
    file(
      'templates/configmap.yaml',
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}${flavour}\n`,
    ),
    file('values.yaml', 'replicas: 1\n'),
  ];
  const bytes = files.reduce((sum, f) => sum + f.size, 0);
  const digest = `sha256:${createHash('sha256').update(`${name}-${version}-${flavour}`).digest('hex')}`;
  return {
    name,
    version,
    apiVersion: 'v2',
    type: 'application',
    annotations: {},
    dependencies: [],
    digest,
    archiveBytes: bytes,
    bytes,
    files,
  };
};

export const makeRequest = (
  name: string,
  version: string,
  environment = 'dev',
  extra: { runId?: string; flavour?: string } = {},
): PromotionRequest => ({
  chart: makeChart(name, version, extra.flavour),
  environment,
  runId: extra.runId ?? `run-${name}-${version}-${environment}`,
  source: { bucket: 'uploads', key: `incoming/${name}-${version}.tgz`, versionId: 'v1' },
});

/** The snapshot a real host would return for `requests` over these repository files. */
export const snapshotOf = async (
  files: Readonly<Record<string, string>>,
  requests: readonly PromotionRequest[],
): Promise<RepoSnapshot> => new InMemoryGitHost(files).snapshot('main', snapshotRequestFor(requests));

const decoder = new TextDecoder();

/** The change set as path → text (chart files included). */
export const changedTexts = (changes: readonly { path: string; content: Uint8Array | null }[] | undefined) =>
  Object.fromEntries(
    (changes ?? []).map((c) => [c.path, c.content === null ? null : decoder.decode(c.content)]),
  );
