import { appendFile, readFile } from 'node:fs/promises';
import type { UploadOutcome } from '../pipeline/upload-outcome';

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

/** The run log, oldest first; a missing log is an empty one. */
export const readRuns = async (path: string): Promise<RunRecord[]> => {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as RunRecord);
};
