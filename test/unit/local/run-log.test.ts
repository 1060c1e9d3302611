import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendRuns, readRuns } from '../../../functions/local/run-log';
import type { UploadOutcome } from '../../../functions/pipeline/upload-outcome';

const outcome = (status: UploadOutcome['status'], key: string): UploadOutcome => ({
  status,
  bucket: 'charts',
  key,
  runId: `run-${key}`,
  durationMs: 12,
});

describe('run log (runs.jsonl)', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'run-log-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a missing log as no runs', async () => {
    // Act
    const runs = await readRuns(path.join(dir, 'runs.jsonl'));

    // Assess
    expect(runs).toEqual([]);
  });

  it('appends one JSON line per outcome, stamped, and reads them back oldest first', async () => {
    // Prepare
    const file = path.join(dir, 'runs.jsonl');

    // Act
    await appendRuns(
      file,
      [outcome('promoted', 'a.tgz'), outcome('refused', 'b.tgz')],
      new Date('2026-01-02T03:04:05Z'),
    );
    await appendRuns(file, [], new Date());
    await appendRuns(file, [outcome('unchanged', 'a.tgz')], new Date('2026-01-03T00:00:00Z'));

    // Assess
    const text = await readFile(file, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(text.trim().split('\n')).toHaveLength(3);
    const runs = await readRuns(file);
    expect(runs.map((r) => [r.at, r.status, r.key])).toEqual([
      ['2026-01-02T03:04:05.000Z', 'promoted', 'a.tgz'],
      ['2026-01-02T03:04:05.000Z', 'refused', 'b.tgz'],
      ['2026-01-03T00:00:00.000Z', 'unchanged', 'a.tgz'],
    ]);
  });
});
