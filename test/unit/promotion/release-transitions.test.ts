import { describe, expect, it } from 'vitest';
import type { ReleaseRecord } from '../../../functions/ports/release-ledger';
import {
  applyObservation,
  DEADLINE_REASON,
  type ReleaseObservation,
} from '../../../functions/promotion/ledger/release-transitions';

const subject = { chart: 'web', environment: 'dev' } as const;
const T0 = '2026-01-01T00:00:00.000Z';
const T10 = '2026-01-01T00:10:00.000Z';
const T15 = '2026-01-01T00:15:00.000Z';
const T20 = '2026-01-01T00:20:00.000Z';

const committed = (version: string, runId: string, at = T0): ReleaseObservation => ({
  ...subject,
  kind: 'committed',
  version,
  runId,
  at,
  commit: `sha-${version}`,
  deadline: T15,
});

/** Applies observations in order, as the ledger would. */
const replay = (...observations: ReleaseObservation[]): ReleaseRecord | undefined =>
  observations.reduce<ReleaseRecord | undefined>(
    (record, o) => applyObservation(record, o) ?? record,
    undefined,
  );

describe('release ledger transitions', () => {
  it('committed: a new record with its deadline, revision 1', () => {
    // Act
    const record = replay(committed('1.0.0', 'r1'));
    // Assess
    expect(record).toEqual({
      ...subject,
      version: '1.0.0',
      state: 'committed',
      since: T0,
      committedAt: T0,
      runId: 'r1',
      commit: 'sha-1.0.0',
      deadline: T15,
      revision: 1,
    });
  });

  it('committed over another version remembers it as the previous version and run', () => {
    // Act
    const record = replay(committed('1.0.0', 'r1'), committed('1.1.0', 'r2', T10));
    // Assess
    expect(record).toMatchObject({
      version: '1.1.0',
      previousVersion: '1.0.0',
      previousRunId: 'r1',
      revision: 2,
    });
  });

  it('converged before the deadline: on time, with its lead time, the deadline gone', () => {
    // Act
    const record = replay(committed('1.0.0', 'r1'), {
      ...subject,
      kind: 'converged',
      version: '1.0.0',
      runId: 'r1',
      at: T10,
      leadTimeMs: 600_000,
    });
    // Assess
    expect(record).toMatchObject({ state: 'converged', since: T10, convergedAt: T10, leadTimeMs: 600_000 });
    expect(record?.late).toBeUndefined();
    expect(record?.deadline).toBeUndefined();
  });

  it('not-converged only past the deadline, then a late convergence is recorded as late', () => {
    // Prepare
    const sweep = (at: string): ReleaseObservation => ({
      ...subject,
      kind: 'not-converged',
      version: '1.0.0',
      runId: 'r1',
      at,
    });
    const start = replay(committed('1.0.0', 'r1'));
    // Act
    const early = applyObservation(start, sweep(T10));
    const overdue = applyObservation(start, sweep(T15));
    const late = applyObservation(overdue, {
      ...subject,
      kind: 'converged',
      version: '1.0.0',
      runId: 'r1',
      at: T20,
      leadTimeMs: 1_200_000,
    });
    // Assess
    expect(early).toBeUndefined();
    expect(overdue).toMatchObject({
      state: 'not-converged',
      reason: DEADLINE_REASON,
      since: T15,
      revision: 2,
    });
    expect(late).toMatchObject({ state: 'converged', late: true, leadTimeMs: 1_200_000, revision: 3 });
    expect(late?.reason).toBeUndefined();
  });

  it('a sweep of a record that moved on (other run, converged) changes nothing', () => {
    // Prepare
    const converged = replay(committed('1.0.0', 'r1'), {
      ...subject,
      kind: 'converged',
      version: '1.0.0',
      runId: 'r1',
      at: T10,
    });
    // Act
    const sweptConverged = applyObservation(converged, {
      ...subject,
      kind: 'not-converged',
      version: '1.0.0',
      runId: 'r1',
      at: T20,
    });
    const sweptOtherRun = applyObservation(replay(committed('1.1.0', 'r2')), {
      ...subject,
      kind: 'not-converged',
      version: '1.0.0',
      runId: 'r1',
      at: T20,
    });
    // Assess
    expect(sweptConverged).toBeUndefined();
    expect(sweptOtherRun).toBeUndefined();
  });

  it('reports about another version than the one followed are stale: ignored', () => {
    // Prepare
    const proposed = replay({
      ...subject,
      kind: 'proposed',
      version: '2.0.0',
      runId: 'r2',
      at: T0,
      previousVersion: '1.0.0',
      pullRequest: { number: 7, url: 'https://example.test/pull/7', branch: 'promote/dev/web-2.0.0' },
    });
    // Act
    const oldHealthy = applyObservation(proposed, {
      ...subject,
      kind: 'converged',
      version: '1.0.0',
      runId: 'r1',
      at: T10,
    });
    const oldFailed = applyObservation(proposed, {
      ...subject,
      kind: 'failed',
      version: '1.0.0',
      runId: 'r1',
      reason: 'UpgradeFailed',
      at: T10,
    });
    // Assess
    expect(proposed).toMatchObject({ state: 'proposed', previousVersion: '1.0.0' });
    expect(proposed?.pullRequest?.number).toBe(7);
    expect(oldHealthy).toBeUndefined();
    expect(oldFailed).toBeUndefined();
  });

  it('failed, then rolled back: the version put back, the failed one as previous, the reason kept', () => {
    // Act
    const record = replay(
      committed('1.0.0', 'r1'),
      committed('1.1.0', 'r2', T10),
      { ...subject, kind: 'failed', version: '1.1.0', runId: 'r2', reason: 'UpgradeFailed', at: T15 },
      {
        ...subject,
        kind: 'rolled-back',
        version: '1.0.0',
        runId: 'rollback-r3',
        commit: 'sha-rb',
        reason: 'UpgradeFailed',
        at: T15,
      },
    );
    const converged = applyObservation(record, {
      ...subject,
      kind: 'converged',
      version: '1.0.0',
      runId: 'rollback-r3',
      at: T20,
    });
    // Assess
    expect(record).toMatchObject({
      state: 'rolled-back',
      version: '1.0.0',
      previousVersion: '1.1.0',
      reason: 'UpgradeFailed',
      revision: 4,
    });
    expect(converged).toMatchObject({ state: 'rolled-back', convergedAt: T20, since: T15, revision: 5 });
  });

  it('a duplicate report changes nothing (no extra write)', () => {
    // Prepare
    const healthy: ReleaseObservation = {
      ...subject,
      kind: 'converged',
      version: '1.0.0',
      runId: 'r1',
      at: T10,
    };
    const once = replay(committed('1.0.0', 'r1'), healthy);
    // Act
    const twice = applyObservation(once, { ...healthy, at: T20 });
    // Assess
    expect(twice).toBeUndefined();
  });
});
