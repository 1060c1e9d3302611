import type { ResultField } from '@aws-sdk/client-cloudwatch-logs';
import {
  type OutcomeRefusal,
  UPLOAD_STATUSES,
  type UploadOutcome,
  type UploadStatus,
} from '../../functions/pipeline/upload-outcome';

/** An upload's outcome as the promote function logged it, and when (the run log's shape). */
export type LoggedRun = UploadOutcome & { readonly at: string };

export interface RunRows {
  /** Upload runs, oldest first (the query sorts newest first). */
  readonly runs: LoggedRun[];
  /** Lines of environment moves (promote/rollback commands): not upload runs, not listed. */
  readonly moves: number;
  /** Rows that do not carry an outcome line's keys (runId, a known status, s3Bucket, s3Key, durationMs). */
  readonly malformed: number;
}

const STATUSES: ReadonlySet<string> = new Set<string>(UPLOAD_STATUSES);

/**
 * Logs Insights prints `@timestamp` as `2026-01-15 10:23:45.123`, in UTC.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_AnalyzeLogData-discoverable-fields.html
 */
const isoTime = (value: string | undefined): string | undefined => {
  if (!value) return undefined;
  const time = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value.replace(' ', 'T')}Z`);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
};

const optional = <K extends string>(key: K, value: string | undefined) =>
  (value ? { [key]: value } : {}) as Partial<Record<K, string>>;

const isRefusal = (value: unknown): value is OutcomeRefusal => {
  const r = value as Partial<Record<string, unknown>> | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.code === 'string' &&
    typeof r.message === 'string' &&
    (r.path === undefined || typeof r.path === 'string')
  );
};

/**
 * The `refusals` array of an outcome line, read from the whole line (`@message`): top level as
 * Powertools writes it, or under `message` should the runtime have wrapped the line. Absent or
 * malformed: none (the row's code and reason still tell the first).
 */
const refusalsIn = (line: string | undefined): { refusals?: OutcomeRefusal[] } => {
  if (!line?.includes('"refusals"')) return {};
  try {
    const parsed = JSON.parse(line) as { refusals?: unknown; message?: { refusals?: unknown } };
    const found = parsed.refusals ?? parsed.message?.refusals;
    return Array.isArray(found) && found.length > 0 && found.every(isRefusal) ? { refusals: found } : {};
  } catch {
    return {};
  }
};

/** One result row (`[{field, value}, …]`) as a run, or why not. */
export const rowToRun = (row: readonly ResultField[]): LoggedRun | 'move' | 'malformed' => {
  const get = (field: string): string | undefined => row.find((cell) => cell.field === field)?.value;
  const [runId, status, bucket, key] = [get('runId'), get('status'), get('s3Bucket'), get('s3Key')];
  if (get('command') && !key) return 'move';
  const at = isoTime(get('@timestamp'));
  const durationMs = Number(get('durationMs') ?? Number.NaN);
  if (!runId || !status || !STATUSES.has(status) || !bucket || !key || !at) return 'malformed';
  if (!Number.isFinite(durationMs) || durationMs < 0) return 'malformed';
  return {
    at,
    runId,
    status: status as UploadStatus,
    bucket,
    key,
    ...optional('chart', get('chart')),
    ...optional('version', get('version')),
    ...optional('environment', get('environment')),
    ...optional('commit', get('commit')),
    ...optional('code', get('code')),
    ...optional('message', get('reason')),
    ...optional('path', get('path')),
    ...refusalsIn(get('@message')),
    durationMs,
  };
};

/** Every row of the runs query, sorted oldest first (newest last, as the local run log reads). */
export const runsFromRows = (rows: readonly (readonly ResultField[])[]): RunRows => {
  const runs: LoggedRun[] = [];
  let moves = 0;
  let malformed = 0;
  for (const row of rows) {
    const run = rowToRun(row);
    if (run === 'move') moves += 1;
    else if (run === 'malformed') malformed += 1;
    else runs.push(run);
  }
  // Array.prototype.sort is stable: runs logged in the same millisecond keep the query's order reversed.
  runs.reverse().sort((a, b) => a.at.localeCompare(b.at));
  return { runs, moves, malformed };
};
