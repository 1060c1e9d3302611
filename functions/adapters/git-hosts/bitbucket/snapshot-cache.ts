import type { FileChange } from '../../../ports/git-host';
import { blobId, treeIdOfLeaves } from '../../../promotion/git-object-id';

/**
 * What is known about the repository at one commit: file texts, directory tree ids and file listings,
 * each with `null` for "absent". Bitbucket's API reads one file per request and exposes no tree ids
 * (they are computed from every file's bytes), so a warm function keeps this across invocations.
 * It is never stale: everything is keyed by a commit (immutable), and moving it to another commit
 * drops exactly the paths that differ between the two (Bitbucket's diffstat, or our own change set).
 */
export class RepoState {
  readonly files = new Map<string, string | null>();
  readonly trees = new Map<string, string | null>();
  readonly directories = new Map<string, readonly string[] | null>();

  constructor(readonly commit: string) {}

  /** The same knowledge at another commit, minus every entry related to a path that differs. */
  rebased(commit: string, differing: Iterable<string>): RepoState {
    const changed = new Set(differing);
    const ancestorsOfChanged = new Set([...changed].flatMap(ancestors));
    const stale = (path: string) =>
      changed.has(path) || ancestorsOfChanged.has(path) || ancestors(path).some((a) => changed.has(a));
    return this.#copy(commit, (path) => !stale(path));
  }

  /** A copy at the same commit (each snapshot adds to its own copy). */
  copy(): RepoState {
    return this.#copy(this.commit, () => true);
  }

  /**
   * The knowledge at `commit`, made from this commit by `changes` (all files written with mode 100644,
   * as the commit endpoint does without `x-attributes`): files become known, directories that were
   * absent and only gained files get their tree id and listing, anything less certain is dropped.
   */
  committed(commit: string, changes: readonly FileChange[]): RepoState {
    const next = this.rebased(commit, []);
    const decoder = new TextDecoder();
    for (const { path, content } of changes) {
      for (const map of [next.files, next.trees, next.directories]) {
        for (const key of [...map.keys()]) if (key !== path && related(key, path)) map.delete(key);
      }
      next.files.set(path, content === null ? null : decoder.decode(content));
    }
    for (const [dir, before] of this.trees) {
      const under = changes.filter((c) => c.path.startsWith(`${dir}/`));
      if (under.length === 0) continue;
      const onlyAdded = before === null && under.every((c) => c.content !== null);
      if (!onlyAdded) {
        next.trees.delete(dir);
        continue;
      }
      const leaves = under.map((c) => ({
        path: c.path.slice(dir.length + 1),
        mode: '100644' as const,
        id: blobId(c.content!),
      }));
      next.trees.set(dir, treeIdOfLeaves(leaves));
    }
    for (const [dir, before] of this.directories) {
      const under = changes.filter((c) => c.path.startsWith(`${dir}/`));
      if (under.length === 0) continue;
      const listing = new Set(before ?? []);
      for (const c of under) {
        const relative = c.path.slice(dir.length + 1);
        if (c.content === null) listing.delete(relative);
        else listing.add(relative);
      }
      // git keeps no empty directories.
      next.directories.set(dir, listing.size === 0 ? null : [...listing].sort());
    }
    return next;
  }

  #copy(commit: string, keep: (path: string) => boolean): RepoState {
    const next = new RepoState(commit);
    for (const [path, value] of this.files) if (keep(path)) next.files.set(path, value);
    for (const [path, value] of this.trees) if (keep(path)) next.trees.set(path, value);
    for (const [path, value] of this.directories) if (keep(path)) next.directories.set(path, value);
    return next;
  }

  /** Entries and (roughly) bytes held, for the cache's bounds. */
  size(): { entries: number; bytes: number } {
    let bytes = 0;
    for (const [path, text] of this.files) bytes += path.length + (text?.length ?? 0);
    for (const [path, listing] of this.directories)
      bytes += path.length + (listing ?? []).reduce((n, p) => n + p.length, 0);
    return { entries: this.files.size + this.trees.size + this.directories.size, bytes };
  }
}

/** `a/b/c` → [`a`, `a/b`]. */
const ancestors = (path: string): string[] => {
  const parts = path.split('/');
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
};

/** Same path, or one inside the other. */
const related = (a: string, b: string): boolean => a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);

export interface SnapshotCacheLimits {
  /** Files, trees and listings remembered. @default 20000 */
  readonly maxEntries: number;
  /** Characters of file text and listings remembered. @default 32 MiB */
  readonly maxBytes: number;
}

const DEFAULT_LIMITS: SnapshotCacheLimits = { maxEntries: 20_000, maxBytes: 32 * 1024 * 1024 };

/**
 * The latest RepoState of one repository, shared by the host instances of a process (a warm Lambda
 * keeps it across invocations). Concurrent snapshots each work on a copy and store it when done; the
 * last one stored wins, which is only ever a question of how much is re-read, never of correctness.
 */
export class SnapshotCache {
  #latest: RepoState | undefined;
  readonly #limits: SnapshotCacheLimits;

  constructor(limits: Partial<SnapshotCacheLimits> = {}) {
    this.#limits = { ...DEFAULT_LIMITS, ...limits };
  }

  latest(): RepoState | undefined {
    return this.#latest;
  }

  store(state: RepoState): void {
    const { entries, bytes } = state.size();
    // Over the bounds: start again from what this snapshot needed rather than evict piecemeal.
    this.#latest = entries > this.#limits.maxEntries || bytes > this.#limits.maxBytes ? undefined : state;
  }

  /** After a commit of `changes` on `parent`: what was known at the parent carries over. */
  committed(parent: string | undefined, commit: string, changes: readonly FileChange[]): void {
    const latest = this.#latest;
    if (parent !== undefined && latest?.commit === parent) this.store(latest.committed(commit, changes));
  }

  clear(): void {
    this.#latest = undefined;
  }
}
