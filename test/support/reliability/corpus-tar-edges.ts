import { gzipSync } from 'node:zlib';
import { buildArchive } from '../tar-fixtures';
import { accept, chartYaml, demoEntries, ESCAPE_MARKER, type HostileCase, refuse, text } from './corpus-case';
import { gnuLongName, type RawEntry, rawTar } from './raw-tar';

/**
 * Tar format corners (PAX and GNU long names, sparse files, v7 headers, size-field tricks, broken
 * checksums, misframed data, huge headers) and valid archives that must still be accepted.
 */

const M = ESCAPE_MARKER;
const CHART = chartYaml({});
const VALUES = 'replicaCount: 1\n';

/** The raw entries of a small valid chart `demo` 1.0.0. */
export const rawDemo = (format: RawEntry['format'] = 'ustar'): RawEntry[] => [
  { name: 'demo/', typeflag: '5', format },
  { name: 'demo/Chart.yaml', data: CHART, format },
  { name: 'demo/values.yaml', data: VALUES, format },
];
export const raw = (entries: RawEntry[], options?: { end?: boolean }) => () =>
  gzipSync(rawTar(entries, options));

const base256 = (value: bigint): Uint8Array => {
  const field = new Uint8Array(12);
  let rest = value;
  for (let i = 11; i > 0; i -= 1) {
    field[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  field[0] = 0x80;
  return field;
};

const tarEdges = (): HostileCase[] => [
  {
    id: 'tar/gnu-long-name-escape',
    group: 'tar-edge',
    input: raw([
      ...rawDemo('gnu'),
      ...gnuLongName(`demo/${'x/'.repeat(60)}../../../../${'../'.repeat(61)}${M}-gnu`, { data: 'x' }),
    ]),
    expect: refuse('UNSAFE_PATH'),
  },
  {
    id: 'tar/gnu-long-link-symlink',
    group: 'tar-edge',
    input: raw([
      ...rawDemo('gnu'),
      { name: '././@LongLink', typeflag: 'K', format: 'gnu', data: `${'../'.repeat(60)}etc/passwd\0` },
      { name: 'demo/templates/l', typeflag: '2', format: 'gnu', linkname: '../../etc/passwd' },
    ]),
    expect: refuse('UNSAFE_ENTRY'),
  },
  {
    id: 'tar/gnu-sparse-entry',
    group: 'tar-edge',
    input: raw([
      ...rawDemo('gnu'),
      { name: 'demo/files/sparse.bin', typeflag: 'S', format: 'gnu', data: 'sparse' },
    ]),
    expect: refuse('UNSAFE_ENTRY'),
  },
  {
    id: 'tar/pax-sparse-1.0-escape',
    group: 'tar-edge',
    // PAX sparse 1.0 keeps the real name in GNU.sparse.name: Go (helm) and GNU tar use it and expand
    // the data, tar-stream hands over the raw data under the header name. Refused (tar-framing.ts).
    input: () =>
      buildArchive([
        ...demoEntries(),
        {
          name: 'demo/GNUSparseFile.0/data',
          data: '1\n0\n4\nabcd',
          pax: {
            'GNU.sparse.major': '1',
            'GNU.sparse.minor': '0',
            'GNU.sparse.name': `../../${M}-sparse`,
            'GNU.sparse.realsize': '4',
          },
        },
      ]),
    expect: refuse('UNSAFE_ENTRY'),
  },
  {
    id: 'tar/ustar-prefix-escape',
    group: 'tar-edge',
    input: raw([...rawDemo(), { name: `${M}-prefix.txt`, prefix: 'demo/../..', data: 'x' }]),
    expect: refuse('UNSAFE_PATH'),
  },
  {
    id: 'tar/unknown-typeflag',
    group: 'tar-edge',
    input: raw([...rawDemo(), { name: 'demo/files/odd', typeflag: 'Z', data: 'x' }]),
    expect: refuse('UNSAFE_ENTRY'),
  },
  {
    id: 'tar/octal-size-8GiB',
    group: 'tar-edge',
    input: raw(
      [...rawDemo(), { name: 'demo/files/huge', sizeField: '77777777777\0', rawData: new Uint8Array(512) }],
      {
        end: false,
      },
    ),
    expect: refuse('ARCHIVE_TOO_LARGE'),
  },
  {
    id: 'tar/base256-size-huge',
    group: 'tar-edge',
    input: raw(
      [
        ...rawDemo(),
        { name: 'demo/files/huge', sizeField: base256(2n ** 62n), rawData: new Uint8Array(512) },
      ],
      {
        end: false,
      },
    ),
    expect: refuse('ARCHIVE_TOO_LARGE'),
  },
  {
    id: 'tar/bad-checksum',
    group: 'tar-edge',
    input: raw([...rawDemo(), { name: 'demo/templates/a.yaml', data: 'a: 1\n', badChecksum: true }]),
    expect: refuse('ARCHIVE_CORRUPT'),
  },
  {
    id: 'tar/data-shorter-than-size',
    group: 'tar-edge',
    input: raw(
      [...rawDemo(), { name: 'demo/templates/a.yaml', sizeField: '00000010000\0', rawData: text('short') }],
      {
        end: false,
      },
    ),
    expect: refuse('ARCHIVE_CORRUPT'),
  },
  {
    id: 'tar/no-end-blocks-mid-header',
    group: 'tar-edge',
    input: () => gzipSync(rawTar(rawDemo(), { end: false }).subarray(0, 512 * 3 + 100)),
    expect: refuse('ARCHIVE_CORRUPT'),
  },
  {
    id: 'tar/pax-size-negative',
    group: 'tar-edge',
    input: () => buildArchive([...demoEntries(), { name: 'demo/files/neg', data: 'x', pax: { size: '-1' } }]),
    expect: refuse('ARCHIVE_CORRUPT'),
  },
  {
    id: 'tar/pax-size-not-a-number',
    group: 'tar-edge',
    input: () =>
      buildArchive([...demoEntries(), { name: 'demo/files/nan', data: 'x', pax: { size: 'abc' } }]),
    expect: refuse('ARCHIVE_CORRUPT'),
  },
  {
    id: 'tar/pax-header-3MiB',
    group: 'tar-edge',
    input: () =>
      buildArchive([
        ...demoEntries(),
        { name: 'demo/files/a', data: 'x', pax: { comment: 'c'.repeat(3 * 1024 * 1024) } },
      ]),
    // Over Go's 1 MiB limit for PAX records: helm fails with "header field too long".
    expect: refuse('ARCHIVE_TOO_LARGE'),
  },
  {
    id: 'tar/pax-header-over-framing-allowance',
    group: 'tar-edge',
    input: () =>
      buildArchive([
        ...demoEntries(),
        { name: 'demo/files/a', data: 'x', pax: { comment: 'c'.repeat(16 * 1024 * 1024) } },
      ]),
    limits: { maxDecompressedBytes: 1024 * 1024, maxEntries: 100 },
    // tar-framing.ts refuses PAX records over Go's 1 MiB limit before tar-stream reads them.
    expect: refuse('ARCHIVE_TOO_LARGE'),
  },
  {
    id: 'tar/gnu-long-name-10MiB',
    group: 'tar-edge',
    input: raw([...rawDemo('gnu'), ...gnuLongName(`demo/${'n'.repeat(10 * 1024 * 1024)}`, { data: 'x' })]),
    // Over Go's 1 MiB limit for PAX/GNU records (helm: "header field too long"): tar-framing.ts.
    expect: refuse('ARCHIVE_TOO_LARGE'),
  },
  {
    id: 'tar/v7-header-no-magic',
    group: 'tar-edge',
    // Pre-POSIX tar: tar-stream refuses the unknown format; `helm package` never writes one.
    input: raw(rawDemo('v7')),
    expect: refuse('ARCHIVE_CORRUPT'),
  },
  {
    id: 'tar/zero-blocks-padding-run',
    group: 'tar-edge',
    input: () => gzipSync(Buffer.concat([rawTar(rawDemo()), new Uint8Array(512 * 4000)])),
    expect: accept('demo', '1.0.0'),
  },
  {
    id: 'tar/entries-after-end-marker',
    group: 'tar-edge',
    // Go's archive/tar, hence helm, stops at the end-of-archive blocks (tar-stream would read on):
    // anything after them is refused before it is read (tar-framing.ts).
    input: () => gzipSync(Buffer.concat([rawTar(rawDemo()), rawTar([{ name: `../${M}-after`, data: 'x' }])])),
    expect: refuse('ARCHIVE_CORRUPT'),
  },
  {
    id: 'tar/hardlink-via-pax-linkpath',
    group: 'tar-edge',
    input: () =>
      buildArchive([
        ...demoEntries(),
        { name: 'demo/l', type: 'link', linkname: 'x', pax: { linkpath: `/etc/${M}` } },
      ]),
    expect: refuse('UNSAFE_ENTRY'),
  },
];

export const tarEdgeCases = (): HostileCase[] => tarEdges();
