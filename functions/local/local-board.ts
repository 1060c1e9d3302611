import { EMPTY_LEDGER, loadBoardView } from '../board/board-view';
import { systemClock } from '../ports/clock';
import type { PromotionBoardView, ReleaseLedgerReader } from '../ports/release-ledger';
import { readClusterState } from './cluster-state';
import { runLogRuns } from './run-log-runs';

export interface LocalBoardSources {
  readonly clusterRepo: string;
  readonly branch: string;
  /** The environment uploads go to: the policy's first when the repository has no policy. */
  readonly fallbackEnvironment: string;
  readonly runLog: string;
  /** @default EMPTY_LEDGER */
  readonly ledger?: ReleaseLedgerReader;
}

/**
 * The local board's view: releases from the ledger, the latest runs from the run log, environments
 * in the order of the cluster repository's policy (read at each refresh, so a policy edited by hand
 * shows at once; an unreadable policy falls back to the ledger's order).
 */
export const localBoardView =
  (sources: LocalBoardSources): (() => Promise<PromotionBoardView>) =>
  () =>
    loadBoardView({
      ledger: sources.ledger ?? EMPTY_LEDGER,
      runs: runLogRuns(sources.runLog),
      environments: () =>
        readClusterState(sources.clusterRepo, sources.branch, sources.fallbackEnvironment, []).then(
          (state) => state.policy.environments.map((environment) => environment.name),
          () => [],
        ),
      clock: systemClock,
    });
