import * as fs from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import git from 'isomorphic-git';
import http from 'isomorphic-git/http/node';
import type {
  ChangeSet,
  CommitResult,
  GitHost,
  RepoSnapshot,
  SnapshotRequest,
} from '../../functions/ports/git-host';
import { runGit } from '../../test/support/bare-repo';

/**
 * The clone-based write-back the anchors do (Kargo's git-clone/git-commit/git-push steps, Flux's
 * image-automation-controller, Argo CD Image Updater's git write-back): full clone with a working
 * tree, edit files, commit, push. As a GitHost, so the very same read → plan → commit code the
 * promote function runs (commitUploads) drives it and only the transport differs. No depth: the whole history of the
 * branch. Every snapshot is a fresh clone, as a fresh controller pod or job would do. Two tools: the
 * issue's isomorphic-git (pure JavaScript, what a Lambda could run), and the git CLI (what Kargo and
 * Argo CD Image Updater shell out to; much faster at indexing packs and checking out).
 */
export type CloneTool = 'isomorphic-git' | 'git-cli';

export class CloneBaselineHost implements GitHost {
  readonly kind = 'git' as const;
  readonly location: string;
  private dir: string | undefined;
  private readonly clones: string[] = [];

  constructor(
    private readonly url: string,
    private readonly tool: CloneTool = 'isomorphic-git',
  ) {
    this.location = url;
  }

  async snapshot(branch: string, request: SnapshotRequest): Promise<RepoSnapshot> {
    const dir = await mkdtemp(path.join(tmpdir(), 'bench-clone-'));
    this.clones.push(dir);
    this.dir = dir;
    if (this.tool === 'git-cli') {
      await runGit(dir, [
        'clone',
        '--quiet',
        '--single-branch',
        '--no-tags',
        '--branch',
        branch,
        this.url,
        '.',
      ]);
    } else {
      await git.clone({ fs, http, dir, url: this.url, ref: branch, singleBranch: true, noTags: true });
    }
    const head = await git.resolveRef({ fs, dir, ref: 'HEAD' });
    const files = new Map<string, string | undefined>();
    for (const file of request.files) {
      files.set(file, await readFile(path.join(dir, file), 'utf8').catch(() => undefined));
    }
    const trees = new Map<string, string | undefined>();
    for (const tree of request.trees) {
      const found = await git.readTree({ fs, dir, oid: head, filepath: tree }).catch(() => undefined);
      trees.set(tree, found?.oid);
    }
    return { head, files, trees };
  }

  async commit(
    branch: string,
    expectedHead: string | undefined,
    changeSet: ChangeSet,
  ): Promise<CommitResult> {
    const dir = this.dir;
    if (dir === undefined) throw new Error('commit before snapshot');
    for (const change of changeSet.changes) {
      const target = path.join(dir, change.path);
      if (change.content === null) {
        await rm(target, { force: true });
        if (this.tool === 'isomorphic-git') await git.remove({ fs, dir, filepath: change.path });
      } else {
        await mkdir(path.dirname(target), { recursive: true });
        await writeFile(target, change.content);
        if (this.tool === 'isomorphic-git') await git.add({ fs, dir, filepath: change.path });
      }
    }
    if (this.tool === 'git-cli') {
      await runGit(dir, ['add', '-A']);
      await runGit(dir, ['commit', '--quiet', '-F', '-'], changeSet.message);
      await runGit(dir, ['push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`]);
      return { sha: await runGit(dir, ['rev-parse', 'HEAD']), parent: expectedHead };
    }
    const sha = await git.commit({
      fs,
      dir,
      message: changeSet.message,
      author: { name: 'clone-baseline', email: 'bench@example.invalid' },
    });
    const pushed = await git.push({ fs, http, dir, ref: branch, remoteRef: branch });
    if (!pushed.ok) throw new Error(`push rejected: ${JSON.stringify(pushed.refs)}`);
    return { sha, parent: expectedHead };
  }

  /** Removes the clones (outside the timed part). */
  async cleanup(): Promise<void> {
    await Promise.all(this.clones.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  }
}
