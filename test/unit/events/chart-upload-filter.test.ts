import { describe, expect, it } from 'vitest';
import { isChartUpload } from '../../../functions/events/chart-upload-filter';

describe('isChartUpload', () => {
  it.each([
    ['incoming/podinfo-6.14.1.tgz', 'incoming/'],
    ['incoming/team a/my chart+1.0.TGZ', 'incoming/'],
    ['incoming/podinfo-6.14.1.tar.gz', 'incoming/'],
    ['anywhere/podinfo.tgz', ''],
  ])('accepts %s under "%s"', (key, prefix) => {
    expect(isChartUpload(key, prefix)).toEqual({ chart: true });
  });

  it.each([
    ['other/podinfo-6.14.1.tgz', 'incoming/', 'OUTSIDE_PREFIX'],
    ['incomingx/podinfo.tgz', 'incoming/', 'OUTSIDE_PREFIX'],
    ['incoming/team/', 'incoming/', 'FOLDER_MARKER'],
    ['incoming/README.md', 'incoming/', 'NOT_A_CHART_ARCHIVE'],
    ['incoming/podinfo.tgz.sig', 'incoming/', 'NOT_A_CHART_ARCHIVE'],
  ])('skips %s under "%s" as %s', (key, prefix, reason) => {
    expect(isChartUpload(key, prefix)).toMatchObject({ chart: false, reason });
  });
});
