import { describe, expect, it } from 'vitest';
import { readChartArchive } from '../../../functions/chart/read-chart-archive';
import { gzipBomb } from '../../support/tar-fixtures';

const TEN_GB = 10 * 1024 ** 3;

describe('a gzip bomb', () => {
  it('that would inflate to 10 GB is refused quickly, reading a sliver of it, in bounded memory', async () => {
    // Prepare
    const bomb = gzipBomb(TEN_GB);
    const peakBefore = process.resourceUsage().maxRSS * 1024;
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    // Act
    const result = await readChartArchive(bomb.chunks);
    // Assess
    const elapsed = performance.now() - started;
    const peakGrowth = process.resourceUsage().maxRSS * 1024 - peakBefore;
    const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
    expect(result).toEqual({
      ok: false,
      refusals: [
        expect.objectContaining({ code: 'ARCHIVE_TOO_LARGE', message: expect.stringContaining('inflates') }),
      ],
    });
    expect(bomb.consumed() / bomb.compressedBytes).toBeLessThan(0.05);
    expect(elapsed).toBeLessThan(15_000);
    expect(peakGrowth).toBeLessThan(200 * 1024 * 1024);
    expect(heapGrowth).toBeLessThan(200 * 1024 * 1024);
  });
});
