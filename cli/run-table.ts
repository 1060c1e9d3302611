import type { PromotionRecord } from '../functions/local/promotion-record';
import { type OutcomeRefusal, refusalsOf, type UploadOutcome } from '../functions/pipeline/upload-outcome';
import { table } from './format';

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
  // Every refusal (code, message, path); `code`/`message`/`path` above are the first.
  ...(outcome.status === 'refused' ? { refusals: refusalsOf(outcome) } : {}),
  source: `s3://${outcome.bucket}/${outcome.key}`,
  durationMs: outcome.durationMs,
});

/**
 * A fixed-width table of runs, one line each, for people; a refusal with several reasons (or a
 * message of several lines) continues on the lines below, under DETAIL: nothing is cut.
 */
export const runTable = (outcomes: readonly AnyRun[]): string => {
  const header = ['CHART', 'VERSION', 'ENVIRONMENT', 'STATUS', 'COMMIT', 'DETAIL'];
  const runs = outcomes.map((o) => (isPromotion(o) ? promotionRow(o) : uploadRow(o)));
  const lines = table(
    header,
    runs.map(({ cells, detail }) => [...cells, detail[0] ?? '']),
  ).split('\n');
  // DETAIL starts where it starts in the header line.
  const indent = ' '.repeat(lines[0]!.indexOf('DETAIL'));
  return [
    lines[0],
    ...runs.flatMap(({ detail }, i) => [lines[i + 1]!, ...detail.slice(1).map((d) => `${indent}${d}`)]),
  ].join('\n');
};

interface Row {
  readonly cells: readonly string[];
  /** The DETAIL column, one entry per line. */
  readonly detail: readonly string[];
}

/** `CODE (path): message`, its further lines indented by two. */
const refusalLines = (refusal: OutcomeRefusal): string[] => {
  const [first = '', ...rest] = refusal.message.split('\n').filter((line) => line.trim() !== '');
  const where = refusal.path ? ` (${refusal.path})` : '';
  return [`${refusal.code}${where}${first ? `: ${first}` : ''}`, ...rest.map((line) => `  ${line}`)];
};

const promotionRow = (o: PromotionRecord): Row => ({
  cells: [o.chart, o.version ?? '-', o.environment, o.status, short(o.commit)],
  detail: [
    [
      `${o.command} (${o.trigger})`,
      o.branch ? `branch ${o.branch}` : '',
      o.notBefore ? `not before ${o.notBefore}` : '',
      o.code ? `${o.code}${o.message ? `: ${o.message.split('\n')[0]}` : ''}` : (o.message ?? ''),
    ]
      .filter(Boolean)
      .join(' '),
  ],
});

const uploadRow = (o: UploadRun): Row => ({
  cells: [o.chart ?? o.key, o.version ?? '-', o.environment ?? '-', o.status, short(o.commit)],
  detail:
    o.status === 'refused'
      ? refusalsOf(o).flatMap(refusalLines)
      : [o.code ? `${o.code}${o.message ? `: ${o.message.split('\n')[0]}` : ''}` : (o.message ?? '')],
});

/** One line per run, for the long-running `local` command (every refusal code, the first message). */
export const runLine = (o: UploadOutcome): string => {
  const codes = refusalsOf(o).map((r) => r.code);
  const why = o.code ? ` ${(codes.length > 1 ? codes : [o.code]).join(', ')}: ${o.message ?? ''}` : '';
  return `${new Date().toISOString()}  ${o.status.padEnd(10)} ${o.chart ?? o.key} ${o.version ?? ''} ${
    o.environment ? `→ ${o.environment}` : ''
  } ${o.commit ? `commit ${short(o.commit)}` : ''}${why}`
    .replace(/\s+/g, ' ')
    .trim();
};
