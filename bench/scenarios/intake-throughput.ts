import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { isolatedToolEnv, runFile } from '../../functions/adapters/exec-file';
import { HelmChartRenderer } from '../../functions/adapters/helm-chart-renderer';
import { layerBinaryPath } from '../../functions/adapters/layer-binaries';
import type { IntakeResult } from '../../functions/chart/chart';
import { intakeChart } from '../../functions/chart/intake';
import { FIXTURE_CHARTS, fixtureArchive, generatedArchive } from '../lib/charts';
import { computed, type Figure, sample, summarize, timed } from '../lib/figures';
import type { Scenario, ScenarioContext } from '../lib/scenario';

/**
 * Scenario 4: intake throughput, in MB/s (10^6 bytes) of decompressed chart content (the sum of the
 * chart's file sizes, what Helm's loader reads): intakeChart without a renderer (the static checks:
 * gunzip, tar, paths, Chart.yaml, dependencies, values schema), with HelmChartRenderer (adds helm lint
 * + helm template as subprocesses, run together), and `helm lint <tgz>` alone as a subprocess, on the
 * shared fixture charts and a generated ~50 MiB chart. Folds in the former bench/intake-throughput.ts
 * and bench/helm-throughput.ts.
 *
 * The static figures come twice: per second of wall time, and per second of this process's CPU time
 * (all its threads: zlib inflates in libuv's pool), which a loaded machine disturbs far less. The
 * load average after the static runs is kept beside them, in details.
 */

const GENERATED_MIB = 50;
/**
 * Per helm run. The adapter's 30 s default suits one Lambda render; on a loaded shared machine helm
 * needs longer than that for the 50 MiB chart, and a slow figure beats a missing one.
 */
const HELM_TIMEOUT_MS = 10 * 60_000;

const mustAccept = (label: string, result: IntakeResult): number => {
  if (!result.ok) throw new Error(`${label} refused: ${JSON.stringify(result.refusals)}`);
  return result.chart.bytes;
};

const mbPerSecond = (bytes: number, ms: number) => bytes / 1e6 / (ms / 1000);

interface StaticFigures {
  readonly wall: Figure;
  readonly cpu: Figure;
  readonly loadAverage: readonly number[];
}

const measureChart = async (
  context: ScenarioContext,
  label: string,
  archive: Uint8Array,
  tools: { renderer: HelmChartRenderer; helm: string; env: Record<string, string>; dir: string },
  withHelm = true,
): Promise<StaticFigures> => {
  const file = path.join(tools.dir, `${label}.tgz`);
  await writeFile(file, archive);
  const bytes = mustAccept(label, await intakeChart(archive));
  const { sink, plan } = context;
  const staticRuns = await sample(plan, async () => {
    const { ms, cpuMs, value } = await timed(() => intakeChart(archive));
    mustAccept(label, value);
    return { ms, cpuMs, mbps: mbPerSecond(bytes, ms), cpuMbps: mbPerSecond(bytes, cpuMs) };
  });
  const loadAverage = loadavg().map((l) => Number(l.toFixed(2)));
  const wall = summarize(staticRuns.mbps, 'MB/s', 'decompressed, static checks');
  const cpu = summarize(
    staticRuns.cpuMbps,
    'MB/s',
    'decompressed per CPU-second (all threads), static checks',
  );
  sink.figure(`intake.static.${label}`, wall);
  sink.figure(`intake.static-cpu.${label}`, cpu);
  const staticMs = summarize(staticRuns.ms, 'ms');
  sink.figure(`time.intake-static.${label}`, staticMs);
  sink.figure(`time.intake-static-cpu.${label}`, summarize(staticRuns.cpuMs, 'ms', 'CPU time, all threads'));
  sink.detail(`intake.${label}`, {
    decompressedBytes: bytes,
    archiveBytes: archive.byteLength,
    loadAverageAfterStaticRuns: loadAverage,
  });
  const figures = { wall, cpu, loadAverage };
  if (!withHelm) return figures;
  const renderRuns = await sample(plan, async () => {
    const { ms, value } = await timed(() => intakeChart(archive, { renderer: tools.renderer }));
    mustAccept(label, value);
    return { ms, mbps: mbPerSecond(bytes, ms) };
  });
  sink.figure(
    `intake.render.${label}`,
    summarize(renderRuns.mbps, 'MB/s', 'static checks + helm lint/template'),
  );
  const renderMs = summarize(renderRuns.ms, 'ms');
  sink.figure(`time.intake-render.${label}`, renderMs);
  const lintRuns = await sample(plan, async () => {
    const { ms, value } = await timed(() =>
      runFile(tools.helm, ['lint', file], { env: tools.env, timeoutMs: HELM_TIMEOUT_MS }),
    );
    if (value.exitCode !== 0) throw new Error(`helm lint ${label}: ${value.stderr}`);
    return { ms };
  });
  const lintMs = summarize(lintRuns.ms, 'ms', '`helm lint <tgz>` subprocess');
  sink.figure(`time.helm-lint.${label}`, lintMs);
  const runs = Math.min(staticRuns.ms.length, renderRuns.ms.length);
  sink.figure(
    `ratio.render/static.${label}`,
    computed(renderMs.median / staticMs.median, '×', runs, 'what the render check costs'),
  );
  sink.figure(
    `ratio.helm-lint/static.${label}`,
    computed(
      lintMs.median / staticMs.median,
      '×',
      Math.min(staticRuns.ms.length, lintRuns.ms.length),
      'one `helm lint` subprocess vs the static checks, wall time, same archive and run',
    ),
  );
  sink.figure(
    `ratio.render/helm-lint.${label}`,
    computed(renderMs.median / lintMs.median, '×', runs, 'render check vs one helm lint'),
  );
  return figures;
};

export const intakeThroughput: Scenario = {
  id: 'intake',
  title: '4. Intake throughput (MB/s decompressed)',
  run: async (context) => {
    const helm = await layerBinaryPath('helm');
    const dir = await mkdtemp(path.join(tmpdir(), 'bench-intake-'));
    try {
      const tools = {
        helm,
        renderer: new HelmChartRenderer({ helmPath: helm, timeoutMs: HELM_TIMEOUT_MS }),
        env: isolatedToolEnv(dir),
        dir,
      };
      for (const name of FIXTURE_CHARTS) {
        context.log(`  ${name}`);
        await measureChart(context, name, await fixtureArchive(name), tools);
      }
      context.log(`  generated ~${GENERATED_MIB} MiB chart`);
      // helm on 50 MiB takes ~20 s a run here: the full run only.
      const withHelm = !context.plan.quick;
      const big = await measureChart(
        context,
        `generated-${GENERATED_MIB}MiB`,
        await generatedArchive(GENERATED_MIB),
        tools,
        withHelm,
      );
      if (!withHelm) context.sink.note('quick mode: no helm render/lint runs on the generated 50 MiB chart');
      context.sink.target({
        target: 'Intake ≥ 100 MB/s without render',
        evidence:
          `intake.static.generated-${GENERATED_MIB}MiB = ${big.wall.median.toFixed(0)} MB/s wall, ` +
          `${big.cpu.median.toFixed(0)} MB/s per CPU-second, load average ${big.loadAverage.join(' ')} ` +
          '(fixtures: see intake.static.*)',
        met: big.wall.median >= 100,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
