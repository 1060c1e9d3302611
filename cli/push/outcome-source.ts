import type { OutcomeRefusal } from '../../functions/pipeline/upload-outcome';

/** The object `push` uploaded, as S3 answered the upload. */
export interface PushedObject {
  readonly bucket: string;
  readonly key: string;
  /** Set when the bucket is versioned (the deployed intake bucket is): the exact version to follow. */
  readonly versionId?: string;
}

/**
 * What became of an upload. `dead-lettered`: it failed the queue's receives (local run only: the
 * deployed DLQ is not readable from here); `gone`: the object was deleted before it had an outcome.
 */
export type ObservedStatus =
  | 'promoted'
  | 'unchanged'
  | 'superseded'
  | 'refused'
  | 'ignored'
  | 'dead-lettered'
  | 'gone';

export interface ObservedOutcome {
  readonly status: ObservedStatus;
  readonly runId?: string;
  readonly chart?: string;
  readonly version?: string;
  readonly environment?: string;
  readonly commit?: string;
  /** Why it was ignored or failed (refusals carry their own codes). */
  readonly code?: string;
  /** The outcome's reason (unchanged, superseded, ignored, dead-lettered…), or a refusal's first message. */
  readonly message?: string;
  /** Every refusal (empty unless refused); a message may be empty where the source lacks it. */
  readonly refusals: readonly OutcomeRefusal[];
  /** Set when the source holds only part of the story (cut or missing messages): where the rest is. */
  readonly partial?: string;
}

/**
 * Where `push --wait` reads the pipeline's outcome of one uploaded object. Two today: the local run
 * log (`--workdir`, run-log-outcomes.ts) and the object's outcome tags (anywhere, deployed included:
 * object-tag-outcomes.ts). A durable release ledger can be a third without `push` changing.
 */
export interface OutcomeSource {
  /** What it reads, for the progress line and the timeout message ("the object's tags"). */
  readonly describe: string;
  /**
   * Called before the upload: what is there already (an earlier upload's run, an overwritten
   * object's tags) is not this upload's outcome. An environment error here stops `push` before it
   * uploads anything.
   */
  mark(target: PushedObject): Promise<void>;
  /** The final outcome, or undefined while there is none yet. Environment errors throw CliError. */
  read(object: PushedObject): Promise<ObservedOutcome | undefined>;
  /** Why there may be nothing yet (e.g. the last transient read error), for the timeout message. */
  lastProblem?(): string | undefined;
}

/** Exit 0 only when the chart is in the environment: promoted now, or already there. */
export const isSuccess = (outcome: ObservedOutcome): boolean =>
  outcome.status === 'promoted' || outcome.status === 'unchanged';
