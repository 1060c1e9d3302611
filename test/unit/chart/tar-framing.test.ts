import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntakeStop } from '../../../functions/chart/intake-stop';
import type { Refusal } from '../../../functions/chart/refusal';
import {
  checkTarFraming,
  MAX_META_ENTRY_BYTES,
  TarFramingWalker,
} from '../../../functions/chart/tar-framing';
import { type RawEntry, rawTar } from '../../support/reliability/raw-tar';
import { buildTar } from '../../support/tar-fixtures';

const run = promisify(execFile);

/** Runs `command` with `input` on its stdin; resolves with its stdout as text. */
const runWithInput = (command: string, args: string[], input: Uint8Array): Promise<{ stdout: string }> =>
  new Promise((resolve, reject) => {
    const child = execFile(command, args, { maxBuffer: 1024 * 1024 }, (error, stdout) =>
      error ? reject(error) : resolve({ stdout }),
    );
    child.stdin?.end(input);
  });
const BLOCK = 512;

interface Walked {
  /** Bytes the walker let through to the tar reader. */
  readonly kept: number;
  readonly refusal?: Refusal;
}

/** Feeds `tar` to a walker in pieces of `sizes` (cycled), as gunzip would hand them over. */
const walk = (tar: Uint8Array, sizes: readonly number[] = [tar.byteLength || 1]): Walked => {
  const walker = new TarFramingWalker();
  let kept = 0;
  try {
    for (let at = 0, i = 0; at < tar.byteLength; i += 1) {
      const size = Math.max(1, sizes[i % sizes.length] ?? 1);
      kept += walker.write(tar.subarray(at, at + size));
      at += size;
    }
  } catch (error) {
    if (error instanceof IntakeStop) return { kept, refusal: error.refusal };
    throw error;
  }
  return { kept };
};

const concat = (...parts: Uint8Array[]): Uint8Array => Buffer.concat(parts);
const zeros = (n: number): Uint8Array => new Uint8Array(n);

/** Offset just past the first end-of-archive block of a tar whose entries are `entries`. */
const archiveEnd = (entries: readonly RawEntry[]): number =>
  rawTar(entries, { end: false }).byteLength + BLOCK;

const DEMO: RawEntry[] = [
  { name: 'demo/', typeflag: '5' },
  { name: 'demo/Chart.yaml', data: 'apiVersion: v2\nname: demo\nversion: 1.0.0\n' },
];

describe('TarFramingWalker on tars written by real tools', () => {
  let dir: string;
  const longName = `demo/${'d'.repeat(120)}/${'f'.repeat(120)}.yaml`;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tar-framing-'));
    const root = path.join(dir, 'demo');
    await mkdir(path.dirname(path.join(dir, longName)), { recursive: true });
    await writeFile(path.join(root, 'Chart.yaml'), 'apiVersion: v2\nname: demo\nversion: 1.0.0\n');
    await writeFile(path.join(dir, longName), 'a: 1\n');
    // Whole zero blocks inside file data, at block-aligned offsets: never an end-of-archive marker.
    await writeFile(path.join(root, 'zeros.bin'), zeros(64 * BLOCK));
    await writeFile(path.join(root, 'empty'), '');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each([
    ['posix', 'PAX long names'],
    ['gnu', 'GNU long names'],
    ['ustar', 'ustar (no long names)'],
  ])('GNU tar --format=%s (%s) passes, up to its end-of-archive block', async (format) => {
    // Prepare: ustar cannot hold the long name, so that one archive leaves it out.
    const members = format === 'ustar' ? ['demo/Chart.yaml', 'demo/zeros.bin', 'demo/empty'] : ['demo'];
    const { stdout } = await run('tar', [`--format=${format}`, '--sort=name', '-cf', '-', ...members], {
      cwd: dir,
      encoding: 'buffer',
      maxBuffer: 64 * 1024 * 1024,
    });
    const tar = new Uint8Array(stdout);

    // GNU tar itself names the block where the archive ends (an oracle independent of the walker).
    const { stdout: blocks } = await runWithInput('tar', ['-tRf', '-'], tar);
    const endBlock = Number(/block (\d+): \*\* Block of NULs \*\*/.exec(blocks)?.[1]);

    // Act
    const whole = walk(tar);
    const byteByByte = walk(tar, [1]);
    const odd = walk(tar, [7, 513, 1000, 511]);

    // Assess: GNU tar pads to a 10 KiB record, so zeros follow the marker; they are not passed on.
    expect(tar.byteLength % 10240).toBe(0);
    expect(whole).toEqual({ kept: (endBlock + 1) * BLOCK });
    expect(whole.kept).toBeLessThan(tar.byteLength);
    expect(byteByByte).toEqual(whole);
    expect(odd).toEqual(whole);
  });

  it('tar-stream pack output with PAX records passes whole', async () => {
    // Prepare
    const tar = await buildTar([
      { name: 'demo/', type: 'directory' },
      { name: longName, data: 'a: 1\n' },
      { name: 'demo/zeros.bin', data: zeros(3 * BLOCK) },
      { name: 'demo/x.yaml', data: 'x: 1\n', pax: { comment: 'c'.repeat(2000) } },
    ]);

    // Act
    const walked = walk(tar, [100]);

    // Assess
    expect(walked).toEqual({ kept: tar.byteLength - BLOCK });
  });
});

describe('TarFramingWalker at the end-of-archive marker', () => {
  it('passes trailing zero padding (even not block-aligned) without handing it on', () => {
    const tar = concat(rawTar(DEMO), zeros(4000 * BLOCK + 100));
    expect(walk(tar, [16384])).toEqual({ kept: archiveEnd(DEMO) });
  });

  it('treats a file made of zero blocks as data, not as the marker', () => {
    const entries: RawEntry[] = [...DEMO, { name: 'demo/zeros.bin', data: zeros(8 * BLOCK) }];
    const tar = rawTar(entries);
    expect(walk(tar)).toEqual({ kept: archiveEnd(entries) });
  });

  it.each([
    [
      'a second archive after the two zero blocks',
      concat(rawTar(DEMO), rawTar([{ name: 'demo/h.yaml', data: 'x' }])),
    ],
    [
      'a header right after one zero block (Go: ErrHeader)',
      concat(rawTar(DEMO, { end: false }), zeros(BLOCK), rawTar([{ name: 'demo/h.yaml' }])),
    ],
    ['one stray byte deep in the padding', concat(rawTar(DEMO), zeros(5000), Uint8Array.of(1), zeros(3))],
  ])('refuses %s', (_, tar) => {
    for (const sizes of [[tar.byteLength], [1], [512], [777]]) {
      const walked = walk(tar, sizes);
      expect(walked.refusal).toMatchObject({
        code: 'ARCHIVE_CORRUPT',
        message: expect.stringContaining('data after the end-of-archive marker'),
      });
      expect(walked.kept).toBeLessThanOrEqual(archiveEnd(DEMO));
    }
  });

  it('refuses data after the marker whatever the chunking (property)', () => {
    const tar = concat(
      rawTar(DEMO),
      rawTar([{ name: 'demo/templates/hidden.yaml', data: '{{ fail "x" }}' }]),
    );
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 2000 }), { minLength: 1, maxLength: 8 }), (sizes) => {
        expect(walk(tar, sizes).refusal?.code).toBe('ARCHIVE_CORRUPT');
      }),
      { numRuns: 100 },
    );
  });
});

describe('TarFramingWalker stepping', () => {
  it('steps over base-256 and PAX sizes as Go does', () => {
    // Prepare: a base-256 size field of 600, and a PAX size of 1000 overriding a header size of 0.
    const base256 = Uint8Array.of(0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x58);
    const record = ' size=1000\n';
    const pax = `${record.length + 2}${record}`;
    const entries: RawEntry[] = [
      ...DEMO,
      { name: 'demo/a.bin', sizeField: base256, rawData: zeros(600) },
      { name: 'PaxHeader', typeflag: 'x', data: pax },
      { name: 'demo/b.bin', sizeField: '00000000000\0', rawData: zeros(1000) },
    ];
    const tar = rawTar(entries);

    // Act
    const walked = walk(tar, [300]);

    // Assess
    expect(pax).toBe('13 size=1000\n');
    expect(walked).toEqual({ kept: archiveEnd(entries) });
  });

  it.each<[string, RawEntry[], string, string]>([
    [
      'a directory with a size',
      [{ name: 'demo/d/', typeflag: '5', sizeField: '00000001000\0' }],
      'ARCHIVE_CORRUPT',
      'declares 512 bytes',
    ],
    [
      'a symlink with a size',
      [{ name: 'demo/l', typeflag: '2', linkname: 'x', data: 'x' }],
      'ARCHIVE_CORRUPT',
      'declares 1 bytes',
    ],
    [
      'a NUL-type entry named like a directory, with a size',
      [{ name: 'demo/d/', typeflag: '\0', data: 'x' }],
      'ARCHIVE_CORRUPT',
      'declares 1 bytes',
    ],
    [
      'an old GNU N entry',
      [{ name: 'demo/n', typeflag: 'N', data: 'demo/templates/x.yaml' }],
      'UNSAFE_ENTRY',
      "'N'",
    ],
    [
      'a PAX global header setting a path',
      [{ name: 'g', typeflag: 'g', data: '25 path=demo/templates/x\n' }],
      'ARCHIVE_CORRUPT',
      'sets path',
    ],
    [
      'a PAX sparse file',
      [
        { name: 'x', typeflag: 'x', data: '22 GNU.sparse.major=1\n' },
        { name: 'demo/s', data: 'x' },
      ],
      'UNSAFE_ENTRY',
      'sparse',
    ],
    [
      'a malformed PAX record',
      [
        { name: 'x', typeflag: 'x', data: '99 path=demo/a\n' },
        { name: 'demo/a', data: 'x' },
      ],
      'ARCHIVE_CORRUPT',
      'malformed PAX',
    ],
    [
      'a PAX size that is not a number',
      [
        { name: 'x', typeflag: 'x', data: '12 size=1x2\n' },
        { name: 'demo/a', data: 'x' },
      ],
      'ARCHIVE_CORRUPT',
      'PAX size',
    ],
    [
      'a size field Go cannot parse',
      [{ name: 'demo/a', sizeField: '0000 000001\0', data: 'x' }],
      'ARCHIVE_CORRUPT',
      'not a number',
    ],
    ['a bad checksum', [{ name: 'demo/a', data: 'x', badChecksum: true }], 'ARCHIVE_CORRUPT', 'checksum'],
    [
      'both a PAX path and a GNU long name',
      [
        { name: 'x', typeflag: 'x', data: '19 path=demo/a.txt\n' },
        { name: '././@LongLink', typeflag: 'L', format: 'gnu', data: 'demo/templates/b.yaml\0' },
        { name: 'demo/c', data: 'x' },
      ],
      'ARCHIVE_CORRUPT',
      'both a PAX path and a GNU long name',
    ],
    [
      'a PAX global header between a GNU long name and its entry',
      [
        { name: '././@LongLink', typeflag: 'L', format: 'gnu', data: 'demo/templates/b.yaml\0' },
        { name: 'g', typeflag: 'g', data: '16 comment=abcd\n' },
        { name: 'demo/c', data: 'x' },
      ],
      'ARCHIVE_CORRUPT',
      'global header between',
    ],
  ])('refuses %s', (_, extra, code, message) => {
    const walked = walk(rawTar([...DEMO, ...extra]), [200]);
    expect(walked.refusal).toMatchObject({ code, message: expect.stringContaining(message) });
  });

  it('refuses an old GNU sparse header with extension blocks (it cannot be stepped like tar-stream does)', () => {
    // Prepare: an 'S' header with the isextended flag (byte 482) set, checksum fixed up.
    const tar = rawTar([...DEMO, { name: 'demo/s', typeflag: 'S', format: 'gnu', data: 'x' }]);
    const header = tar.subarray(3 * BLOCK, 4 * BLOCK);
    expect(header[156]).toBe('S'.charCodeAt(0));
    header[482] = 1;
    header.fill(0x20, 148, 156);
    const sum = header.reduce((a, b) => a + b, 0);
    header.set(new TextEncoder().encode(`${sum.toString(8).padStart(6, '0')}\0 `), 148);

    // Act
    const walked = walk(tar);

    // Assess
    expect(walked.refusal).toMatchObject({
      code: 'UNSAFE_ENTRY',
      message: expect.stringContaining('sparse'),
    });
  });

  it('accepts a PAX global header with a comment only (git archive writes one)', () => {
    const entries: RawEntry[] = [
      { name: 'pax_global_header', typeflag: 'g', data: '16 comment=abcd\n' },
      ...DEMO,
    ];
    expect(walk(rawTar(entries))).toEqual({ kept: archiveEnd(entries) });
  });

  it.each([
    ['PAX record', 'x'],
    ['GNU long name', 'L'],
  ])('refuses a %s over 1 MiB as ARCHIVE_TOO_LARGE before reading it', (_, typeflag) => {
    // Prepare: only the header; the walker answers before the record's data arrives.
    const header = rawTar(
      [
        {
          name: '././@LongLink',
          typeflag,
          sizeField: `${(MAX_META_ENTRY_BYTES + 1).toString(8).padStart(11, '0')}\0`,
        },
      ],
      { end: false },
    );

    // Act
    const walked = walk(header.subarray(0, BLOCK));

    // Assess
    expect(walked.refusal).toMatchObject({
      code: 'ARCHIVE_TOO_LARGE',
      message: expect.stringContaining('1048576'),
    });
  });
});

describe('checkTarFraming', () => {
  it('hands the tar stream on up to its end-of-archive block and reads the source to its end', async () => {
    // Prepare
    const tar = concat(rawTar(DEMO), zeros(10 * BLOCK));
    let read = 0;
    async function* source() {
      for (let at = 0; at < tar.byteLength; at += 1000) {
        const chunk = tar.subarray(at, at + 1000);
        read += chunk.byteLength;
        yield chunk;
      }
    }

    // Act
    const out: Uint8Array[] = [];
    for await (const chunk of checkTarFraming(source())) out.push(chunk);

    // Assess
    expect(Buffer.concat(out)).toEqual(Buffer.from(tar.subarray(0, archiveEnd(DEMO))));
    expect(read).toBe(tar.byteLength);
  });
});
