/**
 * How fast does helm check a chart? `helm lint <tgz>` and `helm template <tgz>` as plain subprocesses,
 * against HelmChartRenderer.render (both together plus its temp files), on the accepted fixtures.
 *
 *   npx tsx bench/helm-throughput.ts [--runs N] [--json]
 *
 * Throughput is the chart's decompressed size (what helm reads and parses) over the median wall time.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isolatedToolEnv, runFile } from '../functions/adapters/exec-file';
import { HelmChartRenderer } from '../functions/adapters/helm-chart-renderer';
import { layerBinaryPath } from '../functions/adapters/layer-binaries';
import { intakeChart } from '../functions/chart/intake';

const repoRoot = resolve(import.meta.dirname, '..');
const fixtures = resolve(repoRoot, '../shared/fixtures/charts');
const CHARTS = ['podinfo-6.14.1.tgz', 'argo-rollouts-2.41.0.tgz', 'argo-workflows-1.0.18.tgz'];

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '7' }, json: { type: 'boolean' } },
});
const runs = Number(values.runs);

const median = (samples: number[]): number => {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

const time = async (runs: number, act: () => Promise<unknown>): Promise<number> => {
  await act(); // warm the page cache and the binary
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const started = performance.now();
    await act();
    samples.push(performance.now() - started);
  }
  return median(samples);
};

const helmPath = await layerBinaryPath('helm');
const home = await mkdtemp(join(tmpdir(), 'bench-helm-'));
const env = isolatedToolEnv(home);
const renderer = new HelmChartRenderer({ helmPath });
const rows = [];
try {
  for (const file of CHARTS) {
    const path = join(fixtures, file);
    const archive = await readFile(path);
    const intake = await intakeChart(archive, {});
    if (!intake.ok) throw new Error(`${file} is refused: ${intake.refusals[0]?.message}`);
    const { chart } = intake;
    const mustSucceed = async (args: string[]) => {
      const result = await runFile(helmPath, args, { env });
      if (result.exitCode !== 0) throw new Error(`helm ${args[0]} failed: ${result.stderr}`);
    };
    const lintMs = await time(runs, () => mustSucceed(['lint', path]));
    const templateMs = await time(runs, () => mustSucceed(['template', chart.name, path]));
    const renderMs = await time(runs, async () => {
      const result = await renderer.render({ archive, chart });
      if (!result.ok) throw new Error(result.refusal.message);
    });
    const mbps = (ms: number) => chart.bytes / 1e6 / (ms / 1000);
    rows.push({
      chart: `${chart.name}-${chart.version}`,
      decompressedBytes: chart.bytes,
      lintMs: Math.round(lintMs),
      lintMBps: Number(mbps(lintMs).toFixed(2)),
      templateMs: Math.round(templateMs),
      renderMs: Math.round(renderMs),
      renderMBps: Number(mbps(renderMs).toFixed(2)),
    });
  }
} finally {
  await rm(home, { recursive: true, force: true });
}

if (values.json) {
  console.log(JSON.stringify({ helm: helmPath, runs, rows }));
} else {
  console.log(`helm ${helmPath}, median of ${runs} runs (after one warm-up)`);
  console.table(rows);
}
