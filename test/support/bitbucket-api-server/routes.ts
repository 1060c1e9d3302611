import { type GitStore, type TreeEntry, ZERO_SHA } from '../github-api-server/git-store';
import { createTree, TreeEditError } from '../github-api-server/tree-builder';
import { type Filter, FilterError, parseFilter } from './bbql';
import { parseCommitForm } from './commit-form';
import { type PullStore, pullResource } from './pulls';
import {
  branchResource,
  commitResource,
  diffstatResource,
  directoryEntry,
  fileEntry,
  page,
  type RepoContext,
  USER,
} from './resources';

/**
 * The operations of the stand-in, keyed by the OpenAPI path they implement, each behaving as its
 * description in Atlassian's OpenAPI document says (quotes beside the code; the catalogue with
 * sources is README.md).
 */

export interface RouteContext {
  readonly store: GitStore;
  readonly pulls: PullStore;
  readonly repo: RepoContext;
  readonly params: Readonly<Record<string, string>>;
  /** The request URL as the client sent it (absolute, for `next` links). */
  readonly url: URL;
  readonly raw: Buffer;
  readonly contentType: string;
  /** Send `Location: …/commit/<sha>` on commits (not in the description; see README.md). */
  readonly commitLocation: boolean;
  /** Records a way the request broke the description or left what the stand-in can reproduce. */
  problem(message: string): void;
}

export interface RouteResult {
  readonly status: number;
  /** JSON value, or raw bytes (a file's contents), or undefined (no body). */
  readonly body?: unknown;
  readonly raw?: Uint8Array;
  readonly headers?: Readonly<Record<string, string>>;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface Route {
  readonly method: string;
  /** OpenAPI path (under basePath /2.0), also the request-count key. */
  readonly path: string;
  readonly pattern: RegExp;
  readonly handle: (ctx: RouteContext) => Promise<RouteResult>;
}

const REPO = '^/2\\.0/repositories/(?<workspace>[^/]+)/(?<repo_slug>[^/]+)';
const SHA = /^[0-9a-f]{40}$/;
const IDENTITY = { name: USER.display_name, email: 'chart-promoter@bitbucket.example' };

/** A commit named by sha (full or a prefix of at least 7) or by branch name; undefined when unknown. */
const resolveCommit = async (store: GitStore, ref: string): Promise<string | undefined> => {
  if (SHA.test(ref)) return (await store.objectType(ref)) === 'commit' ? ref : undefined;
  if (/^[0-9a-f]{7,39}$/.test(ref)) {
    const full = await store.text(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).catch(() => '');
    if (full) return full;
  }
  return store.resolveBranch(ref);
};

/** The tree entry at `path` below `tree` ('' is the tree itself). */
const entryAt = async (
  store: GitStore,
  tree: string,
  path: string,
): Promise<Pick<TreeEntry, 'mode' | 'type' | 'sha' | 'size'> | undefined> => {
  let current: Pick<TreeEntry, 'mode' | 'type' | 'sha' | 'size'> = {
    mode: '040000',
    type: 'tree',
    sha: tree,
    size: undefined,
  };
  for (const part of path.split('/').filter((p) => p !== '')) {
    if (current.type !== 'tree') return undefined;
    const found = (await store.readTree(current.sha)).find((e) => e.name === part);
    if (!found) return undefined;
    current = found;
  }
  return current;
};

/** The attribute list a file entry carries ("link", "executable", "subrepository", "binary"). */
const attributesOf = async (store: GitStore, entry: TreeEntry): Promise<string[]> => {
  if (entry.type === 'commit') return ['subrepository'];
  if (entry.mode === '120000') return ['link'];
  const attributes = entry.mode === '100755' ? ['executable'] : [];
  // Git's own test: a NUL byte in the first 8000 bytes.
  if ((entry.size ?? 0) > 0 && (await store.readBlob(entry.sha)).subarray(0, 8000).includes(0))
    attributes.push('binary');
  return attributes;
};

const CONTENT_TYPES: Record<string, string> = {
  yaml: 'text/yaml',
  yml: 'text/yaml',
  json: 'application/json',
  md: 'text/markdown',
  txt: 'text/plain',
  tpl: 'text/plain',
};

/** GET …/src/{commit}/{path}: a file's raw bytes, or a (filtered, paginated) directory listing. */
const getSource = async (ctx: RouteContext): Promise<RouteResult> => {
  const { store, repo, params, url } = ctx;
  const commit = await resolveCommit(store, params.commit!);
  if (!commit) throw new HttpError(404, `Commit not found: ${params.commit}`);
  const path = (params.path ?? '')
    .split('/')
    .filter((p) => p !== '')
    .join('/');
  const entry = await entryAt(store, (await store.readCommit(commit)).tree, path);
  if (!entry) throw new HttpError(404, `No such file or directory: ${path}`);
  if (url.searchParams.has('format')) ctx.problem('the stand-in does not implement format=meta/rendered');
  if (url.searchParams.has('sort')) ctx.problem('the stand-in does not implement sort on listings');
  if (entry.type !== 'tree') {
    const name = path.slice(path.lastIndexOf('/') + 1);
    const data = entry.type === 'commit' ? Buffer.from(entry.sha) : await store.readBlob(entry.sha);
    return {
      status: 200,
      raw: data,
      headers: {
        // "The response's Content-Type is derived from the filename extension (not from the contents)";
        // "The Content-Disposition header will be 'attachment'".
        'content-type': CONTENT_TYPES[name.slice(name.lastIndexOf('.') + 1)] ?? 'application/octet-stream',
        'content-disposition': `attachment; filename="${name}"`,
      },
    };
  }
  const maxDepth = Number(url.searchParams.get('max_depth') ?? 1);
  let filter: Filter | undefined;
  const q = url.searchParams.get('q');
  if (q !== null) {
    try {
      filter = parseFilter(q, ['path', 'type', 'size', 'attributes']);
    } catch (error) {
      if (!(error instanceof FilterError)) throw error;
      ctx.problem(`listing filter: ${error.message}`);
      throw new HttpError(400, error.message);
    }
  }
  // "max_depth … will do a breadth-first search", "in the same order as the underlying SCM".
  const found: { path: string; entry: TreeEntry }[] = [];
  let level = [{ path, tree: entry.sha }];
  for (let depth = 1; depth <= maxDepth && level.length > 0; depth++) {
    const nextLevel: { path: string; tree: string }[] = [];
    for (const dir of level) {
      for (const child of await store.readTree(dir.tree)) {
        const childPath = dir.path === '' ? child.name : `${dir.path}/${child.name}`;
        found.push({ path: childPath, entry: child });
        if (child.type === 'tree') nextLevel.push({ path: childPath, tree: child.sha });
      }
    }
    level = nextLevel;
  }
  // Attributes cost a blob read (binary detection): only for what the filter needs or keeps.
  const needsAttributes = q !== null && /attributes/.test(q);
  const withAttributes = await Promise.all(
    found.map(async (f) => ({
      ...f,
      attributes: f.entry.type === 'tree' || !needsAttributes ? [] : await attributesOf(store, f.entry),
    })),
  );
  const keep = (f: (typeof withAttributes)[number]) =>
    filter === undefined ||
    filter((field) =>
      field === 'path'
        ? f.path
        : field === 'type'
          ? f.entry.type === 'tree'
            ? 'commit_directory'
            : 'commit_file'
          : field === 'size'
            ? f.entry.size
            : f.attributes,
    );
  const kept = await Promise.all(
    withAttributes
      .filter(keep)
      .map(async (f) =>
        f.entry.type === 'tree'
          ? directoryEntry(repo, commit, f.path)
          : fileEntry(
              repo,
              commit,
              f.path,
              needsAttributes ? f.attributes : await attributesOf(store, f.entry),
              f.entry.size ?? 0,
            ),
      ),
  );
  return { status: 200, body: page(kept, url, 10, 100) };
};

/** POST …/src: one commit from a form of files, deletions and meta data, compare-and-swap on `parents`. */
const postSource = async (ctx: RouteContext): Promise<RouteResult> => {
  const { store, repo } = ctx;
  const form = await parseCommitForm(ctx.contentType, ctx.raw, ctx.url.searchParams);
  for (const problem of form.problems) ctx.problem(problem);
  if ((form.meta.get('branch')?.length ?? 0) > 1)
    throw new HttpError(400, 'The branch field cannot be repeated.');
  const branch = form.meta.get('branch')?.[0] ?? repo.mainBranch;
  const parents = (form.meta.get('parents') ?? []).flatMap((p) => p.split(',')).filter((p) => p !== '');
  if (parents.length > 1) {
    ctx.problem('the stand-in commits on one parent only');
    throw new HttpError(400, 'parents: more than one parent is not supported here');
  }
  const tip = await store.resolveBranch(branch);
  let base: string | undefined;
  if (parents.length === 1) {
    base = await resolveCommit(store, parents[0]!);
    // The go-scm fixture content_update.json.fail records this answer.
    if (!base) throw new HttpError(400, `parents: Commit not found: ${parents[0]}`);
    // "if a parent SHA1 was also provided, then it is asserted that the parent is the branch's
    // tip/HEAD at the time the request is made. When this is not the case, a 409 is returned."
    if (tip !== undefined && tip !== base)
      throw new HttpError(409, `${branch} has moved: its tip is not ${parents[0]}`);
  } else {
    // Without parents: on top of the branch, or for a new branch on top of the main branch.
    base = tip ?? (await store.resolveBranch(repo.mainBranch));
  }
  const baseTree = base ? (await store.readCommit(base)).tree : undefined;
  const written = new Set(form.files.map((f) => f.path));
  const edits: { path: string; mode: string; type: string; sha: string | null }[] = [];
  for (const file of form.files) {
    edits.push({
      path: file.path,
      mode: '100644',
      type: 'blob',
      sha: await store.writeObject('blob', file.data),
    });
  }
  // "when the `files` field contains a file path that does not have a corresponding, identically-named
  // form field, then Bitbucket interprets that as the client wanting to … [delete] the named file".
  for (const path of (form.meta.get('files') ?? []).map((p) => p.replace(/^\/+/, ''))) {
    if (written.has(path)) continue;
    if (baseTree && (await entryAt(store, baseTree, path)))
      edits.push({ path, mode: '100644', type: 'blob', sha: null });
  }
  let tree: string;
  try {
    tree = await createTree(store, baseTree, edits);
  } catch (error) {
    if (error instanceof TreeEditError) throw new HttpError(400, error.message);
    throw error;
  }
  const author = /^(.*) <(.*)>$/.exec(form.meta.get('author')?.[0] ?? '');
  const identity = author ? { name: author[1]!, email: author[2]! } : IDENTITY;
  const sha = await store.commitTree({
    tree,
    parents: base ? [base] : [],
    message: form.meta.get('message')?.[0] ?? 'Edited online with Bitbucket',
    author: identity,
    committer: identity,
  });
  // git's own compare-and-swap closes the window between the check above and the move.
  if (!(await store.updateRef(branch, sha, tip ?? ZERO_SHA))) throw new HttpError(409, `${branch} has moved`);
  return {
    status: 201,
    headers: ctx.commitLocation
      ? { location: `${repo.api}/repositories/${repo.workspace}/${repo.slug}/commit/${sha}` }
      : {},
  };
};

const branchName = (ctx: RouteContext) => ctx.params.name!.split('/').map(decodeURIComponent).join('/');

const getBranch = async (ctx: RouteContext): Promise<RouteResult> => {
  const name = branchName(ctx);
  const sha = await ctx.store.resolveBranch(name);
  if (!sha) throw new HttpError(404, `Branch not found: ${name}`);
  return { status: 200, body: branchResource(ctx.repo, name, await ctx.store.readCommit(sha)) };
};

/** POST …/refs/branches: `{"name": …, "target": {"hash": …}}` as the description's example sends it. */
const createBranch = async (ctx: RouteContext): Promise<RouteResult> => {
  const body = JSON.parse(ctx.raw.toString('utf8') || 'null') as {
    name?: unknown;
    target?: { hash?: unknown };
  };
  if (typeof body?.name !== 'string' || typeof body.target?.hash !== 'string') {
    ctx.problem('create branch: the description documents {"name": …, "target": {"hash": …}}');
    throw new HttpError(400, 'name and target.hash are required');
  }
  if (body.name.startsWith('refs/'))
    ctx.problem('"The branch name should not include any prefixes (e.g. refs/heads)"');
  const target = await resolveCommit(ctx.store, body.target.hash);
  if (!target) throw new HttpError(400, `target.hash: Commit not found: ${body.target.hash}`);
  if (!(await ctx.store.updateRef(body.name, target, ZERO_SHA)))
    throw new HttpError(400, `BRANCH_ALREADY_EXISTS: Branch "${body.name}" already exists.`);
  return { status: 201, body: branchResource(ctx.repo, body.name, await ctx.store.readCommit(target)) };
};

const deleteBranch = async (ctx: RouteContext): Promise<RouteResult> => {
  const name = branchName(ctx);
  // "The main branch is not allowed to be deleted and will return a 400 response."
  if (name === ctx.repo.mainBranch) throw new HttpError(400, 'Cannot delete the main branch');
  const sha = await ctx.store.resolveBranch(name);
  if (!sha) throw new HttpError(404, `Branch not found: ${name}`);
  await ctx.store.run(['update-ref', '-d', `refs/heads/${name}`, sha]).catch(() => {
    throw new HttpError(409, `${name} moved while being deleted`);
  });
  return { status: 204 };
};

/** GET …/commits/{revision}: `git log <revision> <include…> ^<exclude…>`, newest first, paginated. */
const listCommits = async (ctx: RouteContext): Promise<RouteResult> => {
  const { store, url } = ctx;
  const revision = await resolveCommit(
    store,
    ctx.params.revision!.split('/').map(decodeURIComponent).join('/'),
  );
  if (!revision) throw new HttpError(404, `Revision not found: ${ctx.params.revision}`);
  const resolveAll = async (name: string) =>
    Promise.all(url.searchParams.getAll(name).map(async (r) => (await resolveCommit(store, r)) ?? r));
  const include = await resolveAll('include');
  const exclude = (await resolveAll('exclude')).map((r) => `^${r}`);
  if (url.searchParams.has('path')) ctx.problem('the stand-in does not implement commits?path=');
  const out = await store.text(['rev-list', revision, ...include, ...exclude]);
  const shas = out === '' ? [] : out.split('\n');
  const listed = page(shas, url, 30, 100);
  const values = await Promise.all(
    listed.values.map(async (sha) => commitResource(ctx.repo, await store.readCommit(sha))),
  );
  return { status: 200, body: { ...listed, values } };
};

/**
 * GET …/diffstat/{spec}: "First commit: the commit containing the changes …; Second commit: the state
 * to which we want to compare the first commit" — the opposite of `git diff` order. `topic=false`: a
 * simple two-dot diff; otherwise against the merge base. `renames=false`: no rename detection.
 */
const diffstat = async (ctx: RouteContext): Promise<RouteResult> => {
  const { store, url } = ctx;
  const [first, second] = ctx.params.spec!.split('..');
  const source = await resolveCommit(store, first!);
  let destination: string | undefined;
  if (second === undefined) {
    destination = source ? (await store.readCommit(source)).parents[0] : undefined;
  } else {
    destination = await resolveCommit(store, second);
    if (
      source &&
      destination &&
      url.searchParams.get('topic') !== 'false' &&
      url.searchParams.get('merge') !== 'false'
    )
      destination = await store.text(['merge-base', source, destination]);
  }
  if (!source || (second !== undefined && !destination))
    throw new HttpError(404, `Commit not found: ${ctx.params.spec}`);
  const renames = url.searchParams.get('renames') === 'false' ? ['--no-renames'] : ['-M'];
  if (renames[0] === '-M') ctx.problem('the stand-in reports renames as removed + added');
  const from = destination ?? '4b825dc642cb6eb9a060e54bf8d69288fbee4904';
  const names = (await store.run(['diff', '--no-renames', '--name-status', '-z', from, source])).toString(
    'utf8',
  );
  const numbers = (await store.run(['diff', '--no-renames', '--numstat', '-z', from, source])).toString(
    'utf8',
  );
  const lines = new Map<string, { added: number; removed: number }>();
  const numberParts = numbers.split('\0').filter((p) => p !== '');
  for (const part of numberParts) {
    const [added, removed, path] = part.split('\t');
    if (path !== undefined) lines.set(path, { added: Number(added) || 0, removed: Number(removed) || 0 });
  }
  const parts = names.split('\0').filter((p) => p !== '');
  const stats = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const status = parts[i]!.startsWith('A') ? 'added' : parts[i]!.startsWith('D') ? 'removed' : 'modified';
    const path = parts[i + 1]!;
    stats.push(
      diffstatResource(ctx.repo, status, path, lines.get(path) ?? { added: 0, removed: 0 }, {
        from,
        to: source,
      }),
    );
  }
  return { status: 200, body: page(stats, url, 500, 5000) };
};

const pullFilterFields = ['source.branch.name', 'destination.branch.name', 'title', 'state', 'id'];

/** GET …/pullrequests: "By default only open pull requests are returned"; `state` repeats; `q` filters. */
const listPulls = async (ctx: RouteContext): Promise<RouteResult> => {
  const { url } = ctx;
  const states = url.searchParams.getAll('state');
  let filter: Filter | undefined;
  const q = url.searchParams.get('q');
  if (q !== null) {
    try {
      filter = parseFilter(q, pullFilterFields);
    } catch (error) {
      if (!(error instanceof FilterError)) throw error;
      ctx.problem(`pull request filter: ${error.message}`);
      throw new HttpError(400, error.message);
    }
  }
  const pulls = ctx.pulls
    .all()
    .filter(
      (pr) =>
        (states.length === 0 ? pr.state === 'OPEN' : states.includes(pr.state)) &&
        (filter === undefined ||
          filter((field) =>
            field === 'source.branch.name'
              ? pr.source
              : field === 'destination.branch.name'
                ? pr.destination
                : field === 'title'
                  ? pr.title
                  : field === 'state'
                    ? pr.state
                    : pr.id,
          )),
    );
  // Bitbucket caps pull-request pages at 50.
  const listed = page(pulls, url, 10, 50);
  return {
    status: 200,
    body: { ...listed, values: listed.values.map((pr) => pullResource(ctx.repo, pr, false)) },
  };
};

interface PullBody {
  readonly title?: string;
  readonly description?: string;
  readonly source?: { readonly branch?: { readonly name?: string } };
  readonly destination?: { readonly branch?: { readonly name?: string } };
  readonly close_source_branch?: boolean;
  readonly reviewers?: readonly { readonly uuid?: string }[];
}

const createPull = async (ctx: RouteContext): Promise<RouteResult> => {
  const body = JSON.parse(ctx.raw.toString('utf8')) as PullBody;
  // "The minimum required fields to create a pull request are `title` and `source`".
  if (!body.title || !body.source?.branch?.name)
    throw new HttpError(400, 'title and source.branch.name are required');
  const source = body.source.branch.name;
  const destination = body.destination?.branch?.name ?? ctx.repo.mainBranch;
  const sourceHash = await ctx.store.resolveBranch(source);
  if (!sourceHash) throw new HttpError(400, `source: branch not found: ${source}`);
  const destinationHash = await ctx.store.resolveBranch(destination);
  if (!destinationHash) throw new HttpError(400, `destination: branch not found: ${destination}`);
  const open = ctx.pulls
    .all()
    .find((pr) => pr.state === 'OPEN' && pr.source === source && pr.destination === destination);
  if (open)
    throw new HttpError(
      400,
      `There is already an open pull request from ${source} to ${destination} (#${open.id})`,
    );
  const pr = ctx.pulls.create({
    title: body.title,
    description: body.description ?? '',
    source,
    destination,
    sourceHash,
    destinationHash,
    closeSourceBranch: body.close_source_branch ?? false,
  });
  const resource = pullResource(ctx.repo, pr, true);
  return { status: 201, body: resource, headers: { location: resource.links.self.href } };
};

const pullNamed = (ctx: RouteContext) => {
  const pr = ctx.pulls.get(Number(ctx.params.pull_request_id));
  if (!pr) throw new HttpError(404, `Pull request not found: ${ctx.params.pull_request_id}`);
  return pr;
};

const getPull = async (ctx: RouteContext): Promise<RouteResult> => ({
  status: 200,
  body: pullResource(ctx.repo, pullNamed(ctx), true),
});

/**
 * PUT …/pullrequests/{id}: "Only open pull requests can be mutated". Reviewers left out of the body are
 * cleared (observed by Renovate's Bitbucket platform, which reads them back before every update).
 */
const updatePull = async (ctx: RouteContext): Promise<RouteResult> => {
  const pr = pullNamed(ctx);
  if (pr.state !== 'OPEN') throw new HttpError(400, 'Only open pull requests can be mutated');
  const body = JSON.parse(ctx.raw.toString('utf8')) as PullBody;
  if (body.title !== undefined) pr.title = body.title;
  if (body.description !== undefined) pr.description = body.description;
  pr.reviewers = (body.reviewers ?? []).flatMap((r) => {
    const known = pr.reviewers.find((k) => k.uuid === r.uuid);
    return known ? [known] : r.uuid ? [{ uuid: r.uuid, display_name: r.uuid }] : [];
  });
  ctx.pulls.touch(pr);
  return { status: 200, body: pullResource(ctx.repo, pr, true) };
};

const route = (method: string, path: string, pattern: string, handle: Route['handle']): Route => ({
  method,
  path,
  pattern: new RegExp(`${REPO}${pattern}$`),
  handle,
});

const P = '/repositories/{workspace}/{repo_slug}';

export const ROUTES: readonly Route[] = [
  route('GET', `${P}/src/{commit}/{path}`, '/src/(?<commit>[^/]+)/(?<path>.*)', getSource),
  route('POST', `${P}/src`, '/src/?', postSource),
  route('GET', `${P}/refs/branches/{name}`, '/refs/branches/(?<name>.+)', getBranch),
  route('POST', `${P}/refs/branches`, '/refs/branches/?', createBranch),
  route('DELETE', `${P}/refs/branches/{name}`, '/refs/branches/(?<name>.+)', deleteBranch),
  route('GET', `${P}/commits/{revision}`, '/commits/(?<revision>.+)', listCommits),
  route('GET', `${P}/diffstat/{spec}`, '/diffstat/(?<spec>[^/]+)', diffstat),
  route('GET', `${P}/pullrequests`, '/pullrequests/?', listPulls),
  route('POST', `${P}/pullrequests`, '/pullrequests/?', createPull),
  route('GET', `${P}/pullrequests/{pull_request_id}`, '/pullrequests/(?<pull_request_id>\\d+)/?', getPull),
  route('PUT', `${P}/pullrequests/{pull_request_id}`, '/pullrequests/(?<pull_request_id>\\d+)/?', updatePull),
];
