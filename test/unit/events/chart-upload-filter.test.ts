import { describe, expect, it } from 'vitest';
import { isChartUpload, isForwardedKey } from '../../../functions/events/chart-upload-filter';

describe('isChartUpload', () => {
  it.each([
    ['incoming/podinfo-6.14.1.tgz', 'incoming/'],
    ['incoming/team a/my chart+1.0.TGZ', 'incoming/'],
    ['incoming/podinfo-6.14.1.tar.gz', 'incoming/'],
    ['anywhere/podinfo.tgz', ''],
    // A charts/ folder that is the prefix itself, or not the archive's own folder, is just a folder.
    ['charts/podinfo-6.14.1.tgz', 'charts/'],
    ['incoming/charts/team-a/podinfo-6.14.1.tgz', 'incoming/'],
  ])('accepts %s under "%s"', (key, prefix) => {
    expect(isChartUpload(key, prefix)).toEqual({ chart: true });
  });

  it.each([
    ['other/podinfo-6.14.1.tgz', 'incoming/', 'OUTSIDE_PREFIX'],
    ['incomingx/podinfo.tgz', 'incoming/', 'OUTSIDE_PREFIX'],
    ['incoming/team/', 'incoming/', 'FOLDER_MARKER'],
    ['incoming/README.md', 'incoming/', 'NOT_A_CHART_ARCHIVE'],
    ['incoming/podinfo.tgz.sig', 'incoming/', 'NOT_A_CHART_ARCHIVE'],
    ['incoming/app/templates/deployment.yaml', 'incoming/', 'NOT_A_CHART_ARCHIVE'],
    ['incoming/app/values.yaml', 'incoming/', 'NOT_A_CHART_ARCHIVE'],
  ])('skips %s under "%s" as %s', (key, prefix, reason) => {
    expect(isChartUpload(key, prefix)).toMatchObject({ chart: false, status: 'ignored', reason });
  });

  // What `helm dependency build` vendors into a chart's charts/ folder, uploaded with the chart
  // directory (`aws s3 cp <dir> s3://…/incoming/<name>/ --recursive`): never a release of its own.
  it.each([
    ['incoming/umbrella/charts/redis-17.3.0.tgz', 'redis-17.3.0.tgz in incoming/umbrella/charts/'],
    ['incoming/charts/redis-17.3.0.tgz', 'redis-17.3.0.tgz in incoming/charts/'],
    ['incoming/umbrella/charts/redis/Chart.yaml', 'redis in incoming/umbrella/charts/'],
    ['incoming/a/charts/b/charts/c-1.0.0.tar.gz', 'c-1.0.0.tar.gz in incoming/a/charts/b/charts/'],
    ['charts/redis-17.3.0.tgz', 'redis-17.3.0.tgz in charts/'],
  ])('skips %s as VENDORED_DEPENDENCY', (key, where) => {
    const prefix = key.startsWith('incoming/') ? 'incoming/' : '';
    expect(isChartUpload(key, prefix)).toEqual({
      chart: false,
      status: 'ignored',
      reason: 'VENDORED_DEPENDENCY',
      message: expect.stringContaining(`vendored dependency ${where}`),
    });
  });

  it.each([
    ['incoming/umbrella/Chart.yaml', 'incoming/umbrella/'],
    ['incoming/Chart.yaml', 'incoming/'],
    ['Chart.yaml', '/'],
  ])('refuses %s as CHART_NOT_PACKAGED, saying how to package %s', (key, dir) => {
    const check = isChartUpload(key, key.startsWith('incoming/') ? 'incoming/' : '');
    expect(check).toMatchObject({ chart: false, status: 'refused', reason: 'CHART_NOT_PACKAGED' });
    const message = check.chart ? '' : check.message;
    expect(message).toMatch(new RegExp(`^${dir} holds a chart directory uploaded file by file`));
    expect(message).toContain('helm package <chart dir>');
    expect(message).toContain('chart-promoter push <chart dir>');
  });
});

// EventBridge wildcard matching: `*` matches any characters, '/' included; the whole key must match.
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html#eb-filtering-wildcard-matching
describe('isForwardedKey (what the EventBridge rule, and the local bridge, hand to the pipeline)', () => {
  it.each([
    ['incoming/a-1.0.0.tgz', true],
    ['incoming/team/a-1.0.0.tar.gz', true],
    ['incoming/a-1.0.0.tgz.prov', true],
    ['incoming/app/Chart.yaml', true],
    ['incoming/Chart.yaml', true],
    ['incoming/app/charts/redis-1.0.0.tgz', true],
    ['incoming/app/values.yaml', false],
    ['incoming/app/templates/deployment.yaml', false],
    ['incoming/app/.helmignore', false],
    ['incoming/app/Chart.lock', false],
    ['incoming/a-1.0.0.TGZ', false],
    ['other/a-1.0.0.tgz', false],
  ])('%s → %s', (key, forwarded) => {
    expect(isForwardedKey(key, 'incoming/')).toBe(forwarded);
  });
});
