import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendPromotions, appendRuns } from '../../../functions/local/run-log';
import { runLogRuns } from '../../../functions/local/run-log-runs';

describe('runLogRuns (the local board lists the run log)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'run-log-runs-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('turns uploads and environment moves into run summaries, newest first, at most the limit', async () => {
    // Prepare
    const file = path.join(dir, 'runs.jsonl');
    const upload = { bucket: 'charts', runId: 'r1', durationMs: 5 };
    await appendRuns(
      file,
      [
        {
          ...upload,
          status: 'promoted',
          key: 'incoming/web-1.0.0.tgz',
          chart: 'web',
          version: '1.0.0',
          environment: 'dev',
          commit: 'abc',
        },
        {
          ...upload,
          status: 'refused',
          key: 'incoming/bad.tgz',
          code: 'ARCHIVE_CORRUPT',
          message: 'not gzip',
        },
      ],
      new Date('2026-12-01T10:00:00.000Z'),
    );
    await appendPromotions(file, [
      {
        kind: 'promotion',
        at: '2026-12-01T10:01:00.000Z',
        trigger: 'feedback',
        runId: 'r2',
        command: 'promote',
        chart: 'web',
        version: '1.0.0',
        environment: 'staging',
        status: 'scheduled',
        notBefore: '2026-12-01T10:01:02.000Z',
      },
      {
        kind: 'promotion',
        at: '2026-12-01T10:02:00.000Z',
        trigger: 'scheduled',
        runId: 'r3',
        command: 'promote',
        chart: 'web',
        version: '1.0.0',
        environment: 'prod',
        status: 'branch-pushed',
        commit: 'def',
        branch: 'promote/prod/web-1.0.0',
      },
    ]);
    // Act
    const latest = await runLogRuns(file).latest(3);
    // Assess
    expect(latest).toEqual([
      {
        at: '2026-12-01T10:02:00.000Z',
        kind: 'move',
        chart: 'web',
        version: '1.0.0',
        environment: 'prod',
        status: 'branch-pushed',
        message: 'branch promote/prod/web-1.0.0',
        commit: 'def',
      },
      {
        at: '2026-12-01T10:01:00.000Z',
        kind: 'move',
        chart: 'web',
        version: '1.0.0',
        environment: 'staging',
        status: 'scheduled',
        message: 'not before 2026-12-01T10:01:02.000Z',
      },
      {
        at: '2026-12-01T10:00:00.000Z',
        kind: 'upload',
        status: 'refused',
        codes: ['ARCHIVE_CORRUPT'],
        message: 'not gzip',
        source: 's3://charts/incoming/bad.tgz',
      },
    ]);
  });

  it('reads a missing log as no runs', async () => {
    expect(await runLogRuns(path.join(dir, 'none.jsonl')).latest(10)).toEqual([]);
  });
});
