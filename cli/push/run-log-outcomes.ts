import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseEventBody } from '../../functions/events';
import { isPromotionRecord, type RunRecord, readRunLog } from '../../functions/local/run-log';
import { refusalsOf } from '../../functions/pipeline/upload-outcome';
import type { ObservedOutcome, OutcomeSource, PushedObject } from './outcome-source';

const lines = async (path: string): Promise<string[]> => {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  return text.split('\n').filter((line) => line.trim() !== '');
};

/** A dead letter of the local queue (functions/local/local-runtime.ts): the SQS record and why. */
interface DeadLetter {
  readonly at: string;
  readonly reason: string;
  readonly record: { readonly body?: string };
}

const isAbout = (letter: DeadLetter, object: PushedObject): boolean => {
  try {
    const { objects } = parseEventBody(letter.record.body ?? '');
    // A key that reads two ways (`+`, `%XX`: functions/events/s3-key-encoding.ts) matches either.
    return objects.some(
      (o) => o.bucket === object.bucket && (o.key === object.key || o.deliveredKey === object.key),
    );
  } catch {
    return false;
  }
};

const fromRun = (run: RunRecord): ObservedOutcome => ({
  status: run.status === 'retry' ? 'dead-lettered' : run.status,
  runId: run.runId,
  ...(run.chart ? { chart: run.chart } : {}),
  ...(run.version ? { version: run.version } : {}),
  ...(run.environment ? { environment: run.environment } : {}),
  ...(run.commit ? { commit: run.commit } : {}),
  ...(run.code && run.status !== 'refused' ? { code: run.code } : {}),
  ...(run.message ? { message: run.message } : {}),
  refusals: run.status === 'refused' ? refusalsOf(run) : [],
});

/**
 * The local runtime's run log (`<workdir>/runs.jsonl`: final outcomes only, retries are not written)
 * and its dead letters (`<workdir>/dead-letters.jsonl`), read past the lines that were there before
 * the upload, so an earlier upload of the same key is never taken for this one.
 */
export const runLogOutcomes = (workdir: string): OutcomeSource => {
  const runLog = join(workdir, 'runs.jsonl');
  const deadLetters = join(workdir, 'dead-letters.jsonl');
  let seen = { runs: 0, deadLetters: 0 };
  return {
    describe: `the run log ${runLog}`,
    mark: async (_target) => {
      seen = { runs: (await readRunLog(runLog)).length, deadLetters: (await lines(deadLetters)).length };
    },
    read: async (object) => {
      const run = (await readRunLog(runLog))
        .slice(seen.runs)
        .find(
          (record): record is RunRecord =>
            !isPromotionRecord(record) && record.bucket === object.bucket && record.key === object.key,
        );
      if (run) return fromRun(run);
      const letter = (await lines(deadLetters))
        .slice(seen.deadLetters)
        .map((line) => JSON.parse(line) as DeadLetter)
        .find((candidate) => isAbout(candidate, object));
      if (!letter) return undefined;
      return {
        status: 'dead-lettered',
        message: `failed every delivery (${letter.reason}); the reason of each retry is in ${join(workdir, 'logs', 'promote.jsonl')}`,
        refusals: [],
      };
    },
  };
};
