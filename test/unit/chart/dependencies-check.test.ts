import { describe, expect, it } from 'vitest';
import type { IntakeResult } from '../../../functions/chart/chart';
import { readChartArchive } from '../../../functions/chart/read-chart-archive';
import { buildArchive, buildChart, chartEntries } from '../../support/tar-fixtures';

const withRedis = (extra = '') =>
  `apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n  - name: redis\n    version: ~1.2.0\n    repository: https://charts.example.com\n    condition: redis.enabled\n${extra}`;

const refusalsOf = (result: IntakeResult) => (result.ok ? [] : result.refusals);

describe('dependencies vendored under charts/', () => {
  it('accepts a dependency vendored as a directory', async () => {
    // Prepare
    const archive = await buildChart(
      'app',
      '1.0.0',
      { 'charts/redis/Chart.yaml': 'apiVersion: v2\nname: redis\nversion: 1.2.3\n' },
      { chartYaml: withRedis() },
    );
    // Act
    const result = await readChartArchive(archive);
    // Assess
    expect(refusalsOf(result)).toEqual([]);
    expect(result.ok && result.chart.dependencies).toEqual([
      {
        name: 'redis',
        version: '~1.2.0',
        repository: 'https://charts.example.com',
        condition: 'redis.enabled',
      },
    ]);
  });

  it('accepts a dependency vendored as charts/<name>-<version>.tgz, keeping the archive as a file', async () => {
    // Prepare
    const redis = await buildChart('redis', '1.2.3');
    const archive = await buildChart(
      'app',
      '1.0.0',
      { 'charts/redis-1.2.3.tgz': redis },
      { chartYaml: withRedis() },
    );
    // Act
    const result = await readChartArchive(archive);
    // Assess
    expect(refusalsOf(result)).toEqual([]);
    expect(result.ok && result.chart.files.find((f) => f.path === 'charts/redis-1.2.3.tgz')?.size).toBe(
      redis.byteLength,
    );
  });

  it('matches by the vendored chart name, as Helm does, not by directory name or alias', async () => {
    // Prepare: directory "cache" holds chart "redis" (matches); the alias does not rename what is vendored
    const matches = await buildChart(
      'app',
      '1.0.0',
      { 'charts/cache/Chart.yaml': 'apiVersion: v2\nname: redis\nversion: 1.2.3\n' },
      { chartYaml: withRedis('    alias: cache\n') },
    );
    const aliasOnly = await buildChart(
      'app',
      '1.0.0',
      { 'charts/cache/Chart.yaml': 'apiVersion: v2\nname: cache\nversion: 1.2.3\n' },
      { chartYaml: withRedis('    alias: cache\n') },
    );
    // Act
    const [matched, missing] = await Promise.all([readChartArchive(matches), readChartArchive(aliasOnly)]);
    // Assess
    expect(refusalsOf(matched)).toEqual([]);
    expect(refusalsOf(missing).map((r) => r.code)).toEqual(['CHART_DEPENDENCY_MISSING']);
  });

  it('refuses each dependency that is not vendored with CHART_DEPENDENCY_MISSING', async () => {
    // Prepare
    const chartYaml = `${withRedis()}  - name: postgresql\n    version: 12.0.0\n`;
    // Act
    const result = await readChartArchive(await buildChart('app', '1.0.0', {}, { chartYaml }));
    // Assess
    expect(refusalsOf(result).map((r) => [r.code, r.message.split(' ')[1]])).toEqual([
      ['CHART_DEPENDENCY_MISSING', 'redis'],
      ['CHART_DEPENDENCY_MISSING', 'postgresql'],
    ]);
  });

  it('reads apiVersion v1 dependencies from requirements.yaml', async () => {
    // Prepare
    const files = { 'requirements.yaml': 'dependencies:\n  - name: mysql\n    version: 1.0.0\n' };
    // Act
    const result = await readChartArchive(await buildChart('old', '1.0.0', files, { apiVersion: 'v1' }));
    // Assess
    expect(refusalsOf(result)).toEqual([
      expect.objectContaining({ code: 'CHART_DEPENDENCY_MISSING', path: 'requirements.yaml' }),
    ]);
  });

  it('refuses duplicate dependency names or aliases with CHART_YAML_INVALID', async () => {
    // Prepare
    const chartYaml = `${withRedis()}  - name: redis\n    version: 1.2.3\n`;
    // Act
    const result = await readChartArchive(await buildChart('app', '1.0.0', {}, { chartYaml }));
    // Assess
    expect(refusalsOf(result).map((r) => r.code)).toEqual(['CHART_YAML_INVALID']);
  });

  it('looks inside vendored archives: a corrupt one is ARCHIVE_CORRUPT, a hostile one UNSAFE_ENTRY', async () => {
    // Prepare
    const hostile = await buildArchive([
      ...chartEntries('redis', '1.2.3'),
      { name: 'redis/x', type: 'symlink', linkname: '/etc/shadow' },
    ]);
    const corrupt = await buildChart(
      'app',
      '1.0.0',
      { 'charts/redis-1.2.3.tgz': 'not gzip' },
      { chartYaml: withRedis() },
    );
    const unsafe = await buildChart(
      'app',
      '1.0.0',
      { 'charts/redis-1.2.3.tgz': hostile },
      { chartYaml: withRedis() },
    );
    // Act
    const [a, b] = await Promise.all([readChartArchive(corrupt), readChartArchive(unsafe)]);
    // Assess
    expect(refusalsOf(a).map((r) => [r.code, r.path])).toEqual([
      ['ARCHIVE_CORRUPT', 'charts/redis-1.2.3.tgz'],
      ['CHART_DEPENDENCY_MISSING', 'Chart.yaml'],
    ]);
    expect(refusalsOf(b).map((r) => [r.code, r.path])).toEqual([
      ['UNSAFE_ENTRY', 'charts/redis-1.2.3.tgz'],
      ['CHART_DEPENDENCY_MISSING', 'Chart.yaml'],
    ]);
  });

  it('counts a vendored archive against the decompressed budget (nested bomb)', async () => {
    // Prepare: a 3 MiB file of zeros (3 KiB compressed) inside the nested archive, with a 2 MiB budget
    const nested = await buildChart('redis', '1.2.3', { 'big.bin': new Uint8Array(3 * 1024 * 1024) });
    const archive = await buildChart(
      'app',
      '1.0.0',
      { 'charts/redis-1.2.3.tgz': nested },
      { chartYaml: withRedis() },
    );
    // Act
    const result = await readChartArchive(archive, { maxDecompressedBytes: 2 * 1024 * 1024 });
    // Assess
    expect(refusalsOf(result)[0]).toMatchObject({
      code: 'ARCHIVE_TOO_LARGE',
      path: 'charts/redis-1.2.3.tgz',
    });
  });

  // Helm's loader skips charts/ entries whose name starts with "_" or "." (helm v3.17.2
  // pkg/chart/loader/load.go L168-L173, `case strings.IndexAny(n, "_.") == 0: continue`):
  // https://github.com/helm/helm/blob/v3.17.2/pkg/chart/loader/load.go#L168-L173
  it('skips charts/ entries whose name starts with "_" or ".", as Helm\'s loader does, and keeps them as files', async () => {
    // Prepare
    const archive = await buildChart('app', '1.0.0', {
      'charts/.gitkeep': '',
      'charts/.hidden.tgz': 'not gzip',
      'charts/_parked/README.md': '# not a chart',
    });
    // Act
    const result = await readChartArchive(archive);
    // Assess
    expect(refusalsOf(result)).toEqual([]);
    expect(result.ok && result.chart.files.map((f) => f.path)).toEqual(
      expect.arrayContaining(['charts/.gitkeep', 'charts/.hidden.tgz', 'charts/_parked/README.md']),
    );
  });

  it('still refuses what other checks find under a skipped charts/ entry', async () => {
    // Act
    const gitDir = await readChartArchive(await buildChart('app', '1.0.0', { 'charts/.git/config': 'x' }));
    const stray = await readChartArchive(
      await buildChart('app', '1.0.0', { 'charts/.gitkeep': '', 'charts/notes/README.md': '# hi' }),
    );
    // Assess
    expect(refusalsOf(gitDir).map((r) => r.code)).toEqual(['UNSAFE_PATH']);
    expect(refusalsOf(stray)).toEqual([
      expect.objectContaining({ code: 'CHART_YAML_MISSING', path: 'charts/notes/Chart.yaml' }),
    ]);
  });

  it('refuses a stray file under charts/, which Helm would try to load as a chart', async () => {
    // Act
    const result = await readChartArchive(await buildChart('app', '1.0.0', { 'charts/README.md': '# hi' }));
    // Assess
    expect(refusalsOf(result)).toEqual([expect.objectContaining({ code: 'CHART_YAML_MISSING' })]);
  });
});
