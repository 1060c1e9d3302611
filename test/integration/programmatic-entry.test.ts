import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  commitUploads,
  createGitHost,
  HelmChartRenderer,
  intakeChart,
  moveSnapshotRequest,
  planEnvironmentMove,
  planUploads,
  readWithPolicy,
  systemClock,
} from 'chart-promoter';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBareRepo, type Git } from '../support/bare-repo';

/**
 * The package's programmatic entry, imported by the package's own name as a user would (the
 * `exports` of package.json): create a host from typed settings, inspect an archive, plan, commit.
 */
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const PODINFO = path.join(repoRoot, 'test/fixtures/charts/podinfo-6.14.1.tgz');

describe('programmatic entry (package.json "exports")', () => {
  let root: string;
  let repo: string;
  let git: Git;

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'entry-'));
    repo = path.join(root, 'cluster.git');
    git = await createBareRepo(repo, { 'README.md': '# cluster\n' });
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('names functions/index.ts as the package entry', () => {
    const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
      exports: Record<string, string>;
    };
    expect(manifest.exports['.']).toBe('./functions/index.ts');
    expect(HelmChartRenderer).toBeTypeOf('function');
  });

  it('inspects an archive, plans its promotion without committing, then commits it', async () => {
    // Prepare: a host from typed settings, a chart through intake (static checks).
    const { host } = await createGitHost('git', { repository: repo, workDir: path.join(root, 'work') });
    const inspected = await intakeChart(await readFile(PODINFO));
    if (!inspected.ok) throw new Error(JSON.stringify(inspected.refusals));
    const upload = {
      chart: inspected.chart,
      runId: 'entry-1',
      source: { bucket: 'charts', key: 'incoming/podinfo-6.14.1.tgz' },
    };
    const head = await git('rev-parse', 'main');

    // Act
    const plan = await planUploads(host, 'main', [upload], { fallbackEnvironment: 'dev' });
    const run = await commitUploads(host, 'main', [upload], {
      fallbackEnvironment: 'dev',
      clock: systemClock,
    });
    const again = await planUploads(host, 'main', [upload], { fallbackEnvironment: 'dev' });

    // Assess: planning changed nothing; the commit is the plan; planned again, nothing is left to do.
    expect(plan.environment).toBe('dev');
    expect(plan.outcomes.map((o) => o.status)).toEqual(['promoted']);
    expect(plan.changeSet?.changes.map((c) => c.path)).toContain('environments/dev/podinfo.yaml');
    expect(run.commit?.parent).toBe(head);
    expect(await git('rev-parse', 'main')).toBe(run.commit?.sha);
    expect(await git('show', 'main:environments/dev/podinfo.yaml')).toContain('./charts/podinfo/6.14.1');
    expect(again.changeSet).toBeUndefined();
    expect(again.outcomes.map((o) => o.status)).toEqual(['unchanged']);
  });

  it('plans an environment move on what the repository holds now', async () => {
    // Prepare
    const { host } = await createGitHost('git', { repository: repo, workDir: path.join(root, 'work') });
    const move = { kind: 'promote', chart: 'podinfo', version: '6.14.1', to: 'staging', runId: 'r' } as const;
    // Act
    const { snapshot, policy } = await readWithPolicy(host, 'main', 'dev', (_, previous) =>
      moveSnapshotRequest(move, previous),
    );
    const plan = planEnvironmentMove(snapshot, policy, move);
    // Assess: the default policy has one environment (dev).
    expect(plan).toMatchObject({ status: 'refused', code: 'ENVIRONMENT_UNKNOWN' });
  });
});
