import type { Clock } from '../ports/clock';
import type { RecentRunsReader } from '../ports/recent-runs';
import type { PromotionBoardView, ReleaseLedgerReader, ReleaseRecord } from '../ports/release-ledger';

/** Where the board's view comes from: the ledger, the runs, the environment order, the time. */
export interface BoardViewSources {
  readonly ledger: ReleaseLedgerReader;
  readonly runs: RecentRunsReader;
  /**
   * Environment order from the policy, first to last. Environments of the ledger that it does not
   * name follow, in the order {@link environmentsByFirstRelease} gives.
   * @default [] (the ledger's order alone)
   */
  readonly environments?: () => Promise<readonly string[]>;
  readonly clock: Pick<Clock, 'now'>;
  /** Runs read for the list beside the matrix. @default 50 */
  readonly runLimit?: number;
}

/** The ledger before it exists, or with nothing in it. */
export const EMPTY_LEDGER: ReleaseLedgerReader = { list: async () => [] };
export const NO_RUNS: RecentRunsReader = { latest: async () => [] };

/**
 * Environments ordered by the earliest commit seen in each: charts reach the first environment of a
 * pipeline first, so without the policy at hand this is the order a promotion walks. Ties by name.
 */
export const environmentsByFirstRelease = (records: readonly ReleaseRecord[]): string[] => {
  const first = new Map<string, string>();
  for (const record of records) {
    const at = record.committedAt ?? record.since;
    const held = first.get(record.environment);
    if (held === undefined || at < held) first.set(record.environment, at);
  }
  return [...first]
    .sort(([a, at], [b, bt]) => at.localeCompare(bt) || a.localeCompare(b))
    .map(([name]) => name);
};

/** Reads ledger, runs and environment order at once, into the view the board and `status` show. */
export const loadBoardView = async (sources: BoardViewSources): Promise<PromotionBoardView> => {
  const [releases, runs, known] = await Promise.all([
    sources.ledger.list(),
    sources.runs.latest(sources.runLimit ?? 50),
    sources.environments?.() ?? Promise.resolve([]),
  ]);
  const listed = new Set(known);
  const environments = [
    ...known,
    ...environmentsByFirstRelease(releases).filter((environment) => !listed.has(environment)),
  ];
  return { generatedAt: sources.clock.now().toISOString(), environments, releases, runs };
};
