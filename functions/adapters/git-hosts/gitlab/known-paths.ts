/**
 * What recent snapshots learnt about which paths exist at a commit. Commits never change, so this is
 * never stale; it saves the existence read before a commit (GitLab needs `create` vs `update`) in the
 * usual promotion, whose changes are the files and chart directories its snapshot just read.
 */

const COMMITS_KEPT = 16;

interface Knowledge {
  readonly files: Map<string, boolean>;
  readonly absentDirs: Set<string>;
}

export class KnownPaths {
  readonly #byCommit = new Map<string, Knowledge>();

  record(
    commit: string,
    seen: {
      readonly files: ReadonlyMap<string, string | undefined>;
      readonly trees: ReadonlyMap<string, string | undefined>;
      readonly exists?: ReadonlyMap<string, boolean>;
    },
  ): void {
    const knowledge = this.#byCommit.get(commit) ?? { files: new Map(), absentDirs: new Set() };
    for (const [path, text] of seen.files) knowledge.files.set(path, text !== undefined);
    for (const [dir, id] of seen.trees) if (id === undefined) knowledge.absentDirs.add(dir);
    for (const [dir, there] of seen.exists ?? []) if (!there) knowledge.absentDirs.add(dir);
    this.#byCommit.delete(commit);
    this.#byCommit.set(commit, knowledge);
    if (this.#byCommit.size > COMMITS_KEPT) this.#byCommit.delete(this.#byCommit.keys().next().value!);
  }

  /** true / false when known at `commit`, undefined when not. */
  exists(commit: string, path: string): boolean | undefined {
    const knowledge = this.#byCommit.get(commit);
    if (!knowledge) return undefined;
    const file = knowledge.files.get(path);
    if (file !== undefined) return file;
    for (const dir of knowledge.absentDirs) if (path.startsWith(`${dir}/`)) return false;
    return undefined;
  }
}
