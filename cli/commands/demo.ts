import { mkdir, mkdtemp, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { packageChart } from '../../functions/adapters/helm-packager';
import { uploadFile } from '../../functions/adapters/s3-uploader';
import { type CommitSummary, summariseCommit } from '../../functions/local/commit-summary';
import type { UploadOutcome } from '../../functions/pipeline/upload-outcome';
import { type CliDependencies, type Command, EXIT, parseCommandArgs } from '../command';
import { columns } from '../format';
import { outcomesFor, startLocalPipeline } from '../local-pipeline';
import { runJson, runTable } from '../run-table';

const HELP = `Usage: chart-promoter demo [--workdir DIR] [--json] [--no-render]

Run the whole pipeline on this machine, with no AWS account and no Docker: start a local S3
endpoint and a local cluster repository (a bare git repository), package and upload the sample
charts, let the promote pipeline (the same code as the Lambda function) validate them, render
them with helm and commit them with a Flux HelmRelease for the "dev" environment.

Options:
${columns([
  [
    '--workdir DIR',
    'keep the state (S3 data, cluster repository, run log) in DIR; re-running on the same DIR re-uploads and shows the runs as unchanged (default: a new temporary directory)',
  ],
  ['--json', 'print one JSON document: {clusterRepo, runs:[{chart, version, environment, status, commit}]}'],
  ['--no-render', 'skip the helm lint/template check'],
  ['-h, --help', 'show this help'],
])}

Examples:
  npm run demo
  chart-promoter demo --workdir ./demo-state && git --git-dir ./demo-state/cluster.git log --stat

Exit codes:
${columns([
  ['0', 'every sample chart was promoted (or was already there, unchanged)'],
  ['1', 'a run was refused or failed'],
  ['2', 'usage or environment error'],
])}
`;

const log = (io: { stderr: { write(s: string): unknown } }, json: boolean, line: string): void => {
  io.stderr.write(json ? '' : `${line}\n`);
};

/** The sample chart directories (each holding a Chart.yaml), sorted. */
const sampleCharts = async (dir: string): Promise<string[]> => {
  const entries = await readdir(dir, { withFileTypes: true });
  const charts: string[] = [];
  for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const chartYaml = join(dir, entry.name, 'Chart.yaml');
    if (
      await stat(chartYaml).then(
        () => true,
        () => false,
      )
    )
      charts.push(join(dir, entry.name));
  }
  return charts;
};

export const demoCommand = (deps: CliDependencies): Command => ({
  name: 'demo',
  summary: 'run the whole pipeline locally on the sample charts (no AWS, no Docker)',
  help: HELP,
  run: async (args, io) => {
    const { values } = parseCommandArgs(
      args,
      { workdir: { type: 'string' }, json: { type: 'boolean' }, 'no-render': { type: 'boolean' } },
      { min: 0, max: 0, names: '' },
    );
    const json = values.json === true;
    const started = Date.now();
    const workdir = values.workdir
      ? resolve(values.workdir)
      : await mkdtemp(join(tmpdir(), 'chart-promoter-demo-'));
    const packages = join(workdir, 'packages');
    await mkdir(packages, { recursive: true });

    const seen = new Map<string, UploadOutcome>();
    const listeners: (() => void)[] = [];
    log(io, json, `chart-promoter demo: work dir ${workdir}`);
    const runtime = await startLocalPipeline(deps, {
      workdir,
      render: !values['no-render'],
      onOutcomes: (outcomes) => {
        for (const outcome of outcomes) seen.set(outcome.key, outcome);
        for (const listener of listeners) listener();
      },
    });
    try {
      log(io, json, `  local S3 endpoint   ${runtime.s3.endpoint} (bucket ${runtime.bucket})`);
      log(io, json, `  cluster repository  ${runtime.clusterRepo} (branch ${runtime.branch})`);
      const helm = await deps.helmPath();
      // Package everything first, then upload together: uploads that arrive within the queue's
      // batching window become one batch, hence one commit (as in AWS, with a longer window).
      const archives = [];
      for (const chartDir of await sampleCharts(deps.sampleChartsDir)) {
        archives.push(await packageChart(helm, chartDir, packages));
      }
      const keys = archives.map((archive) => `${runtime.prefix}${basename(archive)}`);
      const uploads = await Promise.all(
        archives.map((archive, i) =>
          uploadFile(runtime.s3.client, archive, { bucket: runtime.bucket, key: keys[i]! }),
        ),
      );
      uploads.forEach((uploaded) =>
        log(
          io,
          json,
          `  uploaded            s3://${runtime.bucket}/${uploaded.key} (${uploaded.bytes} bytes)`,
        ),
      );
      log(io, json, '  promoting…');
      const runs = await outcomesFor(keys, seen, (listener) => listeners.push(listener), 120_000);
      const commits = [
        ...new Set(runs.map((run) => run.commit).filter((sha): sha is string => sha !== undefined)),
      ];
      const summaries = await Promise.all(commits.map((sha) => summariseCommit(runtime.clusterRepo, sha)));
      const ok = runs.every((run) => run.status === 'promoted' || run.status === 'unchanged');
      if (json) {
        io.stdout.write(
          `${JSON.stringify({ clusterRepo: runtime.clusterRepo, workdir, runs: runs.map(runJson) })}\n`,
        );
      } else {
        io.stdout.write(report(runtime.clusterRepo, workdir, runs, summaries, Date.now() - started));
      }
      return ok ? EXIT.ok : EXIT.failed;
    } finally {
      await runtime.close();
    }
  },
});

const commitView = (summary: CommitSummary): string => {
  const [subject, ...body] = summary.message.trimEnd().split('\n');
  const letter = { added: 'A', modified: 'M', deleted: 'D' } as const;
  return [
    `commit ${summary.sha}`,
    `Author: ${summary.author}`,
    `Date:   ${summary.date}`,
    '',
    `    ${subject}`,
    ...body.map((line) => `    ${line}`.trimEnd()),
    '',
    ...summary.files.map((file) => `  ${letter[file.change]} ${file.path}`),
  ].join('\n');
};

const report = (
  clusterRepo: string,
  workdir: string,
  runs: readonly UploadOutcome[],
  summaries: readonly CommitSummary[],
  elapsedMs: number,
): string => `
Runs:
${runTable(runs)}

${summaries.length > 0 ? summaries.map(commitView).join('\n\n') : 'No new commit: every chart was already in the cluster repository (promotion is idempotent).'}

Cluster repository: ${clusterRepo}
  git clone ${clusterRepo} cluster && ls cluster/environments/dev
Run log:            ${join(workdir, 'runs.jsonl')}   (chart-promoter runs --workdir ${workdir})
Pipeline logs:      ${join(workdir, 'logs', 'promote.jsonl')}
Done in ${(elapsedMs / 1000).toFixed(1)} s. Re-run with --workdir ${workdir} to see the same uploads come out unchanged.
`;
