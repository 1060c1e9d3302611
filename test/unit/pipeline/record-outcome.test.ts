import { describe, expect, it } from 'vitest';
import { outcomeTags, readOutcomeTags } from '../../../functions/pipeline/outcome-tags';
import { runLogKeys } from '../../../functions/pipeline/record-outcome';
import type { UploadOutcome } from '../../../functions/pipeline/upload-outcome';

const base = { bucket: 'charts', key: 'incoming/a-1.0.0.tgz', runId: 'run-1', durationMs: 5 } as const;
const SHA = 'a'.repeat(40);

describe('outcomeTags (what the uploader sees on the object)', () => {
  it.each<[string, UploadOutcome, Record<string, string> | undefined]>([
    [
      'promoted: status, run id, environment, chart, version and commit',
      { ...base, status: 'promoted', chart: 'a', version: '1.0.0', environment: 'dev', commit: SHA },
      {
        'chart-promoter/status': 'promoted',
        'chart-promoter/run-id': 'run-1',
        'chart-promoter/environment': 'dev',
        'chart-promoter/chart': 'a',
        'chart-promoter/version': '1.0.0',
        'chart-promoter/commit': SHA,
      },
    ],
    [
      'refused: status, run id, environment, code and message',
      { ...base, status: 'refused', environment: 'dev', code: 'CHART_VERSION_INVALID', message: 'bad' },
      {
        'chart-promoter/status': 'refused',
        'chart-promoter/run-id': 'run-1',
        'chart-promoter/environment': 'dev',
        'chart-promoter/code': 'CHART_VERSION_INVALID',
        'chart-promoter/message': 'bad',
      },
    ],
    [
      'refused for several reasons, Chart.yaml read: chart, version, the first code and message, every code',
      {
        ...base,
        status: 'refused',
        environment: 'dev',
        chart: 'a',
        version: '1.0.0',
        code: 'CHART_DEPENDENCY_MISSING',
        message: 'dependency "redis" is not vendored under charts/',
        path: 'Chart.yaml',
        refusals: [
          {
            code: 'CHART_DEPENDENCY_MISSING',
            message: 'dependency "redis" is not vendored',
            path: 'Chart.yaml',
          },
          { code: 'VALUES_SCHEMA_VIOLATION', message: 'replicas must be integer' },
        ],
      },
      {
        'chart-promoter/status': 'refused',
        'chart-promoter/run-id': 'run-1',
        'chart-promoter/environment': 'dev',
        'chart-promoter/chart': 'a',
        'chart-promoter/version': '1.0.0',
        'chart-promoter/code': 'CHART_DEPENDENCY_MISSING',
        'chart-promoter/codes': 'CHART_DEPENDENCY_MISSING VALUES_SCHEMA_VIOLATION',
        'chart-promoter/message': 'dependency "redis" is not vendored under charts/',
        'chart-promoter/path': 'Chart.yaml',
      },
    ],
    [
      'unchanged: status, run id, environment and why',
      { ...base, status: 'unchanged', environment: 'dev', message: 'dev already runs a 1.0.0' },
      {
        'chart-promoter/status': 'unchanged',
        'chart-promoter/run-id': 'run-1',
        'chart-promoter/environment': 'dev',
        'chart-promoter/message': 'dev already runs a 1.0.0',
      },
    ],
    ['retry: no tags (not final yet)', { ...base, status: 'retry', code: 'HOST_UNAVAILABLE' }, undefined],
    ['ignored: no tags (not ours)', { ...base, status: 'ignored', code: 'OUTSIDE_PREFIX' }, undefined],
  ])('%s', (_name, outcome, expected) => {
    // Act
    const tags = outcomeTags(outcome);

    // Assess
    expect(tags).toEqual(expected);
    // S3 tag limits: at most 10 tags, keys up to 128 characters (values are cut by the adapter).
    expect(Object.keys(tags ?? {}).length).toBeLessThanOrEqual(10);
    for (const key of Object.keys(tags ?? {})) expect(key.length).toBeLessThanOrEqual(128);
  });
});

describe('readOutcomeTags (what `push --wait` reads back)', () => {
  it('gives back status, chart, version, commit and every refusal code, the first with its message', () => {
    // Prepare
    const tags = outcomeTags({
      ...base,
      status: 'refused',
      environment: 'dev',
      chart: 'a',
      version: '1.0.0',
      code: 'RENDER_FAILED',
      message: 'helm template failed',
      path: 'templates/a.yaml',
      refusals: [
        { code: 'RENDER_FAILED', message: 'helm template failed' },
        { code: 'VALUES_INVALID', message: 'values.yaml is not a map' },
      ],
    });

    // Act
    const read = readOutcomeTags(tags ?? {});

    // Assess
    expect(read).toEqual({
      status: 'refused',
      runId: 'run-1',
      chart: 'a',
      version: '1.0.0',
      environment: 'dev',
      message: 'helm template failed',
      refusals: [
        { code: 'RENDER_FAILED', message: 'helm template failed', path: 'templates/a.yaml' },
        { code: 'VALUES_INVALID', message: '' },
      ],
    });
  });

  it('reads a promotion, and nothing from an object the pipeline has not tagged yet (or user tags)', () => {
    // Act
    const promoted = readOutcomeTags(
      outcomeTags({ ...base, status: 'promoted', environment: 'dev', commit: SHA }) ?? {},
    );

    // Assess
    expect(promoted).toEqual({
      status: 'promoted',
      runId: 'run-1',
      environment: 'dev',
      commit: SHA,
      refusals: [],
    });
    expect(readOutcomeTags({})).toBeUndefined();
    expect(readOutcomeTags({ team: 'a', 'chart-promoter/status': 'retry' })).toBeUndefined();
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
