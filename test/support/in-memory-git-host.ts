import type {
  ChangeSet,
  CommitResult,
  GitHost,
  RepoSnapshot,
  SnapshotRequest,
} from '../../functions/ports/git-host';
import { GitHostError } from '../../functions/ports/git-host-error';
import { treeId } from '../../functions/ports/git-object-id';

/** Another writer's commit, applied to the files just before one of ours is compared-and-swapped. */
export type CompetingWrite = (files: Map<string, Uint8Array>) => void;

export interface RecordedCommit extends CommitResult {
  readonly message: string;
  readonly paths: readonly string[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * A real GitHost over a Map of files and a head counter: one branch, compare-and-swap commits, tree ids
 * computed as git would. `injectBranchMoved(k, write)` makes the next k commits lose the race to
 * another writer, whose change (`write`) lands first, as on a real host.
 */
export class InMemoryGitHost implements GitHost {
  readonly kind = 'git' as const;
  readonly location = 'memory://cluster';
  readonly files = new Map<string, Uint8Array>();
  readonly commits: RecordedCommit[] = [];
  snapshots = 0;
  head: string | undefined;
  private counter = 0;
  private readonly competitors: CompetingWrite[] = [];

  constructor(
    seed: Readonly<Record<string, string>> = {},
    readonly branch = 'main',
  ) {
    for (const [path, text] of Object.entries(seed)) this.files.set(path, encoder.encode(text));
    if (this.files.size > 0) this.head = this.nextSha();
  }

  text(path: string): string | undefined {
    const data = this.files.get(path);
    return data === undefined ? undefined : decoder.decode(data);
  }

  injectBranchMoved(times: number, write: CompetingWrite = () => {}): void {
    for (let i = 0; i < times; i++) this.competitors.push(write);
  }

  async snapshot(branch: string, request: SnapshotRequest): Promise<RepoSnapshot> {
    this.checkBranch(branch);
    this.snapshots++;
    const files = new Map(request.files.map((path) => [path, this.text(path)] as const));
    const trees = new Map(request.trees.map((dir) => [dir, this.treeIdOf(dir)] as const));
    const directories = new Map(
      (request.directories ?? []).map((dir) => [dir, this.filesUnder(dir)] as const),
    );
    const exists = new Map(
      (request.exists ?? []).map((dir) => [dir, this.treeIdOf(dir) !== undefined] as const),
    );
    return { head: this.head, files, trees, directories, exists };
  }

  async commit(
    branch: string,
    expectedHead: string | undefined,
    changeSet: ChangeSet,
  ): Promise<CommitResult> {
    this.checkBranch(branch);
    const competitor = this.competitors.shift();
    if (competitor) {
      competitor(this.files);
      this.head = this.nextSha();
    }
    if (this.head !== expectedHead) {
      throw new GitHostError('BRANCH_MOVED', `${branch} is at ${this.head}, not ${expectedHead}`);
    }
    for (const { path, content } of changeSet.changes) {
      if (content === null) this.files.delete(path);
      else this.files.set(path, content);
    }
    const result = { sha: this.nextSha(), parent: this.head };
    this.head = result.sha;
    this.commits.push({ ...result, message: changeSet.message, paths: changeSet.changes.map((c) => c.path) });
    return result;
  }

  private checkBranch(branch: string): void {
    if (branch !== this.branch) throw new GitHostError('NOT_FOUND', `no branch ${branch}`);
  }

  private nextSha(): string {
    this.counter++;
    return this.counter.toString(16).padStart(40, '0');
  }

  private filesUnder(dir: string): string[] | undefined {
    const prefix = `${dir}/`;
    const paths = [...this.files.keys()]
      .filter((path) => path.startsWith(prefix))
      .map((path) => path.slice(prefix.length));
    return paths.length === 0 ? undefined : paths.sort();
  }

  private treeIdOf(dir: string): string | undefined {
    const prefix = `${dir}/`;
    const files = [...this.files]
      .filter(([path]) => path.startsWith(prefix))
      .map(([path, data]) => ({ path: path.slice(prefix.length), data }));
    return files.length === 0 ? undefined : treeId(files);
  }
}
