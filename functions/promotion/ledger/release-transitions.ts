import type { ReleaseRecord } from '../../ports/release-ledger';

/**
 * What the pipeline saw happen to a chart in an environment: one observation per transition of the
 * release ledger (ports/release-ledger.ts). Pure: `applyObservation` decides what the record becomes.
 */
interface Subject {
  readonly chart: string;
  readonly environment: string;
  /** ISO time of the observation. */
  readonly at: string;
}

export type ReleaseObservation = Subject &
  (
    | {
        /** A commit on the branch puts `version` there (an upload or a direct promotion). */
        readonly kind: 'committed';
        readonly version: string;
        readonly runId: string;
        readonly commit?: string;
        /** When known from the move; otherwise the ledger's current version (if another). */
        readonly previousVersion?: string;
        /** `at` + the environment's convergeWithin. */
        readonly deadline: string;
        /** Roll back when the deadline passes. */
        readonly autoRollback?: boolean;
      }
    | {
        /** A pull/merge request (or a pushed branch) waits for a human. */
        readonly kind: 'proposed';
        readonly version: string;
        readonly runId: string;
        readonly commit?: string;
        readonly previousVersion?: string;
        readonly pullRequest?: { readonly number: number; readonly url: string; readonly branch: string };
        readonly branch?: string;
      }
    | {
        /** Flux reported `version` healthy. */
        readonly kind: 'converged';
        readonly version: string;
        readonly runId: string;
        readonly leadTimeMs?: number;
      }
    | {
        /** Flux reported a failure of `version`. */
        readonly kind: 'failed';
        readonly version: string;
        readonly runId: string;
        readonly reason: string;
      }
    | {
        /** The deadline sweep: no healthy event for the committed version before its deadline. */
        readonly kind: 'not-converged';
        readonly version: string;
        readonly runId: string;
      }
    | {
        /** The pipeline committed `version` back in place of `fromVersion` (failure or deadline). */
        readonly kind: 'rolled-back';
        readonly version: string;
        readonly fromVersion?: string;
        readonly runId: string;
        readonly commit?: string;
        readonly reason?: string;
      }
  );

/** The reason recorded for `not-converged`. */
export const DEADLINE_REASON = 'DEADLINE';

type Fields = Omit<ReleaseRecord, 'chart' | 'environment' | 'revision'>;

const next = (
  current: ReleaseRecord | undefined,
  observation: ReleaseObservation,
  fields: Fields,
): ReleaseRecord => ({
  chart: observation.chart,
  environment: observation.environment,
  ...fields,
  revision: (current?.revision ?? 0) + 1,
});

/** What ran before `version` here: the move's word, else the ledger's version when it is another. */
const previousOf = (
  current: ReleaseRecord | undefined,
  version: string,
  stated: string | undefined,
): { previousVersion?: string; previousRunId?: string } => {
  if (current === undefined) return stated === undefined ? {} : { previousVersion: stated };
  if (current.version === version) {
    // A re-commit of the same version (a re-run): keep what it replaced.
    return {
      ...(current.previousVersion === undefined ? {} : { previousVersion: current.previousVersion }),
      ...(current.previousRunId === undefined ? {} : { previousRunId: current.previousRunId }),
    };
  }
  return { previousVersion: stated ?? current.version, previousRunId: current.runId };
};

/** Is this Flux report about the version (and run) the record follows? Reports of others are stale. */
const concerns = (current: ReleaseRecord, version: string, runId: string): boolean =>
  current.version === version && (current.runId === runId || current.state !== 'committed');

/**
 * The record after `observation`, or `undefined` when it changes nothing (a report about another
 * version than the one followed, a sweep of a record that is no longer waiting, a duplicate report).
 * `revision` is always the current one plus one: the writer compares the current one.
 *
 * - committed / proposed: a new version (or a re-run) starts; `previousVersion` is what ran before;
 * - converged: the followed version is healthy; `late` when it first went `not-converged` or the
 *   deadline had passed; a rollback's convergence keeps the state `rolled-back` (it records what
 *   happened) and sets `convergedAt`;
 * - failed: the followed version failed (`reason` from Flux);
 * - not-converged: only a `committed` record of the same version and run, once past its deadline;
 * - rolled-back: `version` is what runs again, `previousVersion` the version rolled back from.
 */
export const applyObservation = (
  current: ReleaseRecord | undefined,
  observation: ReleaseObservation,
): ReleaseRecord | undefined => {
  const at = observation.at;
  switch (observation.kind) {
    case 'committed':
      return next(current, observation, {
        version: observation.version,
        ...previousOf(current, observation.version, observation.previousVersion),
        state: 'committed',
        since: at,
        committedAt: at,
        runId: observation.runId,
        ...(observation.commit === undefined ? {} : { commit: observation.commit }),
        deadline: observation.deadline,
        ...(observation.autoRollback ? { autoRollback: true } : {}),
      });
    case 'proposed':
      return next(current, observation, {
        version: observation.version,
        ...previousOf(current, observation.version, observation.previousVersion),
        state: 'proposed',
        since: at,
        committedAt: at,
        runId: observation.runId,
        ...(observation.commit === undefined ? {} : { commit: observation.commit }),
        ...(observation.pullRequest === undefined ? {} : { pullRequest: observation.pullRequest }),
        ...(observation.branch === undefined ? {} : { branch: observation.branch }),
      });
    case 'converged': {
      if (current !== undefined && !concerns(current, observation.version, observation.runId))
        return undefined;
      if (current?.state === 'converged' || (current?.state === 'rolled-back' && current.convergedAt))
        return undefined;
      const {
        deadline: _deadline,
        reason: _reason,
        pullRequest: _pr,
        branch: _branch,
        ...kept
      } = current ?? {
        runId: observation.runId,
        since: at,
      };
      const late =
        current?.state === 'not-converged' || (current?.deadline !== undefined && at > current.deadline);
      return next(current, observation, {
        ...kept,
        version: observation.version,
        state: current?.state === 'rolled-back' ? 'rolled-back' : 'converged',
        since: current?.state === 'rolled-back' ? current.since : at,
        convergedAt: at,
        ...(current?.state === 'rolled-back' && current.reason !== undefined
          ? { reason: current.reason }
          : {}),
        ...(observation.leadTimeMs === undefined ? {} : { leadTimeMs: observation.leadTimeMs }),
        ...(late ? { late: true } : {}),
      });
    }
    case 'failed': {
      if (current !== undefined && !concerns(current, observation.version, observation.runId))
        return undefined;
      if (current?.state === 'failed' && current.reason === observation.reason) return undefined;
      const {
        deadline: _deadline,
        pullRequest: _pr,
        branch: _branch,
        ...kept
      } = current ?? {
        runId: observation.runId,
      };
      return next(current, observation, {
        ...kept,
        version: observation.version,
        state: 'failed',
        since: at,
        reason: observation.reason,
      });
    }
    case 'not-converged': {
      if (current === undefined || current.state !== 'committed') return undefined;
      if (current.version !== observation.version || current.runId !== observation.runId) return undefined;
      if (current.deadline === undefined || at < current.deadline) return undefined;
      return next(current, observation, {
        ...current,
        state: 'not-converged',
        since: at,
        reason: DEADLINE_REASON,
      });
    }
    case 'rolled-back': {
      const from = observation.fromVersion ?? current?.version;
      // A rollback the deadline sweep asked for (a command) names no reason: the record's says why.
      const reason =
        observation.reason ??
        (current?.state === 'failed' || current?.state === 'not-converged' ? current.reason : undefined);
      return next(current, observation, {
        version: observation.version,
        ...(from === undefined || from === observation.version ? {} : { previousVersion: from }),
        ...(current === undefined ? {} : { previousRunId: current.runId }),
        state: 'rolled-back',
        since: at,
        committedAt: at,
        runId: observation.runId,
        ...(observation.commit === undefined ? {} : { commit: observation.commit }),
        ...(reason === undefined ? {} : { reason }),
      });
    }
  }
};
