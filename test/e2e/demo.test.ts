import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { isolatedToolEnv, runFile } from '../../functions/adapters/exec-file';
import { KubectlKustomize } from '../../functions/adapters/kubectl-kustomize';
import { layerBinaryPath } from '../../functions/adapters/layer-binaries';
import { validateHelmRelease } from '../../functions/promotion/flux-schema';
import { runGit } from '../support/bare-repo';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const bin = path.join(repoRoot, 'bin', 'chart-promoter');

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

interface DemoRun {
  readonly chart: string;
  readonly version: string;
  readonly environment: string;
  readonly status: string;
  readonly commit: string | null;
}

/** The real command in its own process, from another directory, as a newcomer runs it. */
const chartPromoter = (...args: string[]): Promise<Run> =>
  new Promise((done) => {
    execFile(bin, args, { cwd: tmpdir(), timeout: 90_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      done({ code, stdout, stderr });
    });
  });

describe('chart-promoter demo --json (the whole pipeline, real helm, real git, real s3rver)', () => {
  let workdir: string;
  let first: Run;
  let document: { clusterRepo: string; runs: DemoRun[] };
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
    // One batch, one commit, and it is the branch head of the cluster repository.
    const commits = new Set(document.runs.map((run) => run.commit));
    expect(commits.size).toBe(1);
    const [commit] = [...commits] as [string];
    const git = (...args: string[]) => runGit(workdir, ['--git-dir', document.clusterRepo, ...args]);
    expect(await git('cat-file', '-t', commit)).toBe('commit');
    expect(await git('rev-parse', 'main')).toBe(commit);
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

    // Act
    const again = await chartPromoter('demo', '--json', '--workdir', workdir);
    const runs = await chartPromoter('runs', '--workdir', workdir, '--json');

    // Assess
    expect(again.code, again.stderr).toBe(0);
    const second = JSON.parse(again.stdout) as { runs: DemoRun[] };
    expect(second.runs.map((run) => [run.chart, run.status, run.commit])).toEqual(
      document.runs.map((run) => [run.chart, 'unchanged', null]),
    );
    expect(await git('rev-parse', 'main')).toBe(headBefore);
    expect(runs.code, runs.stderr).toBe(0);
    const listed = JSON.parse(runs.stdout) as { runs: DemoRun[] };
    const n = document.runs.length;
    expect(listed.runs.map((run) => run.status)).toEqual([
      ...Array(n).fill('promoted'),
      ...Array(n).fill('unchanged'),
    ]);
    expect(listed.runs.slice(0, n).every((run) => run.commit === headBefore)).toBe(true);
  });
});
