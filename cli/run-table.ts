import type { PromotionRecord } from '../functions/local/promotion-record';
import type { UploadOutcome } from '../functions/pipeline/upload-outcome';

type UploadRun = UploadOutcome & { readonly at?: string };
/** A line of the run log: an upload's outcome, or an environment move (`kind: "promotion"`). */
export type AnyRun = UploadRun | PromotionRecord;

const isPromotion = (run: AnyRun): run is PromotionRecord => 'kind' in run && run.kind === 'promotion';

const short = (sha: string | undefined): string => (sha ? sha.slice(0, 12) : '-');

/** An environment move in `--json` output: the same core fields as an upload run, plus how it came about. */
export const promotionJson = (record: PromotionRecord) => ({
  at: record.at,
  runId: record.runId,
  kind: record.kind,
  trigger: record.trigger,
  command: record.command,
  chart: record.chart,
  version: record.version ?? null,
  environment: record.environment,
  status: record.status,
  commit: record.commit ?? null,
  ...(record.branch ? { branch: record.branch } : {}),
  ...(record.url ? { url: record.url } : {}),
  ...(record.notBefore ? { notBefore: record.notBefore } : {}),
  ...(record.code ? { code: record.code } : {}),
  ...(record.message ? { message: record.message } : {}),
});

/** Any run-log line as JSON. */
export const anyRunJson = (run: AnyRun) => (isPromotion(run) ? promotionJson(run) : runJson(run));

/** What a run looks like in `--json` output (contract: `runs:[{chart, version, environment, status, commit}]`). */
export const runJson = (outcome: UploadRun) => ({
  ...(outcome.at ? { at: outcome.at } : {}),
  runId: outcome.runId,
  chart: outcome.chart ?? null,
  version: outcome.version ?? null,
  environment: outcome.environment ?? null,
  status: outcome.status,
  commit: outcome.commit ?? null,
  ...(outcome.code ? { code: outcome.code } : {}),
  ...(outcome.message ? { message: outcome.message } : {}),
  ...(outcome.path ? { path: outcome.path } : {}),
  source: `s3://${outcome.bucket}/${outcome.key}`,
  durationMs: outcome.durationMs,
});

/** A fixed-width table of runs, one line each, for people. */
export const runTable = (outcomes: readonly AnyRun[]): string => {
  const header = ['CHART', 'VERSION', 'ENVIRONMENT', 'STATUS', 'COMMIT', 'DETAIL'];
  const rows = outcomes.map((o) => (isPromotion(o) ? promotionRow(o) : uploadRow(o)));
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => (row[i] ?? '').length)));
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .map((line) => `  ${line}`)
    .join('\n');
};

const promotionRow = (o: PromotionRecord): string[] => [
  o.chart,
  o.version ?? '-',
  o.environment,
  o.status,
  short(o.commit),
  [
    `${o.command} (${o.trigger})`,
    o.branch ? `branch ${o.branch}` : '',
    o.notBefore ? `not before ${o.notBefore}` : '',
    o.code ? `${o.code}${o.message ? `: ${o.message.split('\n')[0]}` : ''}` : (o.message ?? ''),
  ]
    .filter(Boolean)
    .join(' '),
];

const uploadRow = (o: UploadRun): string[] => [
  o.chart ?? o.key,
  o.version ?? '-',
  o.environment ?? '-',
  o.status,
  short(o.commit),
  o.code ? `${o.code}${o.message ? `: ${o.message.split('\n')[0]}` : ''}` : (o.message ?? ''),
];

/** One line per run, for the long-running `local` command. */
export const runLine = (o: UploadOutcome): string =>
  `${new Date().toISOString()}  ${o.status.padEnd(10)} ${o.chart ?? o.key} ${o.version ?? ''} ${
    o.environment ? `→ ${o.environment}` : ''
  } ${o.commit ? `commit ${short(o.commit)}` : ''}${o.code ? ` ${o.code}: ${o.message ?? ''}` : ''}`
    .replace(/\s+/g, ' ')
    .trim();
