import { describe, expect, it } from 'vitest';
import { readChartArchive } from '../../../functions/chart/read-chart-archive';
import { gzipBomb } from '../../support/tar-fixtures';

const TEN_GB = 10 * 1024 ** 3;
const ONE_GIB = 1024 ** 3;
const MiB = 1024 * 1024;

const wholeBomb = async (inflatedBytes: number): Promise<Uint8Array> => {
  const parts: Uint8Array[] = [];
  for await (const chunk of gzipBomb(inflatedBytes).chunks) parts.push(chunk);
  return Buffer.concat(parts);
};

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

  it('handed over as one buffer is refused in bounded memory: zlib inflates no further than intake reads', async () => {
    // Prepare: ~1 MiB of compressed zeros in one buffer; intake feeds zlib 1 MiB pieces (archive-tap.ts),
    // so each write could inflate to ~1 GiB if zlib ran ahead of its reader. Node's zlib waits for
    // the reader after every output chunk (lib/zlib.js processCallback): memory stays near the limit.
    const bomb = await wholeBomb(ONE_GIB);
    const peakBefore = process.resourceUsage().maxRSS * 1024;
    // Act
    const result = await readChartArchive(bomb, { maxDecompressedBytes: 16 * MiB });
    // Assess
    const peakGrowth = process.resourceUsage().maxRSS * 1024 - peakBefore;
    expect(result).toEqual({
      ok: false,
      refusals: [
        expect.objectContaining({ code: 'ARCHIVE_TOO_LARGE', message: expect.stringContaining('inflates') }),
      ],
    });
    expect(bomb.byteLength).toBeGreaterThan(MiB);
    expect(peakGrowth).toBeLessThan(200 * MiB);
  });
});
