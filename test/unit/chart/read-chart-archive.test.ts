import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { IntakeResult } from '../../../functions/chart/chart';
import { readChartArchive } from '../../../functions/chart/read-chart-archive';
import type { RefusalCode } from '../../../functions/chart/refusal';
import {
  buildArchive,
  buildChart,
  buildTar,
  chartEntries,
  gunzip,
  gzip,
  type TarEntrySpec,
} from '../../support/tar-fixtures';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const fixtures = path.resolve(repoRoot, 'test/fixtures/charts');

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** `size` pseudo-random bytes (a linear congruential generator): incompressible, distinct per seed. */
const noise = (size: number, seed: number): Uint8Array => {
  const data = new Uint8Array(size);
  let state = seed;
  for (let at = 0; at < size; at++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    data[at] = state >>> 24;
  }
  return data;
};

const summary = (result: IntakeResult) =>
  result.ok
    ? {
        ...result.chart,
        files: result.chart.files.map((f) => ({ path: f.path, size: f.size, sha: sha256(f.data) })),
      }
    : result;

const codes = (result: IntakeResult): RefusalCode[] => (result.ok ? [] : result.refusals.map((r) => r.code));

const expectRefused = (result: IntakeResult, code: RefusalCode): void => {
  expect(result.ok, JSON.stringify(result)).toBe(false);
  expect(codes(result)).toContain(code);
};

const BILLION_LAUGHS = [
  'apiVersion: v2\nname: demo\nversion: 1.0.0\n',
  'a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n',
  ...['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].map((k, i) => {
    const prev = 'abcdefghi'[i];
    return `${k}: &${k} [${Array(9).fill(`*${prev}`).join(', ')}]\n`;
  }),
].join('');

const withEntries = async (...extra: TarEntrySpec[]): Promise<IntakeResult> =>
  readChartArchive(await buildArchive([...chartEntries('demo', '1.0.0'), ...extra]));

describe('readChartArchive on the real fixture charts', () => {
  it.each([
    ['podinfo-6.14.1', 'podinfo', '6.14.1', 'v1'],
    ['argo-rollouts-2.41.0', 'argo-rollouts', '2.41.0', 'v2'],
    ['argo-workflows-1.0.18', 'argo-workflows', '1.0.18', 'v2'],
  ])('accepts %s', async (file, name, version, apiVersion) => {
    // Prepare
    const archive = await readFile(path.join(fixtures, `${file}.tgz`));
    // Act
    const result = await readChartArchive(archive);
    // Assess
    if (!result.ok) throw new Error(JSON.stringify(result.refusals));
    const { chart } = result;
    expect({
      name: chart.name,
      version: chart.version,
      apiVersion: chart.apiVersion,
      type: chart.type,
    }).toEqual({
      name,
      version,
      apiVersion,
      type: 'application',
    });
    expect(chart.archiveBytes).toBe(archive.byteLength);
    expect(chart.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const paths = chart.files.map((f) => f.path);
    expect(paths).toContain('Chart.yaml');
    expect(paths).toEqual([...paths].sort());
    expect(paths.every((p) => !p.startsWith(`${name}/`))).toBe(true);
    expect(chart.bytes).toBe(chart.files.reduce((sum, f) => sum + f.size, 0));
  });

  it('gives the sha256 of the archive bytes as the digest', async () => {
    // Prepare
    const archive = await readFile(path.join(fixtures, 'podinfo-6.14.1.tgz'));
    // Act
    const result = await readChartArchive(archive);
    // Assess
    expect(result.ok && result.chart.digest).toBe(
      'sha256:b00787ebf128536d16b9c90015da2db5d47df9c44ea461702c7952ab457e0caf',
    );
  });

  it('refuses argo-cd without its vendored redis-ha with CHART_DEPENDENCY_MISSING', async () => {
    // Prepare
    const archive = await readFile(path.join(fixtures, 'argo-cd-10.1.1-missing-dependency.tgz'));
    // Act
    const result = await readChartArchive(archive);
    // Assess
    expect(result).toEqual({
      ok: false,
      refusals: [expect.objectContaining({ code: 'CHART_DEPENDENCY_MISSING', path: 'Chart.yaml' })],
      // Chart.yaml itself passed: the refusal can name the chart.
      identity: { name: 'argo-cd', version: '10.1.1' },
    });
    expect(!result.ok && result.refusals[0]?.message).toContain('redis-ha');
  });

  it('reads the same archive streamed in odd-sized chunks', async () => {
    // Prepare
    const archive = await readFile(path.join(fixtures, 'argo-rollouts-2.41.0.tgz'));
    async function* chunks() {
      for (let i = 0; i < archive.byteLength; i += 777) yield archive.subarray(i, i + 777);
    }
    // Act
    const [whole, streamed] = await Promise.all([readChartArchive(archive), readChartArchive(chunks())]);
    // Assess: compare file hashes, since deep-equality over a megabyte of typed arrays is slow
    expect(summary(streamed)).toEqual(summary(whole));
    expect(whole.ok).toBe(true);
  });

  it('gives every file its exact bytes, also files that straddle zlib output chunks', async () => {
    // Prepare: a body arrives in pieces, cut where zlib's 1 MiB output chunks end (gunzip-limited.ts)
    // and where tar-stream splits them; incompressible, distinct contents of 3, 2, 1.5 and 4.5 MiB
    // cross many chunk boundaries at different offsets.
    const MiB = 1024 * 1024;
    const sizes = [3 * MiB, 2 * MiB, 1.5 * MiB, 7, 4.5 * MiB, 1];
    const contents = sizes.map((size, index) => noise(size, index + 1));
    const extra = contents.map((data, index) => ({ name: `demo/files/part-${index}.bin`, data }));
    // Act
    const result = await withEntries(...extra);
    // Assess
    expect(result.ok, JSON.stringify(!result.ok && result.refusals)).toBe(true);
    const files = result.ok ? result.chart.files : [];
    for (const [index, data] of contents.entries()) {
      const file = files.find((f) => f.path === `files/part-${index}.bin`);
      expect(file?.size).toBe(data.byteLength);
      expect(sha256(file?.data ?? new Uint8Array()), `files/part-${index}.bin`).toBe(sha256(data));
    }
  });
});

describe('readChartArchive refuses', () => {
  it('a small valid chart is accepted with its metadata (control)', async () => {
    // Prepare
    const archive = await buildChart(
      'demo',
      '1.2.3-rc.1+build.5',
      {},
      {
        chartYaml:
          'apiVersion: v2\nname: demo\nversion: 1.2.3-rc.1+build.5\nappVersion: "2.0"\ntype: application\nannotations:\n  team: a\n',
      },
    );
    // Act
    const result = await readChartArchive(archive);
    // Assess
    expect(result.ok && { ...result.chart, files: result.chart.files.map((f) => f.path) }).toMatchObject({
      name: 'demo',
      version: '1.2.3-rc.1+build.5',
      appVersion: '2.0',
      type: 'application',
      annotations: { team: 'a' },
      dependencies: [],
      files: ['Chart.yaml', 'templates/configmap.yaml', 'values.yaml'],
    });
  });

  it.each([
    ['not gzip at all', () => new TextEncoder().encode('definitely not a chart')],
    ['an empty upload', () => new Uint8Array()],
    ['a plain (uncompressed) tar', () => buildTar(chartEntries('demo', '1.0.0'))],
    ['a truncated gzip stream', async () => (await buildChart('demo', '1.0.0')).subarray(0, 200)],
    ['gzip of garbage (not a tar)', () => gzip(new TextEncoder().encode('x'.repeat(2000)))],
    ['an empty tar', () => buildArchive([])],
    ['a tar cut mid-entry', async () => gzip(gunzip(await buildChart('demo', '1.0.0')).subarray(0, 700))],
  ])('%s with ARCHIVE_CORRUPT', async (_, make) => {
    // Prepare
    const archive = await make();
    // Act
    const result = await readChartArchive(archive);
    // Assess
    expect(result).toEqual({ ok: false, refusals: [expect.objectContaining({ code: 'ARCHIVE_CORRUPT' })] });
  });

  it.each([
    ['a parent segment', 'demo/../escape.yaml'],
    ['a nested parent segment', 'demo/templates/../../x'],
    ['an absolute path', '/demo/templates/x.yaml'],
    ['a backslash', 'demo/templates\\..\\..\\x.yaml'],
    ['a drive letter', 'C:/demo/x.yaml'],
    ['an empty segment', 'demo//templates/x.yaml'],
    ['a dot segment', 'demo/./templates/x.yaml'],
    ['a leading ./', './demo/templates/x.yaml'],
    ['a .git segment', 'demo/.git/config'],
    ['a control character', 'demo/templates/x\u001b.yaml'],
  ])('a name with %s with UNSAFE_PATH', async (_, name) => {
    // Act
    const result = await withEntries({ name, data: 'x' });
    // Assess
    expectRefused(result, 'UNSAFE_PATH');
  });

  it('a name with a NUL byte (smuggled in a PAX record) with UNSAFE_PATH', async () => {
    // Act
    const result = await withEntries({ name: 'demo/templates/a\u0000.yaml', data: 'x', pax: {} });
    // Assess
    expect(result).toEqual({
      ok: false,
      refusals: [expect.objectContaining({ code: 'UNSAFE_PATH', message: expect.stringContaining('NUL') })],
    });
  });

  it.each([
    ['a duplicate entry', 'demo/values.yaml'],
    ['a case-colliding entry', 'demo/Values.yaml'],
    ['a case-colliding directory', 'demo/Templates/other.yaml'],
  ])('%s with UNSAFE_PATH', async (_, name) => {
    // Act
    const result = await withEntries({ name, data: 'replicaCount: 2\n' });
    // Assess
    expectRefused(result, 'UNSAFE_PATH');
  });

  it('names equal after Unicode NFC normalisation with UNSAFE_PATH', async () => {
    // Prepare: "é" precomposed (U+00E9) and decomposed (e + U+0301)
    const entries = [
      ...chartEntries('demo', '1.0.0'),
      { name: 'demo/caf\u00e9.txt' },
      { name: 'demo/cafe\u0301.txt' },
    ];
    // Act
    const result = await readChartArchive(await buildArchive(entries));
    // Assess
    expect(result).toEqual({
      ok: false,
      refusals: [
        expect.objectContaining({ code: 'UNSAFE_PATH', message: expect.stringContaining('collides') }),
      ],
    });
  });

  it('a path that is both a file and a directory with UNSAFE_PATH', async () => {
    // Act
    const result = await withEntries({ name: 'demo/templates/configmap.yaml/inner.yaml', data: 'x' });
    // Assess
    expectRefused(result, 'UNSAFE_PATH');
  });

  it('files at the top level and a second top-level directory with UNSAFE_PATH', async () => {
    // Act
    const loose = await withEntries({ name: 'README.md', data: 'hi' });
    const twoRoots = await withEntries({ name: 'other/Chart.yaml', data: 'name: other' });
    // Assess
    expectRefused(loose, 'UNSAFE_PATH');
    expect(!twoRoots.ok && twoRoots.refusals[0]?.message).toContain('more than one top-level directory');
  });

  it.each([
    ['symlink', { type: 'symlink', linkname: '/etc/passwd' }],
    ['hard link', { type: 'link', linkname: 'demo/values.yaml' }],
    ['character device', { type: 'character-device' }],
    ['block device', { type: 'block-device' }],
    ['FIFO', { type: 'fifo' }],
  ] as const)('a %s entry with UNSAFE_ENTRY', async (_, spec) => {
    // Act
    const result = await withEntries({ name: 'demo/templates/special', ...spec });
    // Assess
    expect(result).toEqual({ ok: false, refusals: [expect.objectContaining({ code: 'UNSAFE_ENTRY' })] });
  });

  it('reports every unsafe entry it finds, not just the first', async () => {
    // Act
    const result = await withEntries(
      { name: 'demo/a', type: 'symlink', linkname: '../../x' },
      { name: 'demo/../b', data: 'x' },
      { name: 'demo/c', type: 'fifo' },
    );
    // Assess
    expect(codes(result)).toEqual(['UNSAFE_ENTRY', 'UNSAFE_PATH', 'UNSAFE_ENTRY']);
  });

  it('accepts long names carried by PAX and GNU-style long headers', async () => {
    // Prepare
    const deep = `templates/${'very-long-directory-name/'.repeat(8)}configmap.yaml`;
    // Act
    const result = await readChartArchive(await buildChart('demo', '1.0.0', { [deep]: 'kind: ConfigMap\n' }));
    // Assess
    expect(result.ok && result.chart.files.map((f) => f.path)).toContain(deep);
  });

  it('a chart without Chart.yaml with CHART_YAML_MISSING', async () => {
    // Act
    const result = await readChartArchive(await buildChart('demo', '1.0.0', { 'Chart.yaml': null }));
    // Assess
    expect(result).toEqual({
      ok: false,
      refusals: [expect.objectContaining({ code: 'CHART_YAML_MISSING' })],
    });
  });

  it.each([
    ['not YAML', 'name: [unclosed\n'],
    ['not a map', '- a\n- b\n'],
    ['empty', ''],
    ['missing apiVersion', 'name: demo\nversion: 1.0.0\n'],
    ['apiVersion v3', 'apiVersion: v3\nname: demo\nversion: 1.0.0\n'],
    ['missing name', 'apiVersion: v2\nversion: 1.0.0\n'],
    ['missing version', 'apiVersion: v2\nname: demo\n'],
    ['an unknown type', 'apiVersion: v2\nname: demo\nversion: 1.0.0\ntype: plugin\n'],
    ['a numeric appVersion', 'apiVersion: v2\nname: demo\nversion: 1.0.0\nappVersion: 1.10\n'],
    [
      'annotations that are not strings',
      'apiVersion: v2\nname: demo\nversion: 1.0.0\nannotations:\n  a: [1]\n',
    ],
    [
      'a nameless dependency',
      'apiVersion: v2\nname: demo\nversion: 1.0.0\ndependencies:\n  - version: 1.0.0\n',
    ],
    ['an alias bomb (billion laughs)', BILLION_LAUGHS],
  ])('a Chart.yaml that is %s with CHART_YAML_INVALID', async (_, chartYaml) => {
    // Act
    const result = await readChartArchive(await buildChart('demo', '1.0.0', {}, { chartYaml }));
    // Assess
    expectRefused(result, 'CHART_YAML_INVALID');
  });

  it.each([
    ['uppercase letters', 'Demo'],
    ['an underscore', 'my_chart'],
    ['a trailing dash', 'demo-'],
    ['a path', 'a/b'],
    ['64 characters', 'a'.repeat(64)],
  ])('a chart name with %s with CHART_NAME_INVALID', async (_, name) => {
    // Prepare
    const chartYaml = `apiVersion: v2\nname: ${JSON.stringify(name)}\nversion: 1.0.0\n`;
    // Act
    const result = await readChartArchive(await buildChart('demo', '1.0.0', {}, { chartYaml }));
    // Assess
    expectRefused(result, 'CHART_NAME_INVALID');
  });

  it('a top-level directory that is not the chart name with CHART_NAME_INVALID', async () => {
    // Act
    const result = await readChartArchive(await buildChart('demo', '1.0.0', {}, { root: 'other' }));
    // Assess
    expect(result).toEqual({
      ok: false,
      refusals: [expect.objectContaining({ code: 'CHART_NAME_INVALID', path: 'other' })],
      identity: { name: 'demo', version: '1.0.0' },
    });
  });

  it.each([
    ['a v prefix', 'v1.0.0'],
    ['two parts', '1.0'],
    ['a leading zero', '1.02.0'],
    ['garbage', 'latest'],
    ['a YAML float', 1.5],
  ])('a version with %s with CHART_VERSION_INVALID', async (_, version) => {
    // Prepare
    const chartYaml = `apiVersion: v2\nname: demo\nversion: ${typeof version === 'number' ? version : JSON.stringify(version)}\n`;
    // Act
    const result = await readChartArchive(await buildChart('demo', '1.0.0', {}, { chartYaml }));
    // Assess
    expect(result).toEqual({
      ok: false,
      refusals: [expect.objectContaining({ code: 'CHART_VERSION_INVALID' })],
    });
  });

  it.each([
    ['not YAML', 'a: [b\n'],
    ['a list', '- 1\n'],
    ['a scalar', 'just text\n'],
  ])('a values.yaml that is %s with VALUES_INVALID', async (_, values) => {
    // Act
    const result = await readChartArchive(await buildChart('demo', '1.0.0', { 'values.yaml': values }));
    // Assess
    expect(result).toEqual({
      ok: false,
      refusals: [expect.objectContaining({ code: 'VALUES_INVALID' })],
      identity: { name: 'demo', version: '1.0.0' },
    });
  });

  it('accepts an empty or comment-only values.yaml', async () => {
    // Act
    const empty = await readChartArchive(await buildChart('demo', '1.0.0', { 'values.yaml': '' }));
    const comments = await readChartArchive(
      await buildChart('demo', '1.0.0', { 'values.yaml': '# nothing\n' }),
    );
    // Assess
    expect([empty.ok, comments.ok]).toEqual([true, true]);
  });

  const schema = JSON.stringify({
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    required: ['replicaCount'],
    properties: { replicaCount: { type: 'integer', minimum: 1 } },
  });

  it.each([
    ['default values that violate it', schema, 'replicaCount: 0\n'],
    ['default values missing a required key', schema, 'other: 1\n'],
    ['a schema that is not JSON', '{ "type": ', 'replicaCount: 1\n'],
    [
      'a schema that cannot compile',
      JSON.stringify({ $ref: 'https://example.com/remote.json' }),
      'replicaCount: 1\n',
    ],
    [
      'a 2020-12 schema that is violated',
      JSON.stringify({
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'object',
        properties: { replicaCount: { type: 'string' } },
      }),
      'replicaCount: 1\n',
    ],
  ])('values.schema.json with %s with VALUES_SCHEMA_VIOLATION', async (_, schemaText, values) => {
    // Act
    const result = await readChartArchive(
      await buildChart('demo', '1.0.0', { 'values.schema.json': schemaText, 'values.yaml': values }),
    );
    // Assess
    expect(result).toEqual({
      ok: false,
      refusals: [expect.objectContaining({ code: 'VALUES_SCHEMA_VIOLATION', path: 'values.schema.json' })],
      identity: { name: 'demo', version: '1.0.0' },
    });
  });

  it('accepts default values that satisfy values.schema.json (YAML 1.1 booleans included)', async () => {
    // Prepare
    const strict = JSON.stringify({
      type: 'object',
      properties: { enabled: { type: 'boolean' }, replicaCount: { type: 'integer' } },
    });
    // Act
    const result = await readChartArchive(
      await buildChart('demo', '1.0.0', {
        'values.schema.json': strict,
        'values.yaml': 'enabled: yes\nreplicaCount: 2\n',
      }),
    );
    // Assess
    expect(result.ok).toBe(true);
  });

  it('returns the cheap chart-level refusals together', async () => {
    // Prepare
    const chartYaml = 'apiVersion: v2\nname: Demo\nversion: v1\n';
    // Act
    const result = await readChartArchive(
      await buildChart('demo', '1.0.0', { 'values.yaml': '- x\n' }, { chartYaml }),
    );
    // Assess
    expect(codes(result).sort()).toEqual(['CHART_NAME_INVALID', 'CHART_VERSION_INVALID', 'VALUES_INVALID']);
  });
});
