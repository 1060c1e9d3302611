import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DEFAULT_INTAKE_LIMITS } from '../../../functions/chart/chart';
import { readChartArchive } from '../../../functions/chart/read-chart-archive';
import { readTarEntries, type TarEntries } from '../../../functions/chart/tar-entries';
import { type RawEntry, rawTar } from '../../support/reliability/raw-tar';
import { buildTar } from '../../support/tar-fixtures';

/** Fails the test instead of hanging it: the bug these tests guard against is a wait without end. */
const promptly = async <T>(work: Promise<T>, ms = 3000): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
};

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

/** tar-stream alone, without the framing walker in front (what readChartArchive puts there). */
const entriesOf = (tar: Uint8Array): Promise<TarEntries> =>
  promptly(readTarEntries(once(tar), DEFAULT_INTAKE_LIMITS));

const CHART: RawEntry = { name: 'demo/Chart.yaml', data: 'apiVersion: v2\nname: demo\nversion: 1.0.0\n' };

describe('readTarEntries on directory headers with a size', () => {
  it.each([
    ['a directory', { name: 'demo/', typeflag: '5', sizeField: '00004000000\0' }],
    ['a directory with an unsafe name', { name: '../escape/', typeflag: '5', sizeField: '00000001000\0' }],
  ] satisfies [string, RawEntry][])(
    'refuses %s as ARCHIVE_CORRUPT instead of waiting on its body',
    async (_, entry) => {
      // Act
      const entries = await entriesOf(rawTar([entry, CHART]));

      // Assess
      expect(entries.stop).toMatchObject({
        code: 'ARCHIVE_CORRUPT',
        message: expect.stringContaining('directory entry declares'),
      });
    },
  );

  it('reads an ordinary directory (size 0) without waiting on anything', async () => {
    const entries = await entriesOf(rawTar([{ name: 'demo/', typeflag: '5' }, CHART]));
    expect(entries.stop).toBeUndefined();
    expect([...entries.directories]).toEqual(['demo']);
    expect([...entries.files.keys()]).toEqual(['demo/Chart.yaml']);
  });

  it('maps tar-stream\'s "Header exceeds max size" (a record over 4 MiB) to ARCHIVE_TOO_LARGE', async () => {
    // Prepare
    const tar = await buildTar([
      { name: 'demo/a', data: 'x', pax: { comment: 'c'.repeat(5 * 1024 * 1024) } },
    ]);
    // Act
    const entries = await entriesOf(tar);
    // Assess
    expect(entries.stop).toMatchObject({ code: 'ARCHIVE_TOO_LARGE' });
  });
});

describe('readChartArchive with the framing walker in front', () => {
  it('refuses a typeflag-NUL entry named `…/` with data (Go reads a directory, tar-stream a file)', async () => {
    // Act
    const result = await promptly(
      readChartArchive(
        gzipSync(
          rawTar([{ name: 'demo/', typeflag: '5' }, CHART, { name: 'demo/d/', typeflag: '\0', data: 'x' }]),
        ),
      ),
    );
    // Assess
    expect(result).toEqual({
      ok: false,
      refusals: [
        expect.objectContaining({
          code: 'ARCHIVE_CORRUPT',
          message: expect.stringContaining('declares 1 bytes'),
        }),
      ],
    });
  });

  it('refuses a template after the end-of-archive marker, naming the marker and nothing else', async () => {
    // Prepare
    const tar = Buffer.concat([
      rawTar([{ name: 'demo/', typeflag: '5' }, CHART]),
      rawTar([{ name: 'demo/templates/hidden.yaml', data: '{{ fail "x" }}' }]),
    ]);
    // Act
    const result = await readChartArchive(gzipSync(tar));
    // Assess
    expect(result).toEqual({
      ok: false,
      refusals: [
        expect.objectContaining({
          code: 'ARCHIVE_CORRUPT',
          message: expect.stringContaining('data after the end-of-archive marker'),
        }),
      ],
    });
  });

  it('accepts zero padding after the marker, even a partial block (Go stops reading at the marker)', async () => {
    // Prepare
    const tar = Buffer.concat([rawTar([{ name: 'demo/', typeflag: '5' }, CHART]), new Uint8Array(700)]);
    // Act
    const result = await readChartArchive(gzipSync(tar));
    // Assess
    expect(result.ok && result.chart.files.map((f) => f.path)).toEqual(['Chart.yaml']);
  });

  it("refuses a PAX record over helm's 1 MiB limit as ARCHIVE_TOO_LARGE", async () => {
    // Prepare
    const tar = await buildTar([
      { name: 'demo/Chart.yaml', data: 'apiVersion: v2\nname: demo\nversion: 1.0.0\n' },
      { name: 'demo/a', data: 'x', pax: { comment: 'c'.repeat(1024 * 1024 + 1) } },
    ]);
    // Act
    const result = await readChartArchive(gzipSync(tar));
    // Assess
    expect(result).toEqual({
      ok: false,
      refusals: [
        expect.objectContaining({ code: 'ARCHIVE_TOO_LARGE', message: expect.stringContaining('1048576') }),
      ],
    });
  });
});
