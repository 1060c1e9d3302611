import { join } from 'node:path';
import type { CommitSummary } from '../../functions/local/commit-summary';
import type { UploadOutcome } from '../../functions/pipeline/upload-outcome';
import type { ReleaseRecord } from '../../functions/ports/release-ledger';
import { seconds, table } from '../format';
import { runJson, runTable } from '../run-table';
import { statusTable } from '../status/status-table';
import type { PlaybackResult, PlaybackStep } from './flux-playback';

/** What the demo prints: the runs, the commits, the promotion steps and where each environment stands. */
export interface DemoResult {
  readonly clusterRepo: string;
  readonly workdir: string;
  readonly feedbackUrl: string;
  readonly runs: readonly UploadOutcome[];
  readonly summaries: readonly CommitSummary[];
  readonly playback: PlaybackResult;
  /** The release ledger at the end (what `chart-promoter status` shows). */
  readonly ledger: readonly ReleaseRecord[];
  readonly elapsedMs: number;
  /** The Git host's stand-in the cluster repository lives on (`demo --host`); absent: plain git. */
  readonly hostDescription?: string;
}

/** One environment of one chart, for `--json` and the table. */
export const environmentsJson = (playback: PlaybackResult) =>
  playback.state.positions.map((position) => ({
    chart: position.chart,
    environment: position.environment,
    mode: position.mode,
    state: position.state,
    version: position.version ?? null,
    leadTimeMs: playback.leadTimes.get(`${position.environment}/${position.chart}`) ?? null,
    ...(position.branch === undefined ? {} : { branch: position.branch }),
  }));

/** The `--json` document (contract: clusterRepo and runs; environments and steps added for the loop). */
export const demoJson = (result: DemoResult) => ({
  clusterRepo: result.clusterRepo,
  workdir: result.workdir,
  feedbackUrl: result.feedbackUrl,
  runs: result.runs.map(runJson),
  environments: environmentsJson(result.playback),
  steps: result.playback.steps,
  ledger: result.ledger,
});

/** `+2.1s  staging  hello-web 1.0.0  committed 1a2b3c…` */
export const stepLine = (step: PlaybackStep): string =>
  `+${(step.atMs / 1000).toFixed(1)}s  ${step.environment.padEnd(8)} ${`${step.chart} ${step.version ?? ''}`.padEnd(20)} ${step.detail}`;

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

const environmentTable = (playback: PlaybackResult): string =>
  table(
    ['CHART', 'ENVIRONMENT', 'MODE', 'STATE', 'VERSION', 'UPLOAD → READY', 'BRANCH'],
    environmentsJson(playback).map((e) => [
      e.chart,
      e.environment,
      e.mode,
      e.state,
      e.version ?? '-',
      e.leadTimeMs === null ? '-' : seconds(e.leadTimeMs),
      e.branch ?? '',
    ]),
  );

const promotionSection = (result: DemoResult): string => {
  const { steps, state } = result.playback;
  const policy =
    state.policy.source === 'file'
      ? `policy .chart-promoter.yaml: ${state.policy.environments.map((e) => `${e.name} (${e.mode})`).join(' → ')}`
      : 'no .chart-promoter.yaml: one environment';
  const played =
    steps.length > 0
      ? steps.map((step) => `  ${stepLine(step)}`).join('\n')
      : '  No release changed, so Flux has nothing to report (as in a cluster): nothing promoted again.';
  const branches = state.positions.filter((p) => p.branch !== undefined);
  const requests = [...new Map(steps.filter((s) => s.url !== undefined).map((s) => [s.url, s])).values()];
  return `Promotion, driven by signed Flux events posted to ${result.feedbackUrl} (${policy}):
${played}

Environments:
${environmentTable(result.playback)}
${
  requests.length > 0
    ? `\nAwaiting review (on ${result.hostDescription ?? 'the Git host'}):\n${requests
        .map((s) => `  ${s.environment} ${s.chart} ${s.version ?? ''}: ${s.url} (branch ${s.branch ?? '?'})`)
        .join('\n')}\n`
    : branches.length > 0
      ? `\nAwaiting review (plain git has no pull requests: merge the branch to promote):\n${branches
          .map((p) => `  git --git-dir ${result.clusterRepo} log --stat main..${p.branch}`)
          .join('\n')}\n`
      : ''
}`;
};

export const demoReport = (result: DemoResult): string => `
Runs:
${runTable(result.runs)}

${result.summaries.length > 0 ? result.summaries.map(commitView).join('\n\n') : 'No new commit: every chart was already in the cluster repository (promotion is idempotent).'}

${promotionSection(result)}
Release ledger (what the pipeline saw; chart-promoter status --workdir ${result.workdir}):
${statusTable(
  result.ledger,
  result.playback.state.policy.environments.map((e) => e.name),
  new Date().toISOString(),
)}

Cluster repository: ${result.clusterRepo}${result.hostDescription === undefined ? '' : ` (served by the ${result.hostDescription}; removed when the demo ends)`}
  git clone ${result.clusterRepo} cluster && ls cluster/environments/*
Run log:            ${join(result.workdir, 'runs.jsonl')}   (chart-promoter runs --workdir ${result.workdir})
Pipeline logs:      ${join(result.workdir, 'logs', 'promote.jsonl')}
${closingLine(result)}
`;

/**
 * The last line: how long it took, and what a re-run shows. A run whose uploads all came out
 * unchanged IS that re-run, so it says so instead of suggesting itself again.
 */
export const closingLine = (
  result: Pick<DemoResult, 'runs' | 'workdir' | 'elapsedMs' | 'hostDescription'>,
): string => {
  const done = `Done in ${seconds(result.elapsedMs)}.`;
  // A stand-in's repository lives as long as the demo: a re-run starts from an empty one.
  if (result.hostDescription !== undefined) return done;
  const rerun = result.runs.length > 0 && result.runs.every((run) => run.status === 'unchanged');
  return rerun
    ? `${done} A re-run on ${result.workdir}: the same uploads came out unchanged and nothing was committed (promotion is idempotent).`
    : `${done} Re-run with --workdir ${result.workdir} to see the same uploads come out unchanged.`;
};
