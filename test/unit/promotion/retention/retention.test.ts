import { describe, expect, it } from 'vitest';
import type { Clock } from '../../../../functions/ports/clock';
import { DEFAULT_LAYOUT } from '../../../../functions/promotion/layout';
import { newHelmReleaseText } from '../../../../functions/promotion/manifests/helm-release-manifest';
import { PREVIOUS_VERSION_ANNOTATION } from '../../../../functions/promotion/manifests/release-annotations';
import { planRetention, prunableVersions } from '../../../../functions/promotion/retention/retention';
import { commitUploads, type UploadRequest } from '../../../../functions/promotion/uploads/commit-uploads';
import { InMemoryGitHost } from '../../../support/in-memory-git-host';
import { makeChart } from '../../../support/promotion-fixtures';

const clock: Clock = { now: () => new Date(0), sleep: async () => undefined };
const options = { clock, fallbackEnvironment: 'dev' };

const upload = (name: string, version: string): UploadRequest => ({
  chart: makeChart(name, version),
  runId: `run-${version}`,
  source: { bucket: 'uploads', key: `incoming/${name}-${version}.tgz` },
});

const release = (chart: string, environment: string, version: string, previous?: string): string =>
  newHelmReleaseText({
    name: chart,
    namespace: environment,
    chartPath: `./charts/${chart}/${version}`,
    version,
    runId: `seed-${environment}`,
    ...(previous === undefined ? {} : { annotations: { [PREVIOUS_VERSION_ANNOTATION]: previous } }),
    sourceRef: { name: 'flux-system', namespace: 'flux-system' },
    interval: '10m',
  });

/** charts/<chart>/<version>/ as the pipeline vendors it (three files, one nested). */
const vendored = (chart: string, versions: readonly string[]): Record<string, string> =>
  Object.fromEntries(
    versions.flatMap((version) =>
      makeChart(chart, version).files.map((file) => [
        `charts/${chart}/${version}/${file.path}`,
        new TextDecoder().decode(file.data),
      ]),
    ),
  );

const versionsIn = (host: InMemoryGitHost, chart: string): string[] =>
  [
    ...new Set(
      [...host.files.keys()].flatMap((path) => {
        const match = new RegExp(`^charts/${chart}/([^/]+)/`).exec(path);
        return match ? [match[1]!] : [];
      }),
    ),
  ].sort();

describe('prunableVersions', () => {
  it('keeps the newest n by semver (not by name), every referenced version and every non-semver name', () => {
    const versions = ['1.10.0', '1.9.0', '1.2.0', '2.0.0-rc.1', '2.0.0', 'latest', '0.1.0'];
    const pruned = prunableVersions(versions, new Set(['0.1.0']), 2);
    expect(pruned).toEqual(['1.10.0', '1.9.0', '1.2.0']);
  });

  it('prunes nothing with retain larger than the number of versions', () => {
    expect(prunableVersions(['1.0.0', '2.0.0'], new Set(), 5)).toEqual([]);
  });
});

describe('retention through commitUploads (retain: n in .chart-promoter.yaml)', () => {
  it('keeps the repository bounded while 100 versions are promoted one by one with retain: 3', async () => {
    // Prepare
    const host = new InMemoryGitHost({ '.chart-promoter.yaml': 'environments:\n  - name: dev\nretain: 3\n' });
    let largest = 0;
    // Act
    for (let minor = 0; minor < 100; minor++) {
      const run = await commitUploads(host, 'main', [upload('app', `1.${minor}.0`)], options);
      expect(run.outcomes[0]?.status).toBe('promoted');
      largest = Math.max(largest, versionsIn(host, 'app').length);
    }
    // Assess: never more than 3 versions (newest 3, which include dev's current and previous).
    expect(largest).toBe(3);
    expect(versionsIn(host, 'app')).toEqual(['1.97.0', '1.98.0', '1.99.0']);
    expect(host.commits).toHaveLength(100);
    const last = host.commits.at(-1)!;
    expect(last.message).toContain('retain 3: remove app 1.96.0');
    // The deletion is in the same commit as the promotion.
    expect(last.paths).toEqual(
      expect.arrayContaining(['charts/app/1.99.0/Chart.yaml', 'charts/app/1.96.0/Chart.yaml']),
    );
    expect(host.files.size).toBeLessThan(20);
  });

  it('never removes a version any HelmRelease references: every environment pointing at a different version', async () => {
    // Prepare: 5 policy environments and one directory the policy does not name, each on another version.
    const policy = [
      'environments:',
      '  - name: dev',
      '  - name: qa',
      '    after: dev',
      '  - name: staging',
      '    after: qa',
      '  - name: perf',
      '    after: staging',
      '  - name: prod',
      '    after: perf',
      'retain: 1',
      '',
    ].join('\n');
    const all = Array.from({ length: 12 }, (_, i) => `1.${i}.0`);
    const host = new InMemoryGitHost({
      '.chart-promoter.yaml': policy,
      ...vendored('app', all),
      'environments/dev/app.yaml': release('app', 'dev', '1.9.0', '1.8.0'),
      'environments/qa/app.yaml': release('app', 'qa', '1.7.0'),
      'environments/staging/app.yaml': release('app', 'staging', '1.5.0', '1.4.0'),
      'environments/perf/app.yaml': release('app', 'perf', '1.3.0'),
      'environments/prod/app.yaml': release('app', 'prod', '1.1.0', '1.0.0'),
      'environments/legacy/app.yaml': release('app', 'legacy', '1.2.0'),
    });
    // Act
    const run = await commitUploads(host, 'main', [upload('app', '2.0.0')], options);
    // Assess: referenced (and previous-version) versions stay. dev now runs 2.0.0 and remembers 1.9.0,
    // so its old previous version 1.8.0 goes with the never-referenced 1.6.0, 1.10.0 and 1.11.0.
    expect(run.outcomes[0]?.status).toBe('promoted');
    expect(versionsIn(host, 'app')).toEqual(
      ['1.0.0', '1.1.0', '1.2.0', '1.3.0', '1.4.0', '1.5.0', '1.7.0', '1.9.0', '2.0.0'].sort(),
    );
    expect(host.commits.at(-1)!.message).toContain('retain 1: remove app 1.11.0, 1.10.0, 1.8.0, 1.6.0');
  });

  it('prunes nothing of a chart when one of its HelmReleases cannot be read', async () => {
    const host = new InMemoryGitHost({
      '.chart-promoter.yaml': 'environments:\n  - name: dev\n  - name: prod\n    after: dev\nretain: 1\n',
      ...vendored('app', ['1.0.0', '1.1.0', '1.2.0']),
      'environments/prod/app.yaml': 'this: [is not a HelmRelease\n',
    });
    await commitUploads(host, 'main', [upload('app', '2.0.0')], options);
    expect(versionsIn(host, 'app')).toEqual(['1.0.0', '1.1.0', '1.2.0', '2.0.0']);
  });

  it('does nothing without retain (the default), and leaves other charts alone', async () => {
    const host = new InMemoryGitHost({
      '.chart-promoter.yaml': 'environments:\n  - name: dev\n',
      ...vendored('app', ['1.0.0', '1.1.0']),
      ...vendored('other', ['0.1.0', '0.2.0']),
    });
    await commitUploads(host, 'main', [upload('app', '2.0.0')], options);
    expect(versionsIn(host, 'app')).toEqual(['1.0.0', '1.1.0', '2.0.0']);
    expect(versionsIn(host, 'other')).toEqual(['0.1.0', '0.2.0']);
  });
});

describe('planRetention', () => {
  it('treats an environment whose HelmRelease was not read as unknown: nothing is pruned', () => {
    const plan = planRetention({
      snapshot: {
        head: 'h',
        files: new Map(),
        trees: new Map(),
        directories: new Map([['charts/app', ['1.0.0/Chart.yaml', '2.0.0/Chart.yaml']]]),
      },
      layout: DEFAULT_LAYOUT,
      retain: 1,
      charts: ['app'],
      environments: ['dev'],
      changes: [],
    });
    expect(plan).toEqual({ deletions: [], pruned: [] });
  });
});
