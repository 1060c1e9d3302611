import type { ObjectContext } from './plain-git-objects';

/**
 * Where the plain-git adapter's objects live and how its branch moves: a local bare repository
 * (objects written in place, ref moved with git's lock protocol) or a smart-HTTP remote (objects
 * written in a local work gitdir, then pushed).
 */
export interface PlainGitTransport {
  readonly location: string;
  readonly objects: ObjectContext;
  /** The branch head, with its commit and tree readable in `objects` (`undefined`: no such branch). */
  head(branch: string): Promise<string | undefined>;
  /**
   * Makes commit `oid` (expected at the branch head) readable in `objects`, BRANCH_MOVED if it cannot;
   * `undefined` (a new branch): only checks the repository is there, before objects are written.
   */
  load(branch: string, oid: string | undefined): Promise<void>;
  /** Moves `branch` from `expected` to `next` with compare-and-swap (BRANCH_MOVED), or by force. */
  publish(branch: string, expected: string | undefined | 'any', next: string): Promise<void>;
}
