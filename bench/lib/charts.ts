import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Chart } from '../../functions/chart/chart';
import { readChartArchive } from '../../functions/chart/read-chart-archive';
import { systemClock } from '../../functions/ports/clock';
import type { GitHost } from '../../functions/ports/git-host';
import {
  commitUploads,
  type UploadRequest,
  type UploadRun,
} from '../../functions/promotion/uploads/commit-uploads';
import { buildArchive, chartEntries, type TarEntrySpec } from '../../test/support/tar-fixtures';

/**
 * Charts for the benchmarks, always read through the real intake (readChartArchive) so they are the
 * Chart objects the pipeline would hand to promotion: the shared fixture charts, copies of one under
 * other names and versions (a batch of distinct charts), and generated charts of a chosen size.
 */

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
export const FIXTURES = path.resolve(REPO_ROOT, 'test/fixtures/charts');
export const FIXTURE_CHARTS = ['podinfo-6.14.1', 'argo-rollouts-2.41.0', 'argo-workflows-1.0.18'] as const;

export const fixtureArchive = (name: string): Promise<Buffer> => readFile(path.join(FIXTURES, `${name}.tgz`));

export const chartOf = async (archive: Uint8Array): Promise<Chart> => {
  const result = await readChartArchive(archive);
  if (!result.ok) throw new Error(`bench chart refused: ${JSON.stringify(result.refusals)}`);
  return result.chart;
};

/** `source`'s files under a new name and version (Chart.yaml's top-level name/version rewritten). */
export const renamedArchive = (source: Chart, name: string, version: string): Promise<Uint8Array> => {
  const decoder = new TextDecoder();
  const entries: TarEntrySpec[] = source.files.map((file) => ({
    name: `${name}/${file.path}`,
    data:
      file.path === 'Chart.yaml'
        ? decoder
            .decode(file.data)
            .replace(/^name:.*$/m, `name: ${name}`)
            .replace(/^version:.*$/m, `version: ${version}`)
        : file.data,
  }));
  return buildArchive(entries);
};

export const renamedChart = async (source: Chart, name: string, version: string): Promise<Chart> =>
  chartOf(await renamedArchive(source, name, version));

/** The 3-file chart of test/support/tar-fixtures: the smallest valid chart. */
export const minimalChart = async (name: string, version: string): Promise<Chart> =>
  chartOf(await buildArchive(chartEntries(name, version)));

export const uploadRequest = (chart: Chart): UploadRequest => ({
  chart,
  runId: `bench-${chart.name}-${chart.version}`,
  source: { bucket: 'charts', key: `incoming/${chart.name}-${chart.version}.tgz` },
});

/**
 * Commits a batch of charts the way the promote function does (pipeline/commit-batch.ts →
 * commitUploads: the policy read with the files, one commit loop), into the default policy's `dev`.
 */
export const commitCharts = (host: GitHost, branch: string, charts: readonly Chart[]): Promise<UploadRun> =>
  commitUploads(host, branch, charts.map(uploadRequest), { clock: systemClock, fallbackEnvironment: 'dev' });

/**
 * `bytes` of ConfigMap documents (valid Kubernetes YAML, so helm lint and template accept them) whose
 * data values are pseudo-random: compresses a few times, like real manifests, not like zeros.
 */
export const configMapText = (bytes: number, seed: number): string => {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state;
  };
  const words = ['name', 'image', 'replicas', 'port', 'enabled', 'resources', 'limits', 'cpu', 'memory'];
  const parts: string[] = [];
  let size = 0;
  for (let doc = 0; size < bytes; doc++) {
    const head = `---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big-${seed}-${doc}\ndata:\n`;
    parts.push(head);
    size += head.length;
    for (let line = 0; line < 1000 && size < bytes; line++) {
      const text = `  ${words[next() % words.length]}-${line}: "${next().toString(36)}${next().toString(36)}"\n`;
      parts.push(text);
      size += text.length;
    }
  }
  return parts.join('');
};

const MiB = 1024 * 1024;

/**
 * A valid chart of about `mebibytes` MiB decompressed: templates of 1.25 MiB each (well under Helm's
 * 5 MiB per-file limit), plain YAML so `helm template` renders them as they are.
 */
export const generatedArchive = async (mebibytes: number): Promise<Uint8Array> => {
  const entries: TarEntrySpec[] = chartEntries('big', '1.0.0');
  const count = Math.ceil(mebibytes / 1.25);
  for (let index = 0; index < count; index++) {
    entries.push({
      name: `big/templates/generated-${index}.yaml`,
      data: configMapText(1.25 * MiB, index + 1),
    });
  }
  return buildArchive(entries);
};
