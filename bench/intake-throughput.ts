/**
 * Validation throughput of readChartArchive, in MB/s of decompressed chart content (file bytes), on the
 * real fixture charts and on a generated ~50 MiB chart of many files under 5 MiB.
 *   npx tsx bench/intake-throughput.ts [--runs N]
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readChartArchive } from '../functions/chart/read-chart-archive';
import { buildArchive, chartEntries, type TarEntrySpec } from '../test/support/tar-fixtures';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const fixtures = path.resolve(repoRoot, '../shared/fixtures/charts');
const runsFlag = process.argv.indexOf('--runs');
const runs = runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 5;
const MiB = 1024 * 1024;

/** Text that compresses like real manifests (~5-8:1), not like zeros: pseudo-random YAML lines. */
const yamlLikeText = (bytes: number, seed: number): string => {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state;
  };
  const words = [
    'name',
    'image',
    'replicas',
    'port',
    'enabled',
    'resources',
    'limits',
    'cpu',
    'memory',
    'labels',
  ];
  const lines: string[] = [];
  let size = 0;
  while (size < bytes) {
    const line = `${'  '.repeat(next() % 4)}${words[next() % words.length]}-${next().toString(36)}: "${next().toString(36)}${next().toString(36)}"\n`;
    lines.push(line);
    size += line.length;
  }
  return lines.join('').slice(0, bytes);
};

const generatedChart = async (): Promise<Uint8Array> => {
  const entries: TarEntrySpec[] = chartEntries('big', '1.0.0');
  // 40 files of ~1.25 MiB = 50 MiB of templates, each well under the 5 MiB per-file limit.
  for (let index = 0; index < 40; index += 1) {
    entries.push({
      name: `big/templates/generated-${index}.yaml`,
      data: yamlLikeText(1.25 * MiB, index + 1),
    });
  }
  return buildArchive(entries);
};

const measure = async (label: string, archive: Uint8Array): Promise<void> => {
  const timings: number[] = [];
  let bytes = 0;
  await readChartArchive(archive); // warm-up: JIT and module-level caches, not measured
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    const result = await readChartArchive(archive);
    timings.push(performance.now() - started);
    if (!result.ok) throw new Error(`${label} was refused: ${JSON.stringify(result.refusals)}`);
    bytes = result.chart.bytes;
  }
  timings.sort((a, b) => a - b);
  const median = timings[Math.floor(timings.length / 2)] ?? 0;
  const best = timings[0] ?? 0;
  const mbps = (ms: number) => (bytes / MiB / (ms / 1000)).toFixed(1);
  console.log(
    `${label.padEnd(24)} ${(archive.byteLength / 1024).toFixed(0).padStart(7)} KiB gz  ${(bytes / MiB).toFixed(2).padStart(6)} MiB  ` +
      `median ${median.toFixed(0).padStart(5)} ms (${mbps(median).padStart(6)} MiB/s)  best ${best.toFixed(0).padStart(5)} ms (${mbps(best).padStart(6)} MiB/s)  ${timings.length} runs`,
  );
};

for (const name of ['podinfo-6.14.1', 'argo-rollouts-2.41.0', 'argo-workflows-1.0.18']) {
  await measure(name, await readFile(path.join(fixtures, `${name}.tgz`)));
}
await measure('generated ~50 MiB chart', await generatedChart());
