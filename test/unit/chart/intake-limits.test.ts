import { describe, expect, it } from 'vitest';
import { DEFAULT_INTAKE_LIMITS } from '../../../functions/chart/chart';
import { resolveLimits } from '../../../functions/chart/intake-limits';
import { readChartArchive } from '../../../functions/chart/read-chart-archive';
import { buildChart, buildTar, chartEntries, gzip } from '../../support/tar-fixtures';

describe('intake limits', () => {
  it('the small chart used below passes with the default limits (control)', async () => {
    // Act
    const result = await readChartArchive(
      await buildChart('demo', '1.0.0', { 'big.bin': new Uint8Array(2000) }),
    );
    // Assess
    expect(result.ok).toBe(true);
  });

  it.each([
    ['maxArchiveBytes', { maxArchiveBytes: 100 }, 'larger than the limit of 100 bytes', undefined],
    [
      'maxDecompressedBytes',
      { maxDecompressedBytes: 1500 },
      'add up to more than 1500 bytes',
      'demo/big.bin',
    ],
    ['maxFileBytes', { maxFileBytes: 1999 }, 'over the limit of 1999', 'demo/big.bin'],
    ['maxEntries', { maxEntries: 4 }, 'more than 4 entries', undefined],
  ])('refuses past a configured %s with ARCHIVE_TOO_LARGE', async (_, limits, message, path) => {
    // Prepare: 5 entries (root dir + 4 files), one of them 2000 bytes
    const archive = await buildChart('demo', '1.0.0', { 'big.bin': new Uint8Array(2000) });
    // Act
    const result = await readChartArchive(archive, limits);
    // Assess
    expect(result).toEqual({
      ok: false,
      refusals: [
        { code: 'ARCHIVE_TOO_LARGE', message: expect.stringContaining(message), ...(path && { path }) },
      ],
    });
  });

  it('refuses a file over the default 5 MiB (Helm loader default)', async () => {
    // Prepare
    const archive = await buildChart('demo', '1.0.0', {
      'big.bin': new Uint8Array(DEFAULT_INTAKE_LIMITS.maxFileBytes + 1),
    });
    // Act
    const result = await readChartArchive(archive);
    // Assess
    expect(!result.ok && result.refusals[0]).toMatchObject({
      code: 'ARCHIVE_TOO_LARGE',
      path: 'demo/big.bin',
    });
  });

  it('stops inflating a valid chart followed by megabytes of zero blocks', async () => {
    // Prepare: zero padding after the end-of-archive marker is legitimate, so only the inflated-byte
    // cap can stop this
    const tar = await buildTar(chartEntries('demo', '1.0.0'));
    const archive = gzip(Buffer.concat([tar, new Uint8Array(20 * 1024 * 1024)]));
    // Act
    const result = await readChartArchive(archive, { maxDecompressedBytes: 64 * 1024, maxEntries: 10 });
    // Assess
    expect(result).toEqual({
      ok: false,
      refusals: [
        expect.objectContaining({ code: 'ARCHIVE_TOO_LARGE', message: expect.stringContaining('inflates') }),
      ],
    });
  });

  it('rejects a limit that is not a positive integer as a programming error', () => {
    // Act / Assess
    expect(() => resolveLimits({ maxEntries: 0 })).toThrow(RangeError);
    expect(() => resolveLimits({ maxFileBytes: Number.NaN })).toThrow(RangeError);
    expect(resolveLimits({ maxEntries: 7 })).toEqual({ ...DEFAULT_INTAKE_LIMITS, maxEntries: 7 });
  });

  it('takes the intake deadline as an optional limit; undefined means the default', () => {
    // Act / Assess
    expect(resolveLimits({ maxDurationMs: 500 })).toEqual({ ...DEFAULT_INTAKE_LIMITS, maxDurationMs: 500 });
    expect(resolveLimits({ maxDurationMs: undefined })).toEqual(DEFAULT_INTAKE_LIMITS);
    expect(() => resolveLimits({ maxDurationMs: 0 })).toThrow(RangeError);
  });
});
