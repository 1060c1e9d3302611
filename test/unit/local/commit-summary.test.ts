import * as fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureClusterRepository } from '../../../functions/local/cluster-repository';
import { summariseCommit } from '../../../functions/local/commit-summary';

const text = (s: string) => new TextEncoder().encode(s);

describe("summariseCommit (the demo's `git show --stat`-like view) and ensureClusterRepository", () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'commit-summary-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the repository once with a seed commit, and lists added, modified and deleted files', async () => {
    // Prepare
    const gitdir = path.join(dir, 'cluster.git');
    const host = await ensureClusterRepository(gitdir, 'main');
    const seed = await host.snapshot('main', { files: [], trees: [] });
    await host.commit('main', seed.head, {
      message: 'first\n',
      changes: [
        { path: 'charts/a/1.0.0/Chart.yaml', content: text('name: a\n') },
        { path: 'environments/dev/a.yaml', content: text('kind: HelmRelease\n') },
      ],
    });
    const middle = await host.snapshot('main', { files: [], trees: [] });
    const second = await host.commit('main', middle.head, {
      message: 'promote a 1.0.1 to dev\n\nbody line\n',
      changes: [
        { path: 'charts/a/1.0.1/Chart.yaml', content: text('name: a\nversion: 1.0.1\n') },
        { path: 'environments/dev/a.yaml', content: text('kind: HelmRelease\n# 1.0.1\n') },
        { path: 'charts/a/1.0.0/Chart.yaml', content: null },
      ],
    });

    // Act
    const again = await ensureClusterRepository(gitdir, 'main');
    const head = await again.snapshot('main', { files: ['README.md'], trees: [] });
    const summary = await summariseCommit(gitdir, second.sha);
    const seedSummary = await summariseCommit(gitdir, seed.head!);

    // Assess
    expect(head.head).toBe(second.sha);
    expect(fs.existsSync(path.join(gitdir, 'HEAD'))).toBe(true);
    expect(summary.message).toBe('promote a 1.0.1 to dev\n\nbody line\n');
    expect(summary.author).toMatch(/^chart-promoter </);
    expect([...summary.files].sort((a, b) => a.path.localeCompare(b.path))).toEqual([
      { path: 'charts/a/1.0.0/Chart.yaml', change: 'deleted' },
      { path: 'charts/a/1.0.1/Chart.yaml', change: 'added' },
      { path: 'environments/dev/a.yaml', change: 'modified' },
    ]);
    expect(seedSummary.files).toEqual([{ path: 'README.md', change: 'added' }]);
  });
});
