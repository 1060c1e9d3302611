import { describe, expect, it } from 'vitest';
import {
  EMPTY_LEDGER,
  environmentsByFirstRelease,
  loadBoardView,
  NO_RUNS,
} from '../../../functions/board/board-view';
import type { ReleaseRecord, RunSummary } from '../../../functions/ports/release-ledger';

const record = (
  environment: string,
  committedAt: string | undefined,
  since = '2026-12-01T10:00:00.000Z',
): ReleaseRecord => ({
  chart: 'web',
  environment,
  version: '1.0.0',
  state: 'converged',
  since,
  ...(committedAt === undefined ? {} : { committedAt }),
  runId: 'r',
  revision: 1,
});

describe('environmentsByFirstRelease', () => {
  it('orders environments by the earliest commit seen in each (the way promotions walk), ties by name', () => {
    // Prepare
    const records = [
      record('prod', '2026-12-01T09:00:00.000Z'),
      record('staging', '2026-12-01T08:00:00.000Z'),
      record('dev', '2026-12-01T07:00:00.000Z'),
      record('dev', '2026-12-01T09:30:00.000Z'),
      record('qa', undefined, '2026-12-01T07:00:00.000Z'),
    ];
    // Act / Assess
    expect(environmentsByFirstRelease(records)).toEqual(['dev', 'qa', 'staging', 'prod']);
  });
});

describe('loadBoardView', () => {
  it('takes the policy order first, then environments only the ledger knows, and stamps the time', async () => {
    // Prepare
    const releases = [
      record('sandbox', '2026-12-01T06:00:00.000Z'),
      record('prod', '2026-12-01T09:00:00.000Z'),
    ];
    const runs: RunSummary[] = [{ at: '2026-12-01T10:00:00.000Z', kind: 'upload', status: 'promoted' }];
    const asked: number[] = [];
    // Act
    const view = await loadBoardView({
      ledger: { list: async () => releases },
      runs: {
        latest: async (limit) => {
          asked.push(limit);
          return runs;
        },
      },
      environments: async () => ['dev', 'prod'],
      clock: { now: () => new Date('2026-12-01T10:30:00.000Z') },
      runLimit: 7,
    });
    // Assess
    expect(view).toEqual({
      generatedAt: '2026-12-01T10:30:00.000Z',
      environments: ['dev', 'prod', 'sandbox'],
      releases,
      runs,
    });
    expect(asked).toEqual([7]);
  });

  it('is an empty board with the null sources', async () => {
    // Act
    const view = await loadBoardView({
      ledger: EMPTY_LEDGER,
      runs: NO_RUNS,
      clock: { now: () => new Date(0) },
    });
    // Assess
    expect(view).toEqual({
      generatedAt: '1970-01-01T00:00:00.000Z',
      environments: [],
      releases: [],
      runs: [],
    });
  });
});
