import type { RepoSnapshot, SnapshotRequest } from '../../../ports/git-host';
import { GitHostError } from '../../../ports/git-host-error';
import { blobId, type GitEntryMode, type GitTreeLeaf } from '../../../ports/git-object-id';
import { type BitbucketClient, bbqlString, encodePath } from './http-client';
import { RepoState, type SnapshotCache } from './snapshot-cache';

/**
 * Reads a snapshot through Bitbucket Cloud's REST API 2.0, whose operations (in Atlassian's OpenAPI
 * description) decide the shape of every read:
 *
 * - which paths exist, and where the branch is: a directory listing of the root at the branch name
 *   (`GET /src/{branch}/?max_depth=<deepest, at most 3>&q=path = "…" OR …`: listings are breadth-first
 *   to `max_depth`, and "this API supports the Bitbucket querying/filtering syntax"), whose entries
 *   carry "the commit that was used in the URL" — the head. Everything else is read at that commit
 *   (more look-ups when the filter would make the URL long, or a path is deeper), so the snapshot is
 *   consistent while the branch moves. `GET /refs/branches/{name}` instead when the listing cannot
 *   say: nothing to look up, no entry found, or a branch name with a slash.
 * - nothing is looked up that is already known at that commit (below), so a path known to exist is
 *   added to the look-up as an anchor: it dates the listing even when nothing new exists.
 * - a file: `GET /src/{commit}/{path}` answers its raw bytes ("Content-Disposition: attachment");
 *   there is no multi-file read, so it is one request per existing file not already known;
 * - tree ids: Bitbucket exposes none (a listing entry has a path, size and attributes, no object id),
 *   so the id of a directory that exists is computed from a recursive listing (`max_depth`) and every
 *   file's bytes, with the mode its attributes give (`executable`, `link`, `subrepository`). That is a
 *   request per file: callers that only need to know a directory is there ask `exists`, which the
 *   look-up above answers (an entry of type `commit_directory`) at no extra request.
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
/** Levels one look-up listing walks at most. */
const PROBE_DEPTH = 3;
/** Characters of one `q` filter, so a listing URL stays far below common 8 KiB URL limits. */
const MAX_FILTER_CHARS = 3_000;

const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

interface ListingEntry {
  readonly type: string;
  readonly path: string;
  readonly attributes?: unknown;
  readonly commit?: { readonly hash?: string };
}

/** What a probe learnt at one commit: the kind of each of `paths` that exists. */
interface Probe {
  readonly head: string | undefined;
  readonly kinds: ReadonlyMap<string, 'dir' | 'file'>;
  readonly paths: ReadonlySet<string>;
}

/**
 * Branch names that can stand in a `src/{commit}/` URL. Names with a slash cannot (Renovate's
 * Bitbucket platform reads such branches by their head commit for that reason); they are read through
 * `refs/branches/{name}` first, and so are names that look like a commit hash.
 */
const SHA = /^[0-9a-f]{40}$/;
const NAMEABLE = /^(?![0-9a-f]{7,40}$)[A-Za-z0-9][A-Za-z0-9._-]*$/;

interface DiffStat {
  readonly old?: { readonly path?: string } | null;
  readonly new?: { readonly path?: string } | null;
}

interface BranchResource {
  readonly target?: { readonly hash?: string; readonly parents?: readonly { readonly hash?: string }[] };
}

const depthOf = (path: string): number => (path === '' ? 0 : path.split('/').length);

/**
 * What `request` needs that `state` does not hold: files, directories (only the outermost listed), and
 * existence checks (a look-up says whether a path is a directory, in the same request as the rest).
 */
const needsOf = (state: RepoState | undefined, request: SnapshotRequest) => {
  const dirs = [
    ...new Set([
      ...request.trees.filter((t) => state?.tree(t) === undefined),
      ...(request.directories ?? []).filter((d) => state?.listing(d) === undefined),
    ]),
  ];
  const roots = dirs.filter((d) => !dirs.some((o) => within(d, o)));
  const files = request.files.filter((f) => !state?.files.has(f));
  const exists = [...new Set(request.exists ?? [])].filter((e) => state?.existence(e) === undefined);
  return { files, roots, dirs, exists };
};

/**
 * A path that existed at `state`'s commit and is no deeper than the probe's deepest path: likely to
 * still exist, so the probe learns the branch head even when none of the unknown paths exists.
 */
const anchorOf = (
  state: RepoState,
  request: SnapshotRequest,
  unknown: readonly string[],
): string | undefined => {
  const depth = Math.max(...unknown.map(depthOf));
  const candidates = [
    ...request.files.filter((f) => (state.files.get(f) ?? null) !== null),
    ...[...state.files].flatMap(([path, text]) => (text === null ? [] : [path])),
  ];
  return candidates.find((path) => depthOf(path) <= depth);
};

const emptySnapshot = (request: SnapshotRequest): RepoSnapshot => ({
  head: undefined,
  files: new Map(request.files.map((f) => [f, undefined])),
  trees: new Map(request.trees.map((t) => [t, undefined])),
  directories: new Map((request.directories ?? []).map((d) => [d, undefined])),
  exists: new Map((request.exists ?? []).map((e) => [e, false])),
});
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
    const asked = request.files.length + request.trees.length;
    if (asked + (request.directories?.length ?? 0) + (request.exists?.length ?? 0) === 0) {
      // Only the head is wanted: nothing to read at it, nothing to carry over.
      const tip = await this.branchTip(branch);
      return { ...emptySnapshot(request), head: tip?.hash };
    }
    const latest = this.#cache.latest();
    const first = needsOf(latest, request);
    let probe: Probe | undefined;
    // Files inside a directory to be listed come with its listing: no need to look them up. Files go
    // first: the first look-up, the one that dates the rest, should find something.
    const unknown = [
      ...first.files.filter((f) => !first.roots.some((r) => within(f, r))),
      ...first.roots,
      ...first.exists,
    ];
    if (unknown.length > 0 && NAMEABLE.test(branch)) {
      // One listing at the branch name says which paths exist AND, through the commit its entries
      // carry ("the commit that was used in the URL"), where the branch is: no separate branch read.
      const anchor = latest === undefined ? undefined : anchorOf(latest, request, unknown);
      const found = await this.#probe(branch, anchor === undefined ? unknown : [anchor, ...unknown]);
      if (found === 'missing') return emptySnapshot(request);
      probe = found;
    }
    let head = probe?.head;
    if (head === undefined) {
      const tip = await this.branchTip(branch);
      if (tip === undefined) return emptySnapshot(request);
      head = tip.hash;
    }
    const state = await this.#stateAt(head);
    await this.#learn(state, request, probe?.head === head ? probe : undefined);
    this.#cache.store(state);
    return {
      head,
      files: new Map(request.files.map((f) => [f, state.files.get(f) ?? undefined])),
      trees: new Map(request.trees.map((t) => [t, state.tree(t) ?? undefined])),
      directories: new Map((request.directories ?? []).map((d) => [d, state.listing(d) ?? undefined])),
      exists: new Map((request.exists ?? []).map((e) => [e, state.existence(e) ?? false])),
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

  /**
   * Reads into `state` whatever `request` needs that it does not hold yet. `probe`, when given, was
   * taken at this very commit: what it covered needs no second look.
   */
  async #learn(state: RepoState, request: SnapshotRequest, probe: Probe | undefined): Promise<void> {
    const { files, roots, dirs, exists } = needsOf(state, request);
    const probed = (path: string) => probe?.paths.has(path) ?? false;
    const unprobed = [...roots, ...exists].filter((r) => !probed(r));
    const looseFiles = files.filter((f) => !roots.some((r) => within(f, r)));
    const [late] = await Promise.all([
      unprobed.length === 0 ? undefined : this.#probe(state.commit, unprobed),
      mapLimit(looseFiles, this.#concurrency, async (f) => {
        // A probed path that is not a file needs no request: it is absent (or a directory).
        const text =
          probed(f) && probe?.kinds.get(f) !== 'file' ? null : await this.#fileText(state.commit, f);
        state.files.set(f, text);
      }),
    ]);
    const kindOf = (path: string) =>
      probed(path) ? probe?.kinds.get(path) : late === 'missing' ? undefined : late?.kinds.get(path);
    // Existence needs no listing: the look-up said whether each path is a directory.
    for (const e of exists) state.exists.set(e, kindOf(e) === 'dir');
    for (const root of roots) {
      if (kindOf(root) === 'dir') continue;
      for (const d of dirs.filter((d) => d === root || within(d, root))) {
        if (request.trees.includes(d)) state.trees.set(d, null);
        if (request.directories?.includes(d)) state.directories.set(d, null);
      }
      for (const f of files.filter((f) => within(f, root))) state.files.set(f, null);
    }
    const existing = roots.filter((r) => kindOf(r) === 'dir');
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
      if (!request.trees.includes(d)) continue;
      // The outermost wanted directory keeps its complete contents: ids inside it follow later too.
      if (!exists) state.trees.set(d, null);
      else if (!treesWanted.some((o) => within(d, o))) state.contents.set(d, this.#leaves(d, under, bytes));
    }
  }

  #leaves(
    dir: string,
    leaves: readonly ListingEntry[],
    bytes: ReadonlyMap<string, Uint8Array>,
  ): GitTreeLeaf[] {
    return leaves.map((leaf) => {
      const data = bytes.get(leaf.path);
      if (data === undefined)
        throw new GitHostError('HOST_UNAVAILABLE', `Bitbucket listed ${leaf.path} but did not serve it`);
      const mode = modeOf(attributesOf(leaf));
      // A submodule's "contents is the SHA1 of the repository pointed to" (src operation's description).
      const id = mode === '160000' ? decoder.decode(data).trim() : blobId(data);
      return { path: leaf.path.slice(dir.length + 1), mode, id };
    });
  }

  /**
   * Which of `paths` exist at `ref` (a commit, or a branch name) and as what: one breadth-first listing
   * of the root deep enough for the deepest path (`max_depth`), filtered to exactly these paths with
   * `q` (chunked so URLs stay short). Every entry names "the commit that was used in the URL", which
   * is how a branch name resolves here; entries that disagree (the branch moved between pages or
   * chunks) leave the head unknown. 'missing': the ref does not exist.
   */
  async #probe(ref: string, paths: readonly string[]): Promise<Probe | 'missing'> {
    // Paths deeper than PROBE_DEPTH are looked up from an ancestor, so no listing walks more than
    // PROBE_DEPTH levels (a breadth-first walk of the whole repository to the depth of a chart's
    // files would list every file of every chart version).
    const requests: { base: string; members: string[] }[] = [];
    const groups = new Map<string, string[]>();
    for (const path of new Set(paths)) {
      const base = path
        .split('/')
        .slice(0, Math.max(0, depthOf(path) - PROBE_DEPTH))
        .join('/');
      groups.set(base, [...(groups.get(base) ?? []), path]);
    }
    for (const [base, members] of groups) {
      let chunk: string[] = [];
      let chars = 0;
      for (const path of members) {
        const clause = `path = ${bbqlString(path)}`;
        if (chunk.length > 0 && chars + clause.length + 4 > MAX_FILTER_CHARS) {
          requests.push({ base, members: chunk });
          chunk = [];
          chars = 0;
        }
        chunk.push(path);
        chars += clause.length + 4;
      }
      if (chunk.length > 0) requests.push({ base, members: chunk });
    }
    const lookUp = async (at: string, { base, members }: { base: string; members: string[] }) => {
      const url = this.#client.url(
        `${this.#repo}/src/${encodeURIComponent(at)}/${base === '' ? '' : `${encodePath(base)}/`}`,
        {
          max_depth: String(Math.max(...members.map(depthOf)) - depthOf(base)),
          pagelen: '100',
          q: members.map((p) => `path = ${bbqlString(p)}`).join(' OR '),
        },
      );
      return { base, entries: await this.#listing('look up paths', url) };
    };
    const headOf = (entries: readonly ListingEntry[] | undefined) => {
      const heads = new Set(
        (entries ?? []).flatMap((e) => (e.commit?.hash === undefined ? [] : [e.commit.hash])),
      );
      return heads.size === 1 ? [...heads][0] : undefined;
    };
    // At a branch name, the first look-up goes alone and names the commit; the others are made at that
    // commit, so all of them see the same tree even while the branch moves.
    const [lead, ...rest] = requests;
    const first = await lookUp(ref, lead!);
    // The root always exists at an existing ref: its 404 means the ref (a branch) does not.
    if (first.base === '' && first.entries === undefined) return 'missing';
    const head = SHA.test(ref) ? ref : headOf(first.entries);
    const listed = [
      first,
      ...(head === undefined ? [] : await Promise.all(rest.map((r) => lookUp(head, r)))),
    ];
    const wanted = new Set(head === undefined ? lead!.members : paths);
    const kinds = new Map<string, 'dir' | 'file'>();
    for (const entry of listed.flatMap(({ entries }) => entries ?? [])) {
      if (wanted.has(entry.path)) kinds.set(entry.path, entry.type === 'commit_directory' ? 'dir' : 'file');
    }
    return { head, kinds, paths: wanted };
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
