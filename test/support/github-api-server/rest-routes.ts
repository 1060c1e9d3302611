import type { GitStore, TreeEntry } from './git-store';
import { ZERO_SHA } from './git-store';
import { LABEL_NAME_LIMIT, labelResource, type PullStore, pullResource, pullSimpleResource } from './pulls';
import {
  blobResource,
  commitResource,
  fileCommitResource,
  type RepoContext,
  refResource,
  treeResource,
} from './resources';
import { createTree, TreeEditError } from './tree-builder';

/**
 * The REST routes of the fake GitHub, keyed by the OpenAPI path they implement. Handlers return
 * GitHub's status codes and messages for the failures the adapter must classify
 * (https://docs.github.com/rest/git/refs#update-a-reference: 422 "Update is not a fast forward";
 * 422 "Reference cannot be updated" for writers racing on one ref, osunyorg/admin#119). The catalogue
 * of real behaviours reproduced here, with sources and tests: real-behaviours.ts.
 */

export interface RouteContext {
  readonly store: GitStore;
  readonly pulls: PullStore;
  readonly repo: RepoContext;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  // biome-ignore lint/suspicious/noExplicitAny: request bodies were validated against the OpenAPI schema
  readonly body: any;
}

export interface RouteResult {
  readonly status: number;
  readonly body: unknown;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: readonly Record<string, unknown>[],
  ) {
    super(message);
  }
}

export interface Route {
  readonly method: string;
  /** OpenAPI path, also the request-count key. */
  readonly path: string;
  /** OpenAPI path whose schemas validate this route (legacy aliases borrow their twin's). */
  readonly schemaPath?: string;
  readonly pattern: RegExp;
  readonly handle: (ctx: RouteContext) => Promise<RouteResult>;
}

const notFound = () => new HttpError(404, 'Not Found');
const SHA = /^[0-9a-f]{40}$/;

const branchOf = (ref: string | undefined): string => {
  if (!ref?.startsWith('heads/')) throw notFound();
  return ref.slice('heads/'.length);
};

const requireObject = async (store: GitStore, sha: unknown, type: string, message: string) => {
  if (typeof sha !== 'string' || !SHA.test(sha) || (await store.objectType(sha)) !== type) {
    throw new HttpError(422, message);
  }
  return sha;
};

const getRef = async ({ store, repo, params }: RouteContext): Promise<RouteResult> => {
  const branch = branchOf(params.ref);
  const sha = await store.resolveBranch(branch);
  if (!sha) throw notFound();
  return { status: 200, body: refResource(repo, branch, sha) };
};

const listTree = async (
  store: GitStore,
  sha: string,
  recursive: boolean,
  prefix = '',
): Promise<(TreeEntry & { path: string })[]> => {
  const out: (TreeEntry & { path: string })[] = [];
  for (const entry of await store.readTree(sha)) {
    const path = `${prefix}${entry.name}`;
    out.push({ ...entry, path });
    if (recursive && entry.type === 'tree') out.push(...(await listTree(store, entry.sha, true, `${path}/`)));
  }
  return out;
};

const routes: Omit<Route, 'pattern'>[] = [
  { method: 'GET', path: '/repos/{owner}/{repo}/git/ref/{ref}', handle: getRef },
  {
    // The older spelling, still served by GitHub.
    method: 'GET',
    path: '/repos/{owner}/{repo}/git/refs/{ref}',
    schemaPath: '/repos/{owner}/{repo}/git/ref/{ref}',
    handle: getRef,
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/git/commits/{commit_sha}',
    handle: async ({ store, repo, params }) => {
      const sha = params.commit_sha ?? '';
      if (!SHA.test(sha) || (await store.objectType(sha)) !== 'commit') throw notFound();
      return { status: 200, body: commitResource(repo, await store.readCommit(sha)) };
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/git/trees/{tree_sha}',
    handle: async ({ store, repo, params, query }) => {
      const sha = params.tree_sha ?? '';
      if (!SHA.test(sha) || (await store.objectType(sha)) !== 'tree') throw notFound();
      const recursive = query.has('recursive') && !['0', 'false'].includes(query.get('recursive') ?? '');
      return { status: 200, body: treeResource(repo, sha, await listTree(store, sha, recursive)) };
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/git/blobs/{file_sha}',
    handle: async ({ store, repo, params }) => {
      const sha = params.file_sha ?? '';
      if (!SHA.test(sha) || (await store.objectType(sha)) !== 'blob') throw notFound();
      return { status: 200, body: blobResource(repo, sha, await store.readBlob(sha)) };
    },
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/git/blobs',
    handle: async ({ store, repo, body }) => {
      const encoding = body.encoding ?? 'utf-8';
      if (encoding !== 'utf-8' && encoding !== 'base64') {
        throw new HttpError(422, `encoding must be "utf-8" or "base64", got ${JSON.stringify(encoding)}`);
      }
      const bytes = Buffer.from(body.content as string, encoding === 'base64' ? 'base64' : 'utf8');
      const sha = await store.writeObject('blob', bytes);
      return {
        status: 201,
        body: { sha, url: `${repo.api}/repos/${repo.owner}/${repo.repo}/git/blobs/${sha}` },
      };
    },
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/git/trees',
    handle: async ({ store, repo, body }) => {
      try {
        const sha = await createTree(store, body.base_tree, body.tree);
        return { status: 201, body: treeResource(repo, sha, await listTree(store, sha, false)) };
      } catch (error) {
        if (error instanceof TreeEditError) throw new HttpError(422, error.message);
        throw error;
      }
    },
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/git/commits',
    handle: async ({ store, repo, body }) => {
      const tree = await requireObject(store, body.tree, 'tree', 'Tree SHA does not exist');
      const parents: string[] = [];
      for (const parent of (body.parents ?? []) as unknown[]) {
        parents.push(
          await requireObject(store, parent, 'commit', 'Parent SHA does not exist or is not a commit object'),
        );
      }
      const sha = await store.commitTree({
        tree,
        parents,
        message: body.message,
        author: body.author,
        committer: body.committer,
      });
      return { status: 201, body: commitResource(repo, await store.readCommit(sha)) };
    },
  },
  {
    method: 'PATCH',
    path: '/repos/{owner}/{repo}/git/refs/{ref}',
    handle: async ({ store, repo, params, body }) => {
      const branch = branchOf(params.ref);
      const current = await store.resolveBranch(branch);
      if (!current) throw new HttpError(422, 'Reference does not exist');
      const next = await requireObject(store, body.sha, 'commit', 'Object does not exist');
      // GitHub refuses a non-forced update that is not a fast-forward. A writer that passed that check
      // but lost the ref to a concurrent one gets GitHub's other answer for racing writers
      // (osunyorg/admin#119, #1978, #2192; googleapis/repo-automation-bots#4537).
      const fastForward = body.force === true || (await store.isAncestor(current, next));
      if (!fastForward) throw new HttpError(422, 'Update is not a fast forward');
      if (!(await store.updateRef(branch, next, body.force === true ? undefined : current))) {
        throw new HttpError(422, 'Reference cannot be updated');
      }
      return { status: 200, body: refResource(repo, branch, next) };
    },
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/git/refs',
    handle: async ({ store, repo, body }) => {
      const ref = body.ref as string;
      if (!/^refs\/heads\/[^\s~^:?*[\\]+$/.test(ref) || ref.includes('..')) {
        throw new HttpError(422, 'Reference name is not valid');
      }
      const sha = await requireObject(store, body.sha, 'commit', 'Object does not exist');
      const branch = ref.slice('refs/heads/'.length);
      if (!(await store.updateRef(branch, sha, ZERO_SHA)))
        throw new HttpError(422, 'Reference already exists');
      return { status: 201, body: refResource(repo, branch, sha) };
    },
  },
  {
    // https://docs.github.com/rest/repos/contents#create-or-update-file-contents: on an empty repository
    // it creates the first commit (no parents) and the branch it names (@octokit/fixtures `create-file`;
    // CATcher-org/CATcher#1234); over an existing file it needs that file's blob `sha`.
    method: 'PUT',
    path: '/repos/{owner}/{repo}/contents/{path}',
    handle: async ({ store, repo, params, body }) => {
      const branch = (body.branch as string | undefined) ?? repo.defaultBranch;
      const head = await store.resolveBranch(branch);
      // A branch missing from a repository with commits: not reproduced from a source (the adapter
      // only writes through this route into an empty repository).
      if (!head && (await store.hasBranches())) throw notFound();
      const path = params.path ?? '';
      const baseTree = head ? (await store.readCommit(head)).tree : undefined;
      const existing = baseTree ? await store.entryAt(baseTree, path) : undefined;
      if (existing && body.sha === undefined)
        throw new HttpError(422, 'Invalid request.\n\n"sha" wasn\'t supplied.');
      if (existing && body.sha !== existing.sha)
        throw new HttpError(409, `${path} does not match ${body.sha}`);
      const bytes = Buffer.from(body.content as string, 'base64');
      const blob = await store.writeObject('blob', bytes);
      const tree = await createTree(store, baseTree, [{ path, mode: '100644', type: 'blob', sha: blob }]);
      const sha = await store.commitTree({
        tree,
        parents: head ? [head] : [],
        message: body.message,
        author: body.author,
        committer: body.committer,
      });
      // Not reproduced from a source: GitHub's exact answer when the branch moves under this call.
      if (!(await store.updateRef(branch, sha, head ?? ZERO_SHA)))
        throw new HttpError(409, `${branch} moved`);
      return {
        status: existing ? 200 : 201,
        body: fileCommitResource(repo, branch, path, blob, bytes.byteLength, await store.readCommit(sha)),
      };
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/pulls',
    handle: async ({ pulls, repo, query }) => {
      const head = query.get('head') ?? undefined;
      const [headOwner, headBranch] = head?.includes(':') ? head.split(':', 2) : [repo.owner, head];
      const found =
        headOwner === repo.owner
          ? pulls.list({
              head: headBranch,
              base: query.get('base') ?? undefined,
              state: query.get('state') ?? 'open',
            })
          : [];
      return { status: 200, body: found.map((pr) => pullSimpleResource(repo, pr)) };
    },
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/pulls',
    handle: async ({ store, pulls, repo, body }) => {
      const head = (body.head as string).replace(`${repo.owner}:`, '');
      const [headSha, baseSha] = [await store.resolveBranch(head), await store.resolveBranch(body.base)];
      const invalid = (field: string) =>
        new HttpError(422, 'Validation Failed', [{ resource: 'PullRequest', field, code: 'invalid' }]);
      if (!headSha) throw invalid('head');
      if (!baseSha) throw invalid('base');
      if (pulls.list({ head, base: body.base }).length > 0) {
        throw new HttpError(422, 'Validation Failed', [
          {
            resource: 'PullRequest',
            code: 'custom',
            message: `A pull request already exists for ${repo.owner}:${head}.`,
          },
        ]);
      }
      const pr = pulls.create({
        title: body.title,
        body: body.body ?? '',
        head,
        base: body.base,
        headSha,
        baseSha,
      });
      return { status: 201, body: pullResource(repo, pr) };
    },
  },
  {
    // https://docs.github.com/rest/pulls/pulls#update-a-pull-request: title and body of an open one.
    method: 'PATCH',
    path: '/repos/{owner}/{repo}/pulls/{pull_number}',
    handle: async ({ pulls, repo, params, body }) => {
      const pr = pulls.get(Number(params.pull_number));
      if (!pr) throw notFound();
      if (typeof body.title === 'string') pr.title = body.title;
      if (typeof body.body === 'string') pr.body = body.body;
      return { status: 200, body: pullResource(repo, pr) };
    },
  },
  {
    // Pull requests are issues here: https://docs.github.com/rest/issues/labels#add-labels-to-an-issue
    method: 'POST',
    path: '/repos/{owner}/{repo}/issues/{issue_number}/labels',
    handle: async ({ pulls, repo, params, body }) => {
      const pr = pulls.get(Number(params.issue_number));
      if (!pr) throw notFound();
      // Each label may be a name or `{ name }` (both allowed by the OpenAPI schema).
      const names = ((body?.labels ?? []) as (string | { name: string })[]).map((l) =>
        typeof l === 'string' ? l : l.name,
      );
      const tooLong = names.find((name) => [...name].length > LABEL_NAME_LIMIT);
      if (tooLong !== undefined) {
        throw new HttpError(422, 'Validation Failed', [
          { resource: 'Label', field: 'name', code: 'invalid', value: tooLong },
        ]);
      }
      pulls.addLabels(pr, names);
      return { status: 200, body: pr.labels.map((name) => labelResource(repo, name)) };
    },
  },
];

// A ref and a file path may contain slashes.
const MULTI_SEGMENT = new Set(['ref', 'path']);

const toPattern = (path: string): RegExp =>
  new RegExp(
    `^${path.replace(/\{(\w+)\}/g, (_m, name: string) => (MULTI_SEGMENT.has(name) ? `(?<${name}>.+)` : `(?<${name}>[^/]+)`))}$`,
  );

export const REST_ROUTES: readonly Route[] = routes.map((r) => ({ ...r, pattern: toPattern(r.path) }));
