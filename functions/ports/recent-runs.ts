import type { RunSummary } from './release-ledger';

/**
 * The latest runs (uploads and environment moves) shown beside the release matrix. Locally the run
 * log answers; deployed, the implementation comes with the release ledger.
 */
export interface RecentRunsReader {
  /** At most `limit` runs, newest first. */
  latest(limit: number): Promise<RunSummary[]>;
}
