import type { OutcomeRefusal, UploadOutcome, UploadStatus } from './upload-outcome';
import { refusalsOf } from './upload-outcome';

/**
 * The outcome tags of an uploaded object: what its uploader can read back without access to the
 * logs (`aws s3api get-object-tagging`, `chart-promoter push --wait`). Written by record-outcome.ts,
 * read by the command line. S3 allows 10 tags per object and 256 characters per value
 * (functions/adapters/s3-tags.ts): at most 9 are written (a refusal has no commit), and a message longer than a value holds
 * is cut (the log line keeps it whole).
 */
export const TAG_PREFIX = 'chart-promoter';

const TAG = {
  status: `${TAG_PREFIX}/status`,
  runId: `${TAG_PREFIX}/run-id`,
  environment: `${TAG_PREFIX}/environment`,
  commit: `${TAG_PREFIX}/commit`,
  code: `${TAG_PREFIX}/code`,
  codes: `${TAG_PREFIX}/codes`,
  message: `${TAG_PREFIX}/message`,
  path: `${TAG_PREFIX}/path`,
  chart: `${TAG_PREFIX}/chart`,
  version: `${TAG_PREFIX}/version`,
} as const;

/** Final outcomes only: a retry is not over yet, and an ignored object is not the pipeline's. */
export const outcomeTags = (outcome: UploadOutcome): Record<string, string> | undefined => {
  if (outcome.status === 'retry' || outcome.status === 'ignored') return undefined;
  const tags: Record<string, string> = { [TAG.status]: outcome.status, [TAG.runId]: outcome.runId };
  if (outcome.environment) tags[TAG.environment] = outcome.environment;
  if (outcome.chart) tags[TAG.chart] = outcome.chart;
  if (outcome.version) tags[TAG.version] = outcome.version;
  if (outcome.commit) tags[TAG.commit] = outcome.commit;
  if (outcome.code) tags[TAG.code] = outcome.code;
  const refusals = refusalsOf(outcome);
  // Codes are [A-Z_] and S3 allows spaces in values (not commas): "CODE_A CODE_B".
  if (refusals.length > 1) tags[TAG.codes] = refusals.map((r) => r.code).join(' ');
  if (outcome.message) tags[TAG.message] = outcome.message;
  if (outcome.path) tags[TAG.path] = outcome.path;
  return tags;
};

/** An outcome as an object's tags tell it: everything but the messages of later refusals. */
export interface TaggedOutcome {
  readonly status: Exclude<UploadStatus, 'retry' | 'ignored'>;
  readonly runId?: string;
  readonly chart?: string;
  readonly version?: string;
  readonly environment?: string;
  readonly commit?: string;
  readonly message?: string;
  /** Every refusal code; the first carries `message` and `path` (as tagged: sanitised, maybe cut). */
  readonly refusals: readonly OutcomeRefusal[];
}

const FINAL: ReadonlySet<string> = new Set(['promoted', 'unchanged', 'superseded', 'refused']);

/** Reads outcome tags back; undefined while the object carries none (not processed yet). */
export const readOutcomeTags = (tags: Readonly<Record<string, string>>): TaggedOutcome | undefined => {
  const status = tags[TAG.status];
  if (status === undefined || !FINAL.has(status)) return undefined;
  const message = tags[TAG.message];
  const codes = (tags[TAG.codes] ?? tags[TAG.code] ?? '').split(' ').filter((code) => code !== '');
  const optional = (key: string, value: string | undefined) => (value ? { [key]: value } : {});
  return {
    status: status as TaggedOutcome['status'],
    ...optional('runId', tags[TAG.runId]),
    ...optional('chart', tags[TAG.chart]),
    ...optional('version', tags[TAG.version]),
    ...optional('environment', tags[TAG.environment]),
    ...optional('commit', tags[TAG.commit]),
    ...optional('message', message),
    refusals: codes.map((code, i) =>
      i === 0 && tags[TAG.path]
        ? { code, message: message ?? '', path: tags[TAG.path] }
        : { code, message: i === 0 ? (message ?? '') : '' },
    ),
  };
};
