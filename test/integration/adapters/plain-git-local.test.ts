import * as fs from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PlainGitHost } from '../../../functions/adapters/git-hosts/git/plain-git-host';
import type { GitHost } from '../../../functions/ports/git-host';
import { GitHostError } from '../../../functions/ports/git-host-error';
import { createBareRepo, type Git } from '../../support/bare-repo';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('PlainGitHost on a local path', () => {
  let root: string;
  let repo: string;
  let git: Git;

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'plain-git-local-'));
    repo = path.join(root, 'cluster.git');
    git = await createBareRepo(repo, { 'README.md': '# cluster\n' });
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('reports BRANCH_MOVED, and leaves the branch alone, while git holds the ref lock', async () => {
    // Prepare: a lock file as `git update-ref` holds it during its own update.
    const host = new PlainGitHost({ fs, remote: { path: repo } });
    const { head } = await host.snapshot('main', { files: [], trees: [] });
    const lock = path.join(repo, 'refs/heads/main.lock');
    await writeFile(lock, '');

    // Act
    const error = await host
      .commit('main', head, { message: 'mine', changes: [{ path: 'a.txt', content: text('a') }] })
      .catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(GitHostError);
    expect((error as GitHostError).code).toBe('BRANCH_MOVED');
    expect((error as GitHostError).message).toContain('main.lock');
    expect(await git('rev-parse', 'main')).toBe(head);
    expect(fs.existsSync(lock)).toBe(true);
  });

  it('reads and moves a branch that git packed into packed-refs', async () => {
    // Prepare
    await git('pack-refs', '--all');
    const packed = await git('rev-parse', 'main');
    expect(fs.existsSync(path.join(repo, 'refs/heads/main'))).toBe(false);
    const host = new PlainGitHost({ fs, remote: { path: repo } });
    const { head, files } = await host.snapshot('main', { files: ['README.md'], trees: [] });

    // Act
    const { sha } = await host.commit('main', head, {
      message: 'add a',
      changes: [{ path: 'a.txt', content: text('a\n') }],
    });

    // Assess
    expect(head).toBe(packed);
    expect(files.get('README.md')).toBe('# cluster\n');
    expect(await git('rev-parse', 'main')).toBe(sha);
    expect(fs.existsSync(path.join(repo, 'refs/heads/main.lock'))).toBe(false);
  });

  it('creates a missing branch only when none was expected, and moves any branch by force', async () => {
    // Prepare
    const host = new PlainGitHost({
      fs,
      remote: { path: repo },
      author: { name: 'bot', email: 'bot@example.invalid' },
      now: () => new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
    });
    const { head } = await host.snapshot('main', { files: [], trees: [] });
    const { sha } = await host.commit('main', head, {
      message: 'x',
      changes: [{ path: 'x', content: text('x') }],
    });

    // Act
    await host.setBranch('promote/demo-2.0.0', sha);
    const empty = await host.snapshot('nope', { files: ['README.md'], trees: [''] });
    const created = await host.commit('fresh', undefined, {
      message: 'root',
      changes: [{ path: 'r.txt', content: text('r') }],
    });
    const again = await host
      .commit('fresh', undefined, { message: 'root', changes: [{ path: 'r.txt', content: text('r') }] })
      .catch((e: unknown) => e);
    await host.setBranch('promote/demo-2.0.0', head as string);

    // Assess
    expect(empty.head).toBeUndefined();
    expect(empty.files.get('README.md')).toBeUndefined();
    expect(await git('rev-parse', 'fresh')).toBe(created.sha);
    expect(created.parent).toBeUndefined();
    expect((again as GitHostError).code).toBe('BRANCH_MOVED');
    expect(await git('rev-parse', 'promote/demo-2.0.0')).toBe(head);
    expect(await git('log', '-1', '--format=%an <%ae> %cn %ct', sha)).toBe(
      `bot <bot@example.invalid> bot ${Date.UTC(2026, 0, 2, 3, 4, 5) / 1000}`,
    );
    expect((host as GitHost).openPullRequest).toBeUndefined();
    await git('fsck', '--strict');
  });

  it('fails terminally with NOT_FOUND for a path that holds no repository', async () => {
    // Prepare
    const host = new PlainGitHost({ fs, remote: { path: path.join(root, 'nope.git') } });

    // Act
    const read = await host.snapshot('main', { files: [], trees: [] }).catch((e: unknown) => e);
    const write = await host
      .commit('main', undefined, { message: 'x', changes: [{ path: 'x', content: text('x') }] })
      .catch((e: unknown) => e);

    // Assess
    expect((read as GitHostError).code).toBe('NOT_FOUND');
    expect((write as GitHostError).code).toBe('NOT_FOUND');
    expect((write as GitHostError).retryable).toBe(false);
    expect(fs.existsSync(path.join(root, 'nope.git', 'refs'))).toBe(false);
  });
});
