import { gzipSync } from 'node:zlib';
import { buildArchive, buildChart, buildTar } from '../tar-fixtures';
import { accept, chartYaml, demoArchive, demoEntries, type HostileCase } from './corpus-case';
import { raw, rawDemo } from './corpus-tar-edges';
import { gnuLongName } from './raw-tar';

/**
 * Valid archives, odd but legitimate (long names, PAX global headers, multi-member gzip, limits met
 * exactly, vendored dependencies): intake must accept them, or the checks are merely paranoid.
 */

const valid = (): HostileCase[] => [
  { id: 'valid/demo', group: 'valid', input: () => demoArchive(), expect: accept('demo', '1.0.0') },
  {
    id: 'valid/demo-rendered',
    group: 'valid',
    render: true,
    input: () => demoArchive(),
    expect: accept('demo', '1.0.0'),
  },
  {
    id: 'valid/api-v1',
    group: 'valid',
    input: () => demoArchive({ 'Chart.yaml': chartYaml({ apiVersion: 'v1' }) }),
    expect: accept('demo', '1.0.0'),
  },
  {
    // A library chart is not installable on its own (CHART_NOT_INSTALLABLE), but vendoring one is
    // what library charts are for.
    id: 'valid/vendored-library-chart',
    group: 'valid',
    input: async () =>
      demoArchive({
        'Chart.yaml': chartYaml({ dependencies: '\n  - name: lib\n    version: 1.0.0' }),
        'charts/lib-1.0.0.tgz': await buildChart('lib', '1.0.0', {
          'Chart.yaml': 'apiVersion: v2\nname: lib\nversion: 1.0.0\ntype: library\n',
          'templates/configmap.yaml': null,
          'templates/_h.tpl': '{{- define "x" }}{{ end }}\n',
        }),
      }),
    expect: accept('demo', '1.0.0'),
  },
  {
    // Helm's loader skips charts/ entries named "_*" or ".*" (helm v3.17.2 pkg/chart/loader/load.go
    // L168-L173).
    id: 'valid/charts-gitkeep-and-underscore',
    group: 'valid',
    input: () => demoArchive({ 'charts/.gitkeep': '', 'charts/_old/notes.txt': 'parked' }),
    expect: accept('demo', '1.0.0'),
  },
  {
    id: 'valid/duplicate-version-key-last-wins',
    group: 'valid',
    input: () => demoArchive({ 'Chart.yaml': `${chartYaml({})}version: 2.0.0\n` }),
    expect: accept('demo', '2.0.0'),
  },
  {
    id: 'valid/no-values',
    group: 'valid',
    input: () => demoArchive({ 'values.yaml': null }),
    expect: accept('demo', '1.0.0'),
  },
  {
    id: 'valid/empty-values',
    group: 'valid',
    input: () => demoArchive({ 'values.yaml': '' }),
    expect: accept('demo', '1.0.0'),
  },
  {
    id: 'valid/prerelease-version',
    group: 'valid',
    input: () => demoArchive({ 'Chart.yaml': chartYaml({ version: '1.2.3-rc.1+build.5' }) }),
    expect: accept('demo', '1.2.3-rc.1+build.5'),
  },
  {
    id: 'valid/schema-satisfied',
    group: 'valid',
    input: () =>
      demoArchive({
        'values.schema.json':
          '{"type":"object","required":["replicaCount"],"properties":{"replicaCount":{"type":"integer"}}}',
      }),
    expect: accept('demo', '1.0.0'),
  },
  {
    id: 'valid/vendored-dependency',
    group: 'valid',
    input: async () =>
      demoArchive({
        'Chart.yaml': chartYaml({ dependencies: '\n  - name: sub\n    version: 1.0.0' }),
        'charts/sub-1.0.0.tgz': await buildChart('sub', '1.0.0'),
      }),
    expect: accept('demo', '1.0.0'),
  },
  {
    id: 'valid/pax-long-path',
    group: 'valid',
    input: () =>
      buildArchive([...demoEntries(), { name: `demo/files/${'deep/'.repeat(40)}leaf.txt`, data: 'x' }]),
    expect: accept('demo', '1.0.0'),
  },
  {
    id: 'valid/gnu-long-name',
    group: 'valid',
    input: raw([...rawDemo('gnu'), ...gnuLongName(`demo/files/${'g'.repeat(150)}.txt`, { data: 'x' })]),
    expect: { accept: true, files: ['Chart.yaml', `files/${'g'.repeat(150)}.txt`, 'values.yaml'] },
  },
  {
    id: 'valid/ustar-prefix',
    group: 'valid',
    input: raw([...rawDemo(), { name: 'x.txt', prefix: `demo/${'p'.repeat(120)}`, data: 'x' }]),
    expect: { accept: true, files: ['Chart.yaml', `${'p'.repeat(120)}/x.txt`, 'values.yaml'] },
  },
  {
    id: 'valid/pax-global-header',
    group: 'valid',
    // `git archive` writes one (comment = commit id) before the entries.
    input: raw([
      {
        name: 'pax_global_header',
        typeflag: 'g',
        data: '52 comment=0123456789abcdef0123456789abcdef01234567\n',
      },
      ...rawDemo(),
    ]),
    expect: accept('demo', '1.0.0'),
  },
  {
    id: 'valid/files-only-no-directories',
    group: 'valid',
    input: () => buildArchive(demoEntries().filter((entry) => entry.type !== 'directory')),
    expect: accept('demo', '1.0.0'),
  },
  {
    id: 'valid/contiguous-file-type',
    group: 'valid',
    input: () =>
      buildArchive([...demoEntries(), { name: 'demo/files/c.txt', type: 'contiguous-file', data: 'c' }]),
    expect: accept('demo', '1.0.0'),
  },
  {
    id: 'valid/unicode-names-no-collision',
    group: 'valid',
    input: () =>
      demoArchive({ 'files/caf\u00e9.txt': 'a', 'files/\u65e5\u672c.txt': 'b', 'files/\u{1f680}.txt': 'c' }),
    expect: accept('demo', '1.0.0'),
  },
  {
    id: 'valid/multi-member-gzip',
    group: 'valid',
    input: async () => {
      const tar = await buildTar(demoEntries());
      const cut = 1024;
      return Buffer.concat([gzipSync(tar.subarray(0, cut)), gzipSync(tar.subarray(cut))]);
    },
    expect: accept('demo', '1.0.0'),
  },
  {
    id: 'valid/file-exactly-at-limit',
    group: 'valid',
    input: () => demoArchive({ 'files/at-limit.bin': new Uint8Array(4096) }),
    limits: { maxFileBytes: 4096 },
    expect: accept('demo', '1.0.0'),
  },
  {
    id: 'valid/entries-exactly-at-limit',
    group: 'valid',
    input: () => demoArchive(),
    limits: { maxEntries: 4 },
    expect: accept('demo', '1.0.0'),
  },
  {
    id: 'valid/dot-files',
    group: 'valid',
    input: () => demoArchive({ '.helmignore': '*.bak\n', 'templates/.keep': '' }),
    expect: accept('demo', '1.0.0'),
  },
];

export const validCases = (): HostileCase[] => valid();
