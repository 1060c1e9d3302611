import type { RepoSnapshot, SnapshotRequest } from '../../../ports/git-host';
import { GitHostError } from '../../../ports/git-host-error';
import {
  blobId,
  type GitEntryMode,
  type GitTreeLeaf,
  treeIdOfLeaves,
} from '../../../promotion/git-object-id';
import { type BitbucketClient, bbqlString, encodePath } from './http-client';
import { RepoState, type SnapshotCache } from './snapshot-cache';

/**
 * Reads a snapshot through Bitbucket Cloud's REST API 2.0, whose operations (in Atlassian's OpenAPI
 * description) decide the shape of every read:
 *
 * - the branch head: `GET /refs/branches/{name}` (its `target.hash`); everything else is read at that
 *   commit, so the snapshot is consistent even while the branch moves;
 * - a file: `GET /src/{commit}/{path}` answers its raw bytes ("Content-Disposition: attachment"), or
 *   404; there is no multi-file read, so it is one request per file not already known;
 * - whether directories exist: one directory listing per top-level directory with `max_depth` deep
 *   enough and a `q` filter naming them (`path = "…" OR …`: "this API supports the Bitbucket
 *   querying/filtering syntax"), chunked to keep URLs short; pages are followed either way;
 * - tree ids: Bitbucket exposes none (a listing entry has a path, size and attributes, no object id),
 *   so the id of a directory that exists is computed from a recursive listing (`max_depth`) and every
 *   file's bytes, with the mode its attributes give (`executable`, `link`, `subrepository`).
 *
 * What was read is kept per commit (SnapshotCache); on the next snapshot at another head one
 * `GET /diffstat/{head}..{known}` (`topic=false`: the plain two-commit diff) says which paths differ,
 * and only those are read again. A warm function therefore reads only what changed.
 */

export interface BranchTip {
  readonly hash: string;
  readonly parents: readonly string[];
}

export interface SnapshotReaderOptions {
  readonly client: BitbucketClient;
  /** `repositories/<workspace>/<repo_slug>`, encoded. */
  readonly repoPath: string;
  readonly cache: SnapshotCache;
  /** File downloads in flight at once. @default 8 */
  readonly concurrency?: number;
  /** `max_depth` of recursive listings; deeper directories are listed again from there. @default 10 */
  readonly listingDepth?: number;
}

/** Paths differing between two commits beyond which reading afresh is cheaper than following them. */
const MAX_DIFFERING = 2_000;
/** Characters of one `q` filter, so a listing URL stays far below common 8 KiB URL limits. */
const MAX_FILTER_CHARS = 3_000;

const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

interface ListingEntry {
  readonly type: string;
  readonly path: string;
  readonly attributes?: unknown;
}

interface DiffStat {
  readonly old?: { readonly path?: string } | null;
  readonly new?: { readonly path?: string } | null;
}

interface BranchResource {
  readonly target?: { readonly hash?: string; readonly parents?: readonly { readonly hash?: string }[] };
}

const depthOf = (path: string): number => (path === '' ? 0 : path.split('/').length);
const within = (path: string, dir: string): boolean => path.startsWith(`${dir}/`);

const attributesOf = (entry: ListingEntry): string[] =>
  Array.isArray(entry.attributes)
    ? entry.attributes.filter((a): a is string => typeof a === 'string')
    : typeof entry.attributes === 'string'
      ? [entry.attributes]
      : [];

const modeOf = (attributes: readonly string[]): GitEntryMode =>
  attributes.includes('subrepository')
    ? '160000'
    : attributes.includes('link')
      ? '120000'
      : attributes.includes('executable')
        ? '100755'
        : '100644';

const mapLimit = async <T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> => {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
};

export class BitbucketSnapshotReader {
  readonly #client: BitbucketClient;
  readonly #repo: string;
  readonly #cache: SnapshotCache;
  readonly #concurrency: number;
  readonly #depth: number;

  constructor(options: SnapshotReaderOptions) {
    this.#client = options.client;
    this.#repo = options.repoPath;
    this.#cache = options.cache;
    this.#concurrency = options.concurrency ?? 8;
    this.#depth = options.listingDepth ?? 10;
  }

  /** The branch's head commit and its parents; undefined when the branch does not exist. */
  async branchTip(branch: string): Promise<BranchTip | undefined> {
    const url = this.#client.url(`${this.#repo}/refs/branches/${encodePath(branch)}`);
    const found = await this.#client.getJson<BranchResource>(`read branch ${branch}`, url, [404]);
    const hash = found?.target?.hash;
    if (hash === undefined) return undefined;
    return { hash, parents: (found?.target?.parents ?? []).flatMap((p) => (p.hash ? [p.hash] : [])) };
  }

  async read(branch: string, request: SnapshotRequest): Promise<RepoSnapshot> {
    const tip = await this.branchTip(branch);
    const directories = request.directories ?? [];
    if (tip === undefined) {
      return {
        head: undefined,
        files: new Map(request.files.map((f) => [f, undefined])),
        trees: new Map(request.trees.map((t) => [t, undefined])),
        directories: new Map(directories.map((d) => [d, undefined])),
      };
    }
    const state = await this.#stateAt(tip.hash);
    await this.#learn(state, request);
    this.#cache.store(state);
    const known = <T>(map: ReadonlyMap<string, T | null>, path: string): T | undefined =>
      map.get(path) ?? undefined;
    return {
      head: tip.hash,
      files: new Map(request.files.map((f) => [f, known(state.files, f)])),
      trees: new Map(request.trees.map((t) => [t, known(state.trees, t)])),
      directories: new Map(directories.map((d) => [d, known(state.directories, d)])),
    };
  }

  /** What the cache knows, carried to `head` (one diffstat request when it knew another commit). */
  async #stateAt(head: string): Promise<RepoState> {
    const latest = this.#cache.latest();
    if (latest === undefined) return new RepoState(head);
    if (latest.commit === head) return latest.copy();
    const differing = await this.#differing(latest.commit, head);
    return differing === undefined ? new RepoState(head) : latest.rebased(head, differing);
  }

  /** Paths that differ between two commits; undefined when Bitbucket cannot say (or too many). */
  async #differing(from: string, to: string): Promise<string[] | undefined> {
    // "First commit: the commit containing the changes; second: the state to compare it to";
    // topic=false asks for the plain two-commit diff, renames=false lists both sides of a rename.
    const url = this.#client.url(`${this.#repo}/diffstat/${to}..${from}`, {
      topic: 'false',
      renames: 'false',
      pagelen: '500',
    });
    const paths = new Set<string>();
    try {
      let next: string | undefined = url;
      while (next !== undefined) {
        const page: { values?: DiffStat[]; next?: string } | undefined = await this.#client.getJson(
          'compare commits',
          next,
          [404],
        );
        if (page === undefined) return undefined;
        for (const stat of page.values ?? []) {
          if (stat.old?.path) paths.add(stat.old.path);
          if (stat.new?.path) paths.add(stat.new.path);
        }
        if (paths.size > MAX_DIFFERING) return undefined;
        next = page.next === undefined ? undefined : this.#client.followed(page.next);
      }
    } catch (error) {
      // A diffstat that times out (555) only costs the cache: read afresh.
      if (error instanceof GitHostError && error.code === 'HOST_UNAVAILABLE') return undefined;
      throw error;
    }
    return [...paths];
  }

  /** Reads into `state` whatever `request` needs that it does not hold yet. */
  async #learn(state: RepoState, request: SnapshotRequest): Promise<void> {
    const dirs = [
      ...request.trees.filter((t) => !state.trees.has(t)),
      ...(request.directories ?? []).filter((d) => !state.directories.has(d)),
    ];
    // List only the outermost directories; what lies inside them comes from the same listing.
    const roots = [...new Set(dirs)].filter((d) => !dirs.some((o) => within(d, o)));
    const files = request.files.filter((f) => !state.files.has(f));
    const looseFiles = files.filter((f) => !roots.some((r) => within(f, r)));
    const [kinds] = await Promise.all([
      this.#kinds(state.commit, roots),
      mapLimit(looseFiles, this.#concurrency, async (f) =>
        state.files.set(f, await this.#fileText(state.commit, f)),
      ),
    ]);
    const existing = roots.filter((r) => kinds.get(r) === 'dir');
    for (const root of roots) {
      if (kinds.get(root) === 'dir') continue;
      for (const d of dirs.filter((d) => d === root || within(d, root))) {
        if (request.trees.includes(d)) state.trees.set(d, null);
        if (request.directories?.includes(d)) state.directories.set(d, null);
      }
      for (const f of files.filter((f) => within(f, root))) state.files.set(f, null);
    }
    await Promise.all(existing.map((root) => this.#learnDirectory(state, root, dirs, files, request)));
  }

  /** Lists `root` recursively; fills listings, tree ids (from every file's bytes) and files inside it. */
  async #learnDirectory(
    state: RepoState,
    root: string,
    dirs: readonly string[],
    files: readonly string[],
    request: SnapshotRequest,
  ): Promise<void> {
    const entries = await this.#listRecursively(state.commit, root);
    const leaves = entries.filter((e) => e.type === 'commit_file');
    const inside = (d: string) => leaves.filter((e) => within(e.path, d));
    const treesWanted = dirs.filter((d) => (d === root || within(d, root)) && request.trees.includes(d));
    const needBytes = new Set<string>();
    for (const t of treesWanted) for (const leaf of inside(t)) needBytes.add(leaf.path);
    const wantedFiles = files.filter((f) => within(f, root));
    const present = new Set(leaves.map((e) => e.path));
    for (const f of wantedFiles) if (present.has(f)) needBytes.add(f);
    const bytes = new Map<string, Uint8Array>();
    const byPath = new Map(leaves.map((e) => [e.path, e]));
    await mapLimit([...needBytes], this.#concurrency, async (path) => {
      const leaf = byPath.get(path)!;
      if (attributesOf(leaf).includes('lfs'))
        throw new GitHostError(
          'REQUEST_REJECTED',
          `${path} is stored in Git LFS: its git object id is not readable through the API`,
        );
      const read = await this.#fileBytes(state.commit, path);
      if (read !== undefined) bytes.set(path, read);
    });
    for (const f of wantedFiles) {
      const read = bytes.get(f);
      state.files.set(f, read === undefined ? null : decoder.decode(read));
    }
    for (const d of dirs.filter((d) => d === root || within(d, root))) {
      const under = inside(d);
      const exists = d === root || entries.some((e) => within(e.path, d));
      if (request.directories?.includes(d)) {
        state.directories.set(
          d,
          exists
            ? under
                .filter((e) => !attributesOf(e).includes('subrepository'))
                .map((e) => e.path.slice(d.length + 1))
                .sort()
            : null,
        );
      }
      if (request.trees.includes(d)) state.trees.set(d, exists ? this.#treeId(d, under, bytes) : null);
    }
  }

  #treeId(dir: string, leaves: readonly ListingEntry[], bytes: ReadonlyMap<string, Uint8Array>): string {
    const entries: GitTreeLeaf[] = leaves.map((leaf) => {
      const data = bytes.get(leaf.path);
      if (data === undefined)
        throw new GitHostError('HOST_UNAVAILABLE', `Bitbucket listed ${leaf.path} but did not serve it`);
      const mode = modeOf(attributesOf(leaf));
      // A submodule's "contents is the SHA1 of the repository pointed to" (src operation's description).
      const id = mode === '160000' ? decoder.decode(data).trim() : blobId(data);
      return { path: leaf.path.slice(dir.length + 1), mode, id };
    });
    return treeIdOfLeaves(entries);
  }

  /** Whether each path is a directory, a file or absent, in one filtered listing per top-level directory. */
  async #kinds(commit: string, paths: readonly string[]): Promise<Map<string, 'dir' | 'file'>> {
    const kinds = new Map<string, 'dir' | 'file'>();
    const groups = new Map<string, string[]>();
    for (const path of paths) {
      const top = depthOf(path) === 1 ? '' : path.split('/')[0]!;
      groups.set(top, [...(groups.get(top) ?? []), path]);
    }
    const requests: { top: string; chunk: string[] }[] = [];
    for (const [top, members] of groups) {
      let chunk: string[] = [];
      let chars = 0;
      for (const path of members) {
        const clause = `path = ${bbqlString(path)}`;
        if (chunk.length > 0 && chars + clause.length + 4 > MAX_FILTER_CHARS) {
          requests.push({ top, chunk });
          chunk = [];
          chars = 0;
        }
        chunk.push(path);
        chars += clause.length + 4;
      }
      if (chunk.length > 0) requests.push({ top, chunk });
    }
    await Promise.all(
      requests.map(async ({ top, chunk }) => {
        const depth = Math.max(...chunk.map((p) => depthOf(p) - depthOf(top)));
        const url = this.#client.url(
          `${this.#repo}/src/${commit}/${top === '' ? '' : `${encodePath(top)}/`}`,
          {
            max_depth: String(depth),
            pagelen: '100',
            q: chunk.map((p) => `path = ${bbqlString(p)}`).join(' OR '),
          },
        );
        const wanted = new Set(chunk);
        for (const entry of (await this.#listing(`look up ${top || '/'}`, url)) ?? []) {
          if (!wanted.has(entry.path)) continue;
          kinds.set(entry.path, entry.type === 'commit_directory' ? 'dir' : 'file');
        }
      }),
    );
    return kinds;
  }

  /** Every entry below `dir`; directories at the depth limit are listed again from there. */
  async #listRecursively(commit: string, dir: string): Promise<ListingEntry[]> {
    const url = this.#client.url(`${this.#repo}/src/${commit}/${encodePath(dir)}/`, {
      max_depth: String(this.#depth),
      pagelen: '100',
    });
    const entries = (await this.#listing(`list ${dir}`, url)) ?? [];
    const deepest = entries.filter(
      (e) => e.type === 'commit_directory' && depthOf(e.path) - depthOf(dir) >= this.#depth,
    );
    const deeper = await Promise.all(deepest.map((d) => this.#listRecursively(commit, d.path)));
    return [...entries, ...deeper.flat()];
  }

  /**
   * A directory listing's entries, following pages; undefined when the path does not exist or is a
   * file (Bitbucket then answers the file's bytes, "Content-Disposition: attachment").
   */
  async #listing(action: string, url: string): Promise<ListingEntry[] | undefined> {
    const entries: ListingEntry[] = [];
    let next: string | undefined = url;
    while (next !== undefined) {
      const answer = await this.#client.request(action, 'GET', next, { accept: [404] });
      if (answer.status === 404 || isFileAnswer(answer.headers)) return undefined;
      const page = JSON.parse(decoder.decode(answer.body)) as { values?: ListingEntry[]; next?: string };
      entries.push(...(page.values ?? []));
      next = page.next === undefined ? undefined : this.#client.followed(page.next);
    }
    return entries;
  }

  async #fileText(commit: string, path: string): Promise<string | null> {
    const bytes = await this.#fileBytes(commit, path);
    return bytes === undefined ? null : decoder.decode(bytes);
  }

  /** A file's raw bytes at `commit`; undefined when absent or a directory. */
  async #fileBytes(commit: string, path: string): Promise<Uint8Array | undefined> {
    const url = this.#client.url(`${this.#repo}/src/${commit}/${encodePath(path)}`);
    const answer = await this.#client.request(`read ${path}`, 'GET', url, { accept: [404, 301, 302] });
    if (answer.status === 404) return undefined;
    // "If the file is managed by LFS, then a 301 redirect pointing to Atlassian's media services platform is returned."
    if (answer.status === 301 || answer.status === 302)
      throw new GitHostError(
        'REQUEST_REJECTED',
        `${path} is stored in Git LFS; chart-promoter reads plain git files only`,
      );
    return isFileAnswer(answer.headers) ? answer.body : undefined;
  }
}

/** Raw file answers carry "Content-Disposition: attachment" (src operation's description); listings do not. */
const isFileAnswer = (headers: Headers): boolean =>
  /^\s*attachment/i.test(headers.get('content-disposition') ?? '');
