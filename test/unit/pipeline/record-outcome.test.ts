import { describe, expect, it } from 'vitest';
import { outcomeTags, runLogKeys } from '../../../functions/pipeline/record-outcome';
import type { UploadOutcome } from '../../../functions/pipeline/upload-outcome';

const base = { bucket: 'charts', key: 'incoming/a-1.0.0.tgz', runId: 'run-1', durationMs: 5 } as const;
const SHA = 'a'.repeat(40);

describe('outcomeTags (what the uploader sees on the object)', () => {
  it.each<[string, UploadOutcome, Record<string, string> | undefined]>([
    [
      'promoted: status, run id, environment and commit',
      { ...base, status: 'promoted', chart: 'a', version: '1.0.0', environment: 'dev', commit: SHA },
      {
        'chart-promoter/status': 'promoted',
        'chart-promoter/run-id': 'run-1',
        'chart-promoter/environment': 'dev',
        'chart-promoter/commit': SHA,
      },
    ],
    [
      'refused: status, run id, environment and code',
      { ...base, status: 'refused', environment: 'dev', code: 'CHART_VERSION_INVALID', message: 'bad' },
      {
        'chart-promoter/status': 'refused',
        'chart-promoter/run-id': 'run-1',
        'chart-promoter/environment': 'dev',
        'chart-promoter/code': 'CHART_VERSION_INVALID',
      },
    ],
    [
      'unchanged: status, run id, environment',
      { ...base, status: 'unchanged', environment: 'dev', message: 'dev already runs a 1.0.0' },
      {
        'chart-promoter/status': 'unchanged',
        'chart-promoter/run-id': 'run-1',
        'chart-promoter/environment': 'dev',
      },
    ],
    ['retry: no tags (not final yet)', { ...base, status: 'retry', code: 'HOST_UNAVAILABLE' }, undefined],
    ['ignored: no tags (not ours)', { ...base, status: 'ignored', code: 'OUTSIDE_PREFIX' }, undefined],
  ])('%s', (_name, outcome, expected) => {
    // Act
    const tags = outcomeTags(outcome);

    // Assess
    expect(tags).toEqual(expected);
    // S3 tag limits: at most 10 tags, keys up to 128 and values up to 256 characters.
    for (const [key, value] of Object.entries(tags ?? {})) {
      expect(key.length).toBeLessThanOrEqual(128);
      expect(value.length).toBeLessThanOrEqual(256);
    }
  });
});

describe('runLogKeys (the keys Logs Insights queries filter on)', () => {
  it('names the run, the chart, the environment, the object and the commit', () => {
    // Act
    const keys = runLogKeys({
      ...base,
      versionId: 'v1',
      status: 'promoted',
      chart: 'a',
      version: '1.0.0',
      environment: 'dev',
      commit: SHA,
    });

    // Assess
    expect(keys).toEqual({
      runId: 'run-1',
      chart: 'a',
      version: '1.0.0',
      environment: 'dev',
      s3Bucket: 'charts',
      s3Key: 'incoming/a-1.0.0.tgz',
      s3VersionId: 'v1',
      commit: SHA,
    });
  });
});
