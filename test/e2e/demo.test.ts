import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { isolatedToolEnv, runFile } from '../../functions/adapters/exec-file';
import { KubectlKustomize } from '../../functions/adapters/kubectl-kustomize';
import { layerBinaryPath } from '../../functions/adapters/layer-binaries';
import { type LocalRuntime, startLocalRuntime } from '../../functions/local/local-runtime';
import { isPromotionRecord, readRunLog } from '../../functions/local/run-log';
import type { ReleaseRecord } from '../../functions/ports/release-ledger';
import { validateHelmRelease } from '../../functions/promotion/manifests/flux-schema';
import { runGit } from '../support/bare-repo';
import { type CliRun, chartPromoterProcess } from '../support/cli-process';
import { buildChart } from '../support/tar-fixtures';

interface DemoRun {
  readonly chart: string;
  readonly version: string;
  readonly environment: string;
  readonly status: string;
  readonly commit: string | null;
  readonly kind?: string;
  readonly trigger?: string;
  readonly source?: string;
  readonly code?: string;
}

interface DemoEnvironment {
  readonly chart: string;
  readonly environment: string;
  readonly mode: string;
  readonly state: string;
  readonly version: string | null;
  readonly leadTimeMs: number | null;
  readonly branch?: string;
}

interface DemoStep {
  readonly chart: string;
  readonly environment: string;
  readonly action: string;
  readonly leadTimeMs?: number;
}

interface DemoDocument {
  readonly clusterRepo: string;
  readonly runs: DemoRun[];
  readonly environments: DemoEnvironment[];
  readonly steps: DemoStep[];
  readonly ledger: ReleaseRecord[];
}

/** The real command in its own process, from another directory, as a newcomer runs it. */
const chartPromoter = chartPromoterProcess(90_000);

describe('chart-promoter demo --json (the whole pipeline, real helm, real git, real s3rver)', () => {
  let workdir: string;
  let first: CliRun;
  let document: DemoDocument;
  let clone: string;

  beforeAll(async () => {
    workdir = await mkdtemp(path.join(tmpdir(), 'demo-e2e-'));
    first = await chartPromoter('demo', '--json', '--workdir', workdir);
    document = JSON.parse(first.stdout);
    clone = path.join(workdir, 'clone');
    if (first.code === 0) await runGit(workdir, ['clone', '--quiet', document.clusterRepo, clone]);
  });

  afterAll(async () => {
    await rm(workdir, { recursive: true, force: true });
  });

  it('exits 0 and prints {clusterRepo, runs:[{chart, version, environment, status, commit}]}, all promoted', async () => {
    // Assess
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout.trim().split('\n')).toHaveLength(1);
    expect(document.clusterRepo).toBe(path.join(workdir, 'cluster.git'));
    expect(document.runs.length).toBeGreaterThanOrEqual(1);
    for (const run of document.runs) {
      expect(run).toMatchObject({
        chart: expect.any(String),
        version: expect.any(String),
        environment: 'dev',
        status: 'promoted',
        commit: expect.stringMatching(/^[0-9a-f]{40}$/),
      });
    }
    // One batch, one commit, on the branch of the cluster repository (the staging promotions follow it).
    const commits = new Set(document.runs.map((run) => run.commit));
    expect(commits.size).toBe(1);
    const [commit] = [...commits] as [string];
    const git = (...args: string[]) => runGit(workdir, ['--git-dir', document.clusterRepo, ...args]);
    expect(await git('cat-file', '-t', commit)).toBe('commit');
    expect(await git('log', '-1', '--format=%s', commit)).toMatch(/ to dev$/);
    await expect(git('merge-base', '--is-ancestor', commit, 'main')).resolves.toBe('');
  });

  it('plays Flux: signed dev successes promote staging after the soak, staging successes push prod branches, lead times reported', async () => {
    // Prepare
    const git = (...args: string[]) => runGit(workdir, ['--git-dir', document.clusterRepo, ...args]);
    const charts = document.runs.map((run) => run.chart).sort();

    // Act
    const subjects = (await git('log', '--format=%s', 'main')).split('\n');
    const branches = (await git('for-each-ref', '--format=%(refname:short)', 'refs/heads/promote/')).split(
      '\n',
    );
    const prodFiles = await Promise.all(
      document.runs.map((run) =>
        git('show', `promote/prod/${run.chart}:environments/prod/${run.chart}.yaml`),
      ),
    );

    // Assess
    for (const run of document.runs)
      expect(subjects).toContain(`promote ${run.chart} ${run.version} to staging`);
    expect(branches.sort()).toEqual(document.runs.map((run) => `promote/prod/${run.chart}`).sort());
    for (const text of prodFiles) expect(validateHelmRelease(parse(text))).toEqual({ ok: true });
    await expect(git('cat-file', '-e', 'main:environments/prod')).rejects.toThrow();
    const where = (environment: string) =>
      document.environments
        .filter((e) => e.environment === environment)
        .map((e) => [e.chart, e.state])
        .sort();
    expect(where('dev')).toEqual(charts.map((chart) => [chart, 'deployed']));
    expect(where('staging')).toEqual(charts.map((chart) => [chart, 'deployed']));
    expect(where('prod')).toEqual(charts.map((chart) => [chart, 'proposed']));
    const lead = (environment: string) =>
      document.environments.filter((e) => e.environment === environment).map((e) => e.leadTimeMs);
    for (const ms of [...lead('dev'), ...lead('staging')]) expect(ms).toBeGreaterThan(0);
    // Staging is ready only after its 2 s soak: its lead time includes it.
    for (const ms of lead('staging')) expect(ms).toBeGreaterThan(2_000);
    expect(lead('prod')).toEqual(charts.map(() => null));
    const events = document.steps.filter((step) => step.action === 'flux-event');
    expect(events.map((step) => step.environment).sort()).toEqual([
      ...charts.map(() => 'dev'),
      ...charts.map(() => 'staging'),
    ]);
  });

  it('ends with a release ledger that says dev and staging converged and prod proposed, for every chart', async () => {
    // Prepare
    const charts = [...new Set(document.runs.map((run) => run.chart))].sort();
    // Act
    const states = document.ledger
      .map((record) => `${record.chart} ${record.environment} ${record.version} ${record.state}`)
      .sort();
    // Assess
    const versions = new Map(document.runs.map((run) => [run.chart, run.version]));
    expect(states).toEqual(
      charts
        .flatMap((chart) => [
          `${chart} dev ${versions.get(chart)} converged`,
          `${chart} staging ${versions.get(chart)} converged`,
          `${chart} prod ${versions.get(chart)} proposed`,
        ])
        .sort(),
    );
    for (const record of document.ledger.filter((r) => r.state === 'converged'))
      expect(record.leadTimeMs).toBeGreaterThan(0);
    for (const record of document.ledger.filter((r) => r.state === 'proposed'))
      expect(record.branch).toBe(`promote/prod/${record.chart}`);
  });

  it('commits HelmReleases that validate against the Flux CRD schema, one per promoted chart', async () => {
    // Prepare
    const dir = path.join(clone, 'environments', 'dev');

    // Act
    const files = (await readdir(dir)).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
    const releases = await Promise.all(
      files.map(async (f) => parse(await readFile(path.join(dir, f), 'utf8'))),
    );

    // Assess
    expect(files.sort()).toEqual(document.runs.map((run) => `${run.chart}.yaml`).sort());
    for (const release of releases) {
      expect(release.kind).toBe('HelmRelease');
      expect(validateHelmRelease(release)).toEqual({ ok: true });
    }
  });

  it('builds environments/dev with kubectl kustomize, and helm template renders each chart with its values', async () => {
    // Prepare
    const dir = path.join(clone, 'environments', 'dev');
    const kustomize = new KubectlKustomize({ kubectlPath: await layerBinaryPath('kubectl') });
    const helm = await layerBinaryPath('helm');
    const home = await mkdtemp(path.join(tmpdir(), 'demo-helm-'));

    try {
      // Act
      const built = await kustomize.build(dir);
      const rendered = await Promise.all(
        document.runs.map(async (run) => {
          const release = parse(await readFile(path.join(dir, `${run.chart}.yaml`), 'utf8'));
          const chartDir = path.resolve(clone, release.spec.chart.spec.chart);
          const values = path.join(home, `${run.chart}-values.yaml`);
          await writeFile(values, stringify(release.spec.values ?? {}));
          return {
            chartDir,
            result: await runFile(
              helm,
              [
                'template',
                release.metadata.name,
                chartDir,
                '-f',
                values,
                '--namespace',
                release.metadata.namespace,
              ],
              { env: isolatedToolEnv(home) },
            ),
          };
        }),
      );

      // Assess
      const objects = parseAllDocuments(built).map(
        (doc) => doc.toJS() as { kind: string; metadata: { name: string } },
      );
      expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(
        document.runs.map((run) => `HelmRelease/${run.chart}`).sort(),
      );
      for (const { chartDir, result } of rendered) {
        expect(chartDir.startsWith(path.join(clone, 'charts'))).toBe(true);
        expect(result.exitCode, result.stderr).toBe(0);
        expect(result.stdout).toMatch(/^kind: /m);
      }
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it('shows every run unchanged on a second run with the same work dir, with no new commit, and lists all runs', async () => {
    // Prepare
    const git = (...args: string[]) => runGit(workdir, ['--git-dir', document.clusterRepo, ...args]);
    const headBefore = await git('rev-parse', 'main');
    const branchesBefore = await git('for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads/');

    // Act
    // As a person re-runs it (the report, not --json): its last line must know it is the re-run.
    const again = await chartPromoter('demo', '--workdir', workdir);
    // --all: the .prov uploads that arrived before their chart are ignored, listed only with --all.
    const runs = await chartPromoter('runs', '--workdir', workdir, '--all', '--limit', '100', '--json');

    // Assess
    expect(again.code, again.stderr).toBe(0);
    for (const run of document.runs)
      expect(again.stdout).toMatch(new RegExp(`\\n {2}${run.chart} +${run.version} +dev +unchanged `));
    expect(again.stdout).toContain('No new commit: every chart was already in the cluster repository');
    // Nothing changed, so Flux reports nothing: no promotion again, no branch pushed again.
    expect(again.stdout).toContain('No release changed, so Flux has nothing to report');
    expect(again.stdout.trimEnd().split('\n').at(-1)).toMatch(
      new RegExp(
        `^Done in [\\d.]+ s\\. A re-run on ${workdir}: the same uploads came out unchanged and nothing was committed`,
      ),
    );
    expect(again.stdout).not.toContain('Re-run with --workdir');
    expect(await git('rev-parse', 'main')).toBe(headBefore);
    expect(await git('for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads/')).toBe(
      branchesBefore,
    );
    expect(runs.code, runs.stderr).toBe(0);
    // The ledger outlives the demo (<workdir>/ledger): status reads it after the process ended.
    const status = await chartPromoter('status', '--workdir', workdir, '--json');
    expect(status.code, status.stderr).toBe(0);
    expect((JSON.parse(status.stdout) as { releases: ReleaseRecord[] }).releases).toEqual(
      [...document.ledger].sort(
        (a, b) => a.chart.localeCompare(b.chart) || a.environment.localeCompare(b.environment),
      ),
    );
    const listed = JSON.parse(runs.stdout) as { runs: DemoRun[] };
    const n = document.runs.length;
    // The demo signs its charts: each .prov goes up first. On the first run its chart is not there
    // yet (ignored, CHART_NOT_YET_UPLOADED); on the second it re-runs the chart already there
    // (unchanged), then the chart's own upload is unchanged too.
    const provFirst = listed.runs.filter((run) => run.source?.endsWith('.prov'));
    expect(provFirst.map((run) => [run.status, run.code])).toEqual(
      Array(n).fill(['ignored', 'CHART_NOT_YET_UPLOADED']),
    );
    const uploads = listed.runs.filter((run) => run.kind === undefined && !run.source?.endsWith('.prov'));
    expect(uploads.map((run) => run.status)).toEqual([
      ...Array(n).fill('promoted'),
      ...Array(2 * n).fill('unchanged'),
    ]);
    expect(uploads.slice(0, n).every((run) => run.commit === document.runs[0]?.commit)).toBe(true);
    // The environment moves of the first run are in the run log too (kind "promotion").
    const moves = listed.runs
      .filter((run) => run.kind === 'promotion')
      .map((run) => [run.trigger, run.environment, run.status]);
    expect(
      moves.filter(([, environment, status]) => environment === 'staging' && status === 'committed'),
    ).toHaveLength(n);
    expect(
      moves.filter(([, environment, status]) => environment === 'prod' && status === 'branch-pushed'),
    ).toHaveLength(n);
  });
});

/**
 * The other half of "done": a commit Flux never applies. The same embedded runtime the demo runs,
 * with dev's convergeWithin at 1 s; the chart is committed and no Flux event ever comes. The
 * runtime's own clock (its deadline sweep, every 100 ms here) turns it not-converged.
 */
describe('demo runtime: a deliberately unapplied commit', () => {
  let workdir: string;
  let runtime: LocalRuntime;

  beforeAll(async () => {
    workdir = await mkdtemp(path.join(tmpdir(), 'demo-unapplied-'));
    runtime = await startLocalRuntime({
      workdir,
      policy: 'environments:\n  - name: dev\n    convergeWithin: 1s\n',
      deadlineSweepIntervalMs: 100,
    });
  });

  afterAll(async () => {
    await runtime?.close();
    await rm(workdir, { recursive: true, force: true });
  });

  it('turns not-converged after its short deadline, with the ReleaseNotConverged metric and a runs row', async () => {
    // Prepare
    await runtime.s3.client.send(
      new PutObjectCommand({
        Bucket: runtime.bucket,
        Key: `${runtime.prefix}unapplied-1.0.0.tgz`,
        Body: await buildChart('unapplied', '1.0.0'),
      }),
    );
    await runtime.idle();

    // Act: nothing posts a Flux event; wait (on the condition, not a sleep) for the sweep.
    const deadline = Date.now() + 60_000;
    let record: ReleaseRecord | undefined;
    while (record?.state !== 'not-converged' && Date.now() < deadline) {
      [record] = await runtime.ledger.list({ chart: 'unapplied', environment: 'dev' });
      if (record?.state !== 'not-converged') await new Promise((next) => setTimeout(next, 50));
    }

    // Assess
    expect(record).toMatchObject({ version: '1.0.0', state: 'not-converged', reason: 'DEADLINE' });
    expect(Date.parse(record!.since)).toBeGreaterThanOrEqual(Date.parse(record!.deadline!));
    expect(runtime.metrics.recorded).toContainEqual(
      expect.objectContaining({ name: 'ReleaseNotConverged', value: 1, dimensions: { environment: 'dev' } }),
    );
    const rows = (await readRunLog(runtime.runLog)).filter(isPromotionRecord);
    expect(rows).toContainEqual(
      expect.objectContaining({ chart: 'unapplied', status: 'not-converged', code: 'DEADLINE' }),
    );
  });
});
