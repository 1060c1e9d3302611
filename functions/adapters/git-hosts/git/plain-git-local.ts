import { GitHostError } from '../../../ports/git-host-error';
import { atomicWritesFs, type PlainGitFs } from './plain-git-fs';
import { hasCommit, type ObjectContext } from './plain-git-objects';
import { readLocalRef, swapLocalRef } from './plain-git-ref-lock';
import type { PlainGitTransport } from './plain-git-transport';

/**
 * A bare repository on a local path (the demo's cluster repository): no transport at all. Objects are
 * read and written in place; the branch moves with git's own ref lock, so the git CLI (and a
 * `git http-backend` serving the same repository) can write next to us safely.
 */
export class LocalPathTransport implements PlainGitTransport {
  readonly location: string;
  readonly objects: ObjectContext;
  readonly #fs: PlainGitFs;

  constructor(fs: PlainGitFs, gitdir: string) {
    this.#fs = fs;
    this.location = gitdir;
    this.objects = { fs: atomicWritesFs(fs), gitdir, cache: {} };
  }

  async head(branch: string): Promise<string | undefined> {
    await this.#exists();
    try {
      return await readLocalRef(this.#fs, this.location, `refs/heads/${branch}`);
    } catch (error) {
      if (error instanceof GitHostError) throw error;
      throw new GitHostError('NOT_FOUND', `cannot read branch ${branch} of ${this.location}`, {
        cause: error,
      });
    }
  }

  async load(branch: string, oid: string | undefined): Promise<void> {
    await this.#exists();
    if (oid !== undefined && !(await hasCommit(this.objects, oid))) {
      throw new GitHostError('BRANCH_MOVED', `${oid} is not a commit of ${this.location} (branch ${branch})`);
    }
  }

  async publish(branch: string, expected: string | undefined | 'any', next: string): Promise<void> {
    await this.#exists();
    await swapLocalRef(this.#fs, this.location, `refs/heads/${branch}`, expected, next);
  }

  /** A wrong path must not read as an empty repository (nor get refs written into a stray directory). */
  async #exists(): Promise<void> {
    const isRepository = await this.#fs.promises.stat(`${this.location}/objects`).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (!isRepository) throw new GitHostError('NOT_FOUND', `${this.location} is not a git repository`);
  }
}
