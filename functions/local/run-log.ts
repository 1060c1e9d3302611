import { appendFile, readFile } from 'node:fs/promises';
import type { UploadOutcome } from '../pipeline/upload-outcome';
import type { PromotionRecord } from './promotion-record';

/** One line of the local run log (`runs.jsonl` in the work dir): an upload's outcome and when. */
export interface RunRecord extends UploadOutcome {
  readonly at: string;
}

export const appendRuns = async (
  path: string,
  outcomes: readonly UploadOutcome[],
  at: Date,
): Promise<void> => {
  if (outcomes.length === 0) return;
  const lines = outcomes.map((outcome) => JSON.stringify({ at: at.toISOString(), ...outcome }));
  await appendFile(path, `${lines.join('\n')}\n`);
};

/** Environment moves (promotions, rollbacks) go to the same log, marked `kind: "promotion"`. */
export const appendPromotions = async (path: string, records: readonly PromotionRecord[]): Promise<void> => {
  if (records.length === 0) return;
  await appendFile(path, `${records.map((record) => JSON.stringify(record)).join('\n')}\n`);
};

/** Every line of the run log, uploads and environment moves, oldest first; missing = empty. */
export const readRunLog = async (path: string): Promise<(RunRecord | PromotionRecord)[]> => {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as RunRecord | PromotionRecord);
};

export const isPromotionRecord = (record: RunRecord | PromotionRecord): record is PromotionRecord =>
  'kind' in record && record.kind === 'promotion';

/** The upload runs of the run log, oldest first; a missing log is an empty one. */
export const readRuns = async (path: string): Promise<RunRecord[]> =>
  (await readRunLog(path)).filter((record): record is RunRecord => !isPromotionRecord(record));
