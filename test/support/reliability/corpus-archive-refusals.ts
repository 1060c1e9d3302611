import { gzipSync } from 'node:zlib';
import { buildArchive, buildTar, gzipBomb, type TarEntrySpec } from '../tar-fixtures';
import {
  chartYaml,
  demoArchive,
  demoEntries,
  demoWith,
  ESCAPE_MARKER,
  type HostileCase,
  refuse,
  seededRandom,
  text,
  withEntries,
} from './corpus-case';

/**
 * Archive-level refusals, several spellings of each attack: unreadable archives, every size limit,
 * unsafe paths (escapes, collisions by case and Unicode normalisation, .git) and unsafe entry types.
 * Helm's own loader is the reference: https://github.com/helm/helm/blob/main/pkg/chart/loader/archive.go
 */

const M = ESCAPE_MARKER;

const archiveCorrupt = (): HostileCase[] => [
  {
    id: 'corrupt/empty-file',
    group: 'refusal',
    input: () => new Uint8Array(),
    expect: refuse('ARCHIVE_CORRUPT'),
  },
  {
    id: 'corrupt/plain-text',
    group: 'refusal',
    input: () => text('not a chart\n'),
    expect: refuse('ARCHIVE_CORRUPT'),
  },
  {
    id: 'corrupt/uncompressed-tar',
    group: 'refusal',
    input: () => buildArchive(demoEntries(), { gzip: false }),
    expect: refuse('ARCHIVE_CORRUPT'),
  },
  {
    id: 'corrupt/zip-magic',
    group: 'refusal',
    input: () => Uint8Array.from([0x50, 0x4b, 0x03, 0x04, ...new Uint8Array(200)]),
    expect: refuse('ARCHIVE_CORRUPT'),
  },
  {
    id: 'corrupt/bzip2-magic',
    group: 'refusal',
    input: () => text('BZh91AY&SY\0\0\0\0'),
    expect: refuse('ARCHIVE_CORRUPT'),
  },
  {
    id: 'corrupt/gzip-of-random-bytes',
    group: 'refusal',
    input: () => gzipSync(Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251))),
    expect: refuse('ARCHIVE_CORRUPT'),
  },
  {
    id: 'corrupt/gzip-truncated-half',
    group: 'refusal',
    input: async () => {
      const whole = await demoArchive();
      return whole.subarray(0, Math.floor(whole.byteLength / 2));
    },
    expect: refuse('ARCHIVE_CORRUPT'),
  },
  {
    id: 'corrupt/gzip-bad-crc',
    group: 'refusal',
    input: async () => {
      const bytes = Uint8Array.from(await demoArchive());
      bytes[bytes.byteLength - 8] = bytes[bytes.byteLength - 8]! ^ 0xff;
      return bytes;
    },
    expect: refuse('ARCHIVE_CORRUPT'),
  },
  {
    id: 'corrupt/gzip-bad-length-trailer',
    group: 'refusal',
    input: async () => {
      const bytes = Uint8Array.from(await demoArchive());
      bytes[bytes.byteLength - 1] = bytes[bytes.byteLength - 1]! ^ 0x01;
      return bytes;
    },
    expect: refuse('ARCHIVE_CORRUPT'),
  },
  {
    id: 'corrupt/only-zero-blocks',
    group: 'refusal',
    input: () => gzipSync(new Uint8Array(10240)),
    expect: refuse('ARCHIVE_CORRUPT'),
  },
  {
    id: 'corrupt/empty-tar',
    group: 'refusal',
    input: async () => gzipSync(await buildTar([])),
    expect: refuse('ARCHIVE_CORRUPT'),
  },
  {
    id: 'corrupt/only-directories',
    group: 'refusal',
    input: () => buildArchive([{ name: 'demo/', type: 'directory' }]),
    expect: refuse('CHART_YAML_MISSING'),
  },
];

const archiveTooLarge = (): HostileCase[] => [
  {
    id: 'too-large/gzip-bomb-1GiB',
    group: 'refusal',
    input: () => gzipBomb(1024 ** 3).chunks,
    expect: refuse('ARCHIVE_TOO_LARGE'),
  },
  {
    id: 'too-large/gzip-bomb-200MiB',
    group: 'refusal',
    input: () => gzipBomb(200 * 1024 ** 2).chunks,
    expect: refuse('ARCHIVE_TOO_LARGE'),
  },
  {
    id: 'too-large/one-file-over-5MiB',
    group: 'refusal',
    input: demoWith({ 'files/big.bin': new Uint8Array(5 * 1024 * 1024 + 1) }),
    expect: refuse('ARCHIVE_TOO_LARGE'),
  },
  {
    id: 'too-large/total-over-limit',
    group: 'refusal',
    input: demoWith(
      Object.fromEntries(Array.from({ length: 4 }, (_, i) => [`files/f${i}.bin`, new Uint8Array(300_000)])),
    ),
    limits: { maxDecompressedBytes: 1_000_000 },
    expect: refuse('ARCHIVE_TOO_LARGE'),
  },
  {
    id: 'too-large/too-many-entries',
    group: 'refusal',
    input: demoWith(Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`files/f${i}.txt`, `${i}\n`]))),
    limits: { maxEntries: 50 },
    expect: refuse('ARCHIVE_TOO_LARGE'),
  },
  {
    id: 'too-large/compressed-over-limit',
    group: 'refusal',
    input: () => {
      const random = seededRandom(7);
      return demoArchive({
        'files/noise.bin': Uint8Array.from({ length: 20_000 }, () => Math.floor(random() * 256)),
      });
    },
    limits: { maxArchiveBytes: 8 * 1024 },
    expect: refuse('ARCHIVE_TOO_LARGE'),
  },
  {
    id: 'too-large/pax-size-huge',
    group: 'refusal',
    input: withEntries({ name: 'demo/files/x', data: 'x', pax: { size: '99999999999' } }),
    expect: refuse('ARCHIVE_TOO_LARGE'),
  },
  {
    id: 'too-large/nested-subchart-bomb',
    group: 'refusal',
    input: async () => {
      const bomb: Uint8Array[] = [];
      for await (const chunk of gzipBomb(300 * 1024 ** 2).chunks) bomb.push(chunk);
      return demoArchive({ 'charts/sub-1.0.0.tgz': Buffer.concat(bomb) });
    },
    expect: refuse('ARCHIVE_TOO_LARGE'),
  },
];

const unsafePath = (): HostileCase[] => {
  const names: [string, string][] = [
    ['dot-dot-top', `../${M}-a.txt`],
    ['dot-dot-inside', `demo/../../${M}-b.txt`],
    ['absolute', `/tmp/${M}-abs.txt`],
    ['drive-letter', `C:/${M}-c.txt`],
    ['backslash-escape', `demo\\..\\..\\${M}-d.txt`],
    ['dot-segment', 'demo/./templates/x.yaml'],
    ['empty-segment', 'demo//templates/x.yaml'],
    ['dot-git', 'demo/.git/config'],
    ['dot-git-case', 'demo/.GIT/hooks/post-checkout'],
    ['newline', 'demo/templates/a\nb.yaml'],
    ['escape-char', 'demo/templates/\u001b[31mred.yaml'],
    ['file-beside-root', `${M}-beside.txt`],
    ['second-root', `other/${M}.txt`],
  ];
  const cases: HostileCase[] = names.map(([id, name]) => ({
    id: `unsafe-path/${id}`,
    group: 'refusal',
    input: withEntries({ name, data: 'x\n', pax: {} }),
    expect: refuse('UNSAFE_PATH'),
  }));
  return [
    ...cases,
    {
      id: 'unsafe-path/nul-byte-via-pax',
      group: 'refusal',
      input: withEntries({ name: `demo/templates/a\0${M}.yaml`, data: 'x', pax: {} }),
      expect: refuse('UNSAFE_PATH'),
    },
    {
      id: 'unsafe-path/name-over-1024',
      group: 'refusal',
      input: withEntries({ name: `demo/${'a/'.repeat(600)}x.yaml`, data: 'x', pax: {} }),
      expect: refuse('UNSAFE_PATH'),
    },
    {
      id: 'unsafe-path/pax-path-overrides-safe-name',
      group: 'refusal',
      input: withEntries({ name: 'demo/templates/ok.yaml', data: 'x', pax: { path: `../../${M}-pax.txt` } }),
      expect: refuse('UNSAFE_PATH'),
    },
    {
      id: 'unsafe-path/duplicate-entry',
      group: 'refusal',
      input: withEntries({ name: 'demo/values.yaml', data: 'replicaCount: 99\n' }),
      expect: refuse('UNSAFE_PATH'),
    },
    {
      id: 'unsafe-path/case-collision',
      group: 'refusal',
      input: withEntries({ name: 'demo/templates/ConfigMap.yaml', data: 'x: 1\n' }),
      expect: refuse('UNSAFE_PATH'),
    },
    {
      id: 'unsafe-path/case-collision-directory',
      group: 'refusal',
      input: withEntries({ name: 'demo/Templates/x.yaml', data: 'x: 1\n' }),
      expect: refuse('UNSAFE_PATH'),
    },
    {
      id: 'unsafe-path/unicode-nfc-nfd',
      group: 'refusal',
      input: withEntries(
        { name: 'demo/templates/caf\u00e9.yaml', data: 'a: 1\n' },
        { name: 'demo/templates/cafe\u0301.yaml', data: 'a: 2\n' },
      ),
      expect: refuse('UNSAFE_PATH'),
    },
    {
      id: 'unsafe-path/unicode-compat-kelvin',
      group: 'refusal',
      // KELVIN SIGN lower-cases to "k": two names one case-insensitive file system would merge.
      input: withEntries(
        { name: 'demo/templates/\u212a.yaml', data: 'a\n' },
        { name: 'demo/templates/k.yaml', data: 'b\n' },
      ),
      expect: refuse('UNSAFE_PATH'),
    },
    {
      id: 'unsafe-path/file-and-directory',
      group: 'refusal',
      input: withEntries({ name: 'demo/templates/configmap.yaml/x', data: 'x' }),
      expect: refuse('UNSAFE_PATH'),
    },
    {
      id: 'unsafe-path/nested-subchart-escape',
      group: 'refusal',
      input: async () => {
        const nested = await buildArchive([
          ...demoEntries({}, {}, 'sub', '1.0.0'),
          { name: `sub/../../${M}-nested.txt`, data: 'x' },
        ]);
        return demoArchive({
          'Chart.yaml': chartYaml({ dependencies: '\n  - name: sub\n    version: 1.0.0' }),
          'charts/sub-1.0.0.tgz': nested,
        });
      },
      expect: refuse('UNSAFE_PATH'),
    },
  ];
};

const unsafeEntry = (): HostileCase[] => {
  const entries: [string, TarEntrySpec][] = [
    ['symlink-absolute', { name: 'demo/templates/passwd.yaml', type: 'symlink', linkname: '/etc/passwd' }],
    ['symlink-relative-escape', { name: 'demo/templates/up', type: 'symlink', linkname: `../../../${M}` }],
    ['symlink-harmless', { name: 'demo/templates/same.yaml', type: 'symlink', linkname: 'configmap.yaml' }],
    ['hardlink', { name: 'demo/templates/hard.yaml', type: 'link', linkname: 'demo/Chart.yaml' }],
    ['hardlink-outside', { name: 'demo/templates/shadow', type: 'link', linkname: '/etc/shadow' }],
    ['char-device', { name: 'demo/templates/null', type: 'character-device' }],
    ['block-device', { name: 'demo/templates/sda', type: 'block-device' }],
    ['fifo', { name: 'demo/templates/pipe', type: 'fifo' }],
  ];
  return entries.map(([id, entry]) => ({
    id: `unsafe-entry/${id}`,
    group: 'refusal',
    input: withEntries(entry),
    expect: refuse('UNSAFE_ENTRY'),
  }));
};

export const archiveRefusalCases = (): HostileCase[] => [
  ...archiveCorrupt(),
  ...archiveTooLarge(),
  ...unsafePath(),
  ...unsafeEntry(),
];
