import { PromoterError } from '../errors';

/**
 * The release ledger: what the pipeline SAW happen, per chart × environment (git stays the desired
 * state). The shape is shared by the ledger itself, `chart-promoter status` and the promotion board;
 * keep to it (add optional fields only).
 */

/** Where a chart's version stands in one environment, as the pipeline observed it. */
export type ReleaseState =
  | 'committed' // the commit is on the branch; Flux has not reported yet
  | 'proposed' // a pull/merge request (or pushed branch) waits for a human
  | 'converged' // Flux reported the release healthy (tests passed where enabled)
  | 'failed' // Flux reported a failure for this version/run
  | 'not-converged' // no healthy event before the deadline (convergeWithin)
  | 'rolled-back'; // the pipeline committed the previous version back

export interface ReleaseRecord {
  readonly chart: string;
  readonly environment: string;
  /** The version this record is about (the one committed/proposed/converged…). */
  readonly version: string;
  /** What ran before it in this environment, when known (rollback target). */
  readonly previousVersion?: string;
  readonly state: ReleaseState;
  /** ISO time the record entered `state`. */
  readonly since: string;
  /** ISO time the version was committed (or proposed). */
  readonly committedAt?: string;
  /** ISO time Flux reported it healthy. */
  readonly convergedAt?: string;
  /** Upload → ready, ms (set on convergence when the upload time is known). */
  readonly leadTimeMs?: number;
  /** Run id written into the HelmRelease annotation `event.toolkit.fluxcd.io/run-id`. */
  readonly runId: string;
  readonly previousRunId?: string;
  /** Commit that put the version there (direct) or the pull-request head commit. */
  readonly commit?: string;
  /** Open pull/merge request, for `proposed`. */
  readonly pullRequest?: { readonly number: number; readonly url: string; readonly branch: string };
  /**
   * The proposal branch, for `proposed` on a Git host that pushes a branch but opens no pull request
   * (plain git): a human opens the request, or merges the branch, in the host's own UI.
   */
  readonly branch?: string;
  /** ISO deadline for convergence (committedAt + convergeWithin), while `committed`. */
  readonly deadline?: string;
  /**
   * Roll back to `previousVersion` when the deadline passes (the environment's `autoRollback` when
   * the version was committed).
   */
  readonly autoRollback?: boolean;
  /** Converged after the deadline had passed (it was `not-converged` first). */
  readonly late?: boolean;
  /** Failure reason from Flux (`UpgradeFailed`, `TestFailed`, …) or `DEADLINE` for not-converged. */
  readonly reason?: string;
  /** Monotonic per (chart, environment): conditional writes compare it (no lost update). */
  readonly revision: number;
}

/** One row of the recent-runs list shown beside the matrix (uploads and environment moves). */
export interface RunSummary {
  readonly at: string;
  readonly kind: 'upload' | 'move';
  readonly chart?: string;
  readonly version?: string;
  readonly environment?: string;
  /** promoted | unchanged | refused | ignored | superseded | committed | pull-request | rolled-back | not-converged | … */
  readonly status: string;
  readonly codes?: readonly string[];
  readonly message?: string;
  readonly commit?: string;
  readonly source?: string;
}

/** What the board and `chart-promoter status` show: the matrix and the latest runs. */
export interface PromotionBoardView {
  readonly generatedAt: string;
  /** Environment order from the policy (.chart-promoter.yaml), first to last. */
  readonly environments: readonly string[];
  readonly releases: readonly ReleaseRecord[];
  readonly runs: readonly RunSummary[];
}

export interface ReleaseLedgerReader {
  /** Every record, or filtered by chart / environment. */
  list(filter?: { readonly chart?: string; readonly environment?: string }): Promise<ReleaseRecord[]>;
}

/**
 * Writes to the ledger: one record per chart × environment, replaced whole, and only if nobody wrote
 * it since it was read (compare-and-swap on `revision`, as the Git hosts compare-and-swap the branch
 * head). What a record becomes is decided by the domain (functions/promotion/ledger): read, apply a
 * transition, write with the revision read; on a conflict, read and apply again. Kept this small so
 * any later kind of observation (values changes, …) writes through the same two calls.
 */
export interface ReleaseLedgerWriter {
  /** The record as last written (a strongly consistent read), or undefined when there is none. */
  get(chart: string, environment: string): Promise<ReleaseRecord | undefined>;
  /**
   * Writes `record` (whose `revision` is `expectedRevision + 1`, or 1 for a new record) if the stored
   * record still has `expectedRevision` (`undefined`: if none is stored). Throws
   * {@link LedgerConflictError} when another writer came first; other failures as the store reports
   * them (retryable `LEDGER_UNAVAILABLE`, terminal `LEDGER_MISCONFIGURED`).
   */
  put(record: ReleaseRecord, expectedRevision: number | undefined): Promise<void>;
}

export type ReleaseLedger = ReleaseLedgerReader & ReleaseLedgerWriter;

/** Another writer changed the record between our read and our write: read it again and re-apply. */
export class LedgerConflictError extends PromoterError {
  override readonly name = 'LedgerConflictError';

  constructor(chart: string, environment: string, expectedRevision: number | undefined, cause?: unknown) {
    super(
      'LEDGER_CONFLICT',
      'retryable',
      `the ledger record of ${chart} in ${environment} changed since revision ${expectedRevision ?? '(none)'} was read`,
      cause === undefined ? {} : { cause },
    );
  }
}
