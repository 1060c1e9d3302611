/**
 * The cluster repository as the promotion domain sees it: read a few files at the branch head,
 * then commit a change set with compare-and-swap on that head. Adapters: one per Git host kind
 * (functions/adapters/git-hosts/registry.ts).
 */

export interface SnapshotRequest {
  /** Repository-relative file paths whose text is needed (absent files come back `undefined`). */
  readonly files: readonly string[];
  /** Repository-relative directory paths whose git tree object id is needed (absent: `undefined`). */
  readonly trees: readonly string[];
  /**
   * Repository-relative directory paths whose FILES are needed: every file below the directory,
   * recursively, as paths relative to it (sorted). Child names are their first segments. Absent
   * directory: `undefined`. Optional, so existing callers and adapters need not ask for it.
   */
  readonly directories?: readonly string[];
  /**
   * Repository-relative directory paths of which only existence is needed: whether the directory is
   * there (a file at the path, or nothing, is `false`). Cheaper than `trees` on hosts that expose no
   * tree ids (Bitbucket computes one from every file's bytes). Optional, like `directories`.
   */
  readonly exists?: readonly string[];
}

export interface RepoSnapshot {
  /** Commit id of the branch head the snapshot was read at; `undefined` for an empty repository. */
  readonly head: string | undefined;
  readonly files: ReadonlyMap<string, string | undefined>;
  /** Git tree object id (sha1 hex) of each requested directory. */
  readonly trees: ReadonlyMap<string, string | undefined>;
  /** The files below each requested directory (see `SnapshotRequest.directories`). */
  readonly directories?: ReadonlyMap<string, readonly string[] | undefined>;
  /** Whether each requested directory exists (see `SnapshotRequest.exists`). */
  readonly exists?: ReadonlyMap<string, boolean>;
}

/** A file to write (mode 100644, bytes) or to delete (`content: null`). */
export interface FileChange {
  readonly path: string;
  readonly content: Uint8Array | null;
}

export interface ChangeSet {
  /** Full commit message: subject line, blank line, body, trailers. */
  readonly message: string;
  readonly changes: readonly FileChange[];
}

export interface CommitResult {
  readonly sha: string;
  readonly parent: string | undefined;
}

export interface PullRequestRequest {
  readonly head: string;
  readonly base: string;
  readonly title: string;
  readonly body: string;
  /**
   * Labels the pull request must carry (added, never removed: labels a human set stay). A label the
   * repository does not have yet is created by the host. Optional, so existing callers need not set it.
   */
  readonly labels?: readonly string[];
}

export interface PullRequestResult {
  readonly number: number;
  readonly url: string;
  readonly created: boolean;
}

export interface GitHost {
  /** The kind of the host's descriptor (functions/adapters/git-hosts/registry.ts). */
  readonly kind: string;
  /** Human-readable location of the repository (URL or path) for logs and output. */
  readonly location: string;
  snapshot(branch: string, request: SnapshotRequest): Promise<RepoSnapshot>;
  /**
   * Commits `changeSet` on top of `expectedHead` and moves `branch` to it only if the branch still
   * points at `expectedHead` (`undefined`: the branch must not exist yet). Throws a retryable
   * `GitHostError` with code `BRANCH_MOVED` when another writer got there first.
   */
  commit(branch: string, expectedHead: string | undefined, changeSet: ChangeSet): Promise<CommitResult>;
  /** Creates `branch` at `sha` or moves it there (force); used for pull-request branches. */
  setBranch?(branch: string, sha: string): Promise<void>;
  /** Opens a pull request, or returns the open one for the same head (idempotent). */
  openPullRequest?(request: PullRequestRequest): Promise<PullRequestResult>;
}
