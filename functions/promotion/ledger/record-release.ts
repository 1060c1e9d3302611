import {
  LedgerConflictError,
  type ReleaseLedgerWriter,
  type ReleaseRecord,
} from '../../ports/release-ledger';
import { applyObservation, type ReleaseObservation } from './release-transitions';

/**
 * Concurrent writers of one record (a feedback event and a deadline sweep, two runs) each lose at
 * most a few rounds; past this many something is wrong and the caller hears LEDGER_CONFLICT.
 */
export const MAX_LEDGER_ROUNDS = 16;

export interface RecordedRelease {
  /** The record as written, or as found when the observation changed nothing. */
  readonly record: ReleaseRecord | undefined;
  /** false: the observation changed nothing (stale, duplicate). */
  readonly written: boolean;
  /** Conditional writes lost to another writer before this one won. */
  readonly conflicts: number;
}

/**
 * Records one observation: read the record (strongly consistent), apply the transition, write it
 * back only if nobody wrote since (revision compare-and-swap); on a conflict, read and apply again,
 * so no writer's update is lost. The same loop as the Git hosts' commit loop, for the ledger.
 */
export const recordRelease = async (
  ledger: ReleaseLedgerWriter,
  observation: ReleaseObservation,
): Promise<RecordedRelease> => {
  let conflicts = 0;
  for (;;) {
    const current = await ledger.get(observation.chart, observation.environment);
    const updated = applyObservation(current, observation);
    if (updated === undefined) return { record: current, written: false, conflicts };
    try {
      await ledger.put(updated, current?.revision);
      return { record: updated, written: true, conflicts };
    } catch (error) {
      if (!(error instanceof LedgerConflictError) || ++conflicts >= MAX_LEDGER_ROUNDS) throw error;
    }
  }
};
