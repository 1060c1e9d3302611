import type { FileChange } from '../../../ports/git-host';
import { blobId, type GitTreeLeaf, treeIdOfLeaves } from '../../../ports/git-object-id';

/**
 * What is known about the repository at one commit: file texts, tree ids and file listings of
 * directories, and the complete contents (paths, modes, blob ids) of some directories, each with
 * `null` for "absent". Bitbucket's API reads one file per request and exposes no tree ids (they are
 * computed from every file's bytes), so a warm function keeps this across invocations. It is never
 * stale: everything is keyed by a commit (immutable), and moving it to another commit drops exactly
 * what lies on the paths that differ between the two (Bitbucket's diffstat, or our own change set).
 */
export class RepoState {
  readonly files = new Map<string, string | null>();
  readonly trees = new Map<string, string | null>();
  readonly directories = new Map<string, readonly string[] | null>();
  /** Whether a directory exists, where nothing more about it was needed. */
  readonly exists = new Map<string, boolean>();
  /** Every non-directory entry below a directory, paths relative to it: any tree id inside it follows. */
  readonly contents = new Map<string, readonly GitTreeLeaf[]>();

  constructor(readonly commit: string) {}

  /** The tree id of `path` (null: absent), from what is held; undefined when unknown. */
  tree(path: string): string | null | undefined {
    if (this.trees.has(path)) return this.trees.get(path)!;
    const leaves = this.#leavesOf(path);
    if (leaves === undefined) return undefined;
    return leaves === null || leaves.length === 0 ? null : treeIdOfLeaves(leaves);
  }

  /**
   * Whether `path` is a directory, from what is held (its own entry, a tree id, a listing, or a file
   * known to exist below it); undefined when unknown.
   */
  existence(path: string): boolean | undefined {
    const known = this.exists.get(path);
    if (known !== undefined) return known;
    const tree = this.tree(path);
    if (tree !== undefined) return tree !== null;
    const listing = this.listing(path);
    if (listing !== undefined) return listing !== null;
    for (const [file, text] of this.files) if (text !== null && file.startsWith(`${path}/`)) return true;
    return undefined;
  }

  /** The files below `path`, relative and sorted (null: absent), from what is held; undefined when unknown. */
  listing(path: string): readonly string[] | null | undefined {
    if (this.directories.has(path)) return this.directories.get(path)!;
    const leaves = this.#leavesOf(path);
    if (leaves === undefined) return undefined;
    if (leaves === null || leaves.length === 0) return null;
    return leaves.flatMap((l) => (l.mode === '160000' ? [] : [l.path])).sort();
  }

  /** Leaves below `path` relative to it, from the nearest directory whose contents are known; null: `path` is a file. */
  #leavesOf(path: string): readonly GitTreeLeaf[] | null | undefined {
    for (const dir of [path, ...ancestors(path).reverse()]) {
      const leaves = this.contents.get(dir);
      if (leaves === undefined) continue;
      const relative = path === dir ? '' : path.slice(dir.length + 1);
      if (leaves.some((l) => l.path === relative)) return null;
      if (relative === '') return leaves;
      return leaves.flatMap((l) =>
        l.path.startsWith(`${relative}/`) ? [{ ...l, path: l.path.slice(relative.length + 1) }] : [],
      );
    }
    return undefined;
  }

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
   * as the commit endpoint does without `x-attributes`): written files become known, directories
   * whose contents were known (or that were absent and only gained files) follow exactly, anything
   * less certain is dropped.
   */
  committed(commit: string, changes: readonly FileChange[]): RepoState {
    const next = this.#copy(commit, (path) => !changes.some((c) => related(path, c.path)));
    const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
    for (const { path, content } of changes) {
      next.files.set(path, content === null ? null : decoder.decode(content));
      // A written file's directories exist now; a deletion may have emptied them (left unknown).
      if (content !== null) for (const dir of ancestors(path)) next.exists.set(dir, true);
    }
    const under = (dir: string) => changes.filter((c) => c.path.startsWith(`${dir}/`));
    const apply = (dir: string, before: readonly GitTreeLeaf[]) => {
      const leaves = new Map(before.map((l) => [l.path, l]));
      for (const c of under(dir)) {
        const relative = c.path.slice(dir.length + 1);
        if (c.content === null) leaves.delete(relative);
        else leaves.set(relative, { path: relative, mode: '100644', id: blobId(c.content) });
      }
      // git keeps no empty directories.
      if (leaves.size === 0) next.trees.set(dir, null);
      else next.contents.set(dir, [...leaves.values()]);
    };
    for (const [dir, leaves] of this.contents) {
      if (!changes.some((c) => c.path === dir || dir.startsWith(`${c.path}/`))) apply(dir, leaves);
    }
    for (const [dir, id] of this.trees) {
      const writes = under(dir);
      if (id === null && writes.length > 0 && writes.every((c) => c.content !== null)) apply(dir, []);
    }
    for (const [dir, before] of this.directories) {
      if (before === null || under(dir).length === 0) continue;
      const listing = new Set(before);
      for (const c of under(dir)) {
        const relative = c.path.slice(dir.length + 1);
        if (c.content === null) listing.delete(relative);
        else listing.add(relative);
      }
      next.directories.set(dir, listing.size === 0 ? null : [...listing].sort());
    }
    return next;
  }

  #copy(commit: string, keep: (path: string) => boolean): RepoState {
    const next = new RepoState(commit);
    for (const [path, value] of this.files) if (keep(path)) next.files.set(path, value);
    for (const [path, value] of this.trees) if (keep(path)) next.trees.set(path, value);
    for (const [path, value] of this.directories) if (keep(path)) next.directories.set(path, value);
    for (const [path, value] of this.exists) if (keep(path)) next.exists.set(path, value);
    for (const [path, value] of this.contents) if (keep(path)) next.contents.set(path, value);
    return next;
  }

  /** Entries and (roughly) bytes held, for the cache's bounds. */
  size(): { entries: number; bytes: number } {
    let bytes = 0;
    let entries = this.files.size + this.trees.size + this.directories.size + this.exists.size;
    for (const [path, text] of this.files) bytes += path.length + (text?.length ?? 0);
    for (const [path, listing] of this.directories)
      bytes += path.length + (listing ?? []).reduce((n, p) => n + p.length, 0);
    for (const [path, leaves] of this.contents) {
      entries += leaves.length;
      bytes += path.length + leaves.reduce((n, l) => n + l.path.length + 48, 0);
    }
    return { entries, bytes };
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
  /** Files, trees, listings and directory entries remembered. @default 50000 */
  readonly maxEntries: number;
  /** Characters of file text and paths remembered. @default 32 MiB */
  readonly maxBytes: number;
}

const DEFAULT_LIMITS: SnapshotCacheLimits = { maxEntries: 50_000, maxBytes: 32 * 1024 * 1024 };

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
    // Over the bounds: start again from what the next snapshot needs rather than evict piecemeal.
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
