import type { GitStore, TreeEntry } from '../github-api-server/git-store';

/**
 * The commit actions as Gitaly applies them to the parent's tree, in order
 * (gitlab-org/gitaly internal/gitaly/service/operations/commit_files.go `applyAction`, messages from
 * `indexError.Error()`, returned by Rails as 400 {"message": …}):
 * - create: "A file with this name already exists" when a file is there (a directory at the path is
 *   replaced: `WithOverwriteDirectory`);
 * - update, chmod: "A file with this name doesn't exist" when nothing is there;
 * - delete: the same; deletes a file or a whole directory;
 * - move: "A file with this name doesn't exist" when previous_path is missing; keeps the content when
 *   none is given (`infer_content`).
 * Directories left empty disappear, as git stores no empty trees.
 */

export class IndexError extends Error {}

export interface CommitActionInput {
  readonly action: string;
  readonly file_path: string;
  readonly previous_path?: string;
  readonly content?: string;
  readonly encoding?: string;
  readonly execute_filemode?: boolean;
}

interface Leaf {
  readonly kind: 'leaf';
  mode: string;
  sha: string;
}

interface Dir {
  readonly kind: 'dir';
  readonly base: string | undefined;
  children: Map<string, Leaf | Dir> | undefined;
}

const newDir = (base: string | undefined): Dir => ({ kind: 'dir', base, children: undefined });

const load = async (store: GitStore, dir: Dir): Promise<Map<string, Leaf | Dir>> => {
  if (dir.children) return dir.children;
  const children = new Map<string, Leaf | Dir>();
  if (dir.base) {
    for (const e of await store.readTree(dir.base)) {
      children.set(e.name, e.type === 'tree' ? newDir(e.sha) : { kind: 'leaf', mode: e.mode, sha: e.sha });
    }
  }
  dir.children = children;
  return children;
};

const FILE_EXISTS = 'A file with this name already exists';
const FILE_MISSING = "A file with this name doesn't exist";

/** Gitaly's `validatePath`: empty paths, `..` and `.git` components are refused before anything runs. */
const segments = (path: string): string[] => {
  if (path === '') throw new IndexError('You must provide a file path');
  const parts = path.split('/');
  if (parts.includes('..')) throw new IndexError('Path cannot include directory traversal');
  if (parts.some((p) => p === '' || p === '.' || p === '.git'))
    throw new IndexError(`invalid path: '${path}'`);
  return parts;
};

/** The directory holding `path`, creating missing ones when `create` (a file in the way is an error). */
const parentDir = async (
  store: GitStore,
  root: Dir,
  parts: readonly string[],
  create: boolean,
): Promise<Dir | undefined> => {
  let dir = root;
  for (const part of parts.slice(0, -1)) {
    const children = await load(store, dir);
    const child = children.get(part);
    if (child?.kind === 'dir') {
      dir = child;
      continue;
    }
    if (child?.kind === 'leaf') throw new IndexError(FILE_EXISTS);
    if (!create) return undefined;
    const made = newDir(undefined);
    made.children = new Map();
    children.set(part, made);
    dir = made;
  }
  return dir;
};

const decode = (action: CommitActionInput): Buffer =>
  Buffer.from(action.content ?? '', action.encoding === 'base64' ? 'base64' : 'utf8');

const apply = async (store: GitStore, root: Dir, action: CommitActionInput): Promise<void> => {
  const parts = segments(action.file_path);
  const name = parts.at(-1)!;
  switch (action.action) {
    case 'create': {
      const dir = (await parentDir(store, root, parts, true))!;
      const children = await load(store, dir);
      if (children.get(name)?.kind === 'leaf') throw new IndexError(FILE_EXISTS);
      const sha = await store.writeObject('blob', decode(action));
      children.set(name, { kind: 'leaf', mode: action.execute_filemode ? '100755' : '100644', sha });
      return;
    }
    case 'update':
    case 'chmod': {
      const dir = await parentDir(store, root, parts, false);
      const entry = dir ? (await load(store, dir)).get(name) : undefined;
      if (entry?.kind !== 'leaf') throw new IndexError(FILE_MISSING);
      if (action.action === 'update') entry.sha = await store.writeObject('blob', decode(action));
      else entry.mode = action.execute_filemode ? '100755' : '100644';
      return;
    }
    case 'delete': {
      const dir = await parentDir(store, root, parts, false);
      if (!dir || !(await load(store, dir)).delete(name)) throw new IndexError(FILE_MISSING);
      return;
    }
    case 'move': {
      const fromParts = segments(action.previous_path ?? '');
      const fromDir = await parentDir(store, root, fromParts, false);
      const fromChildren = fromDir ? await load(store, fromDir) : undefined;
      const entry = fromChildren?.get(fromParts.at(-1)!);
      if (entry?.kind !== 'leaf') throw new IndexError(FILE_MISSING);
      fromChildren!.delete(fromParts.at(-1)!);
      const sha = action.content === undefined ? entry.sha : await store.writeObject('blob', decode(action));
      const dir = (await parentDir(store, root, parts, true))!;
      (await load(store, dir)).set(name, { kind: 'leaf', mode: entry.mode, sha });
      return;
    }
    default:
      throw new IndexError(`Unknown action '${action.action}'`);
  }
};

const write = async (store: GitStore, dir: Dir): Promise<string | undefined> => {
  if (!dir.children) return dir.base;
  const entries: Omit<TreeEntry, 'size'>[] = [];
  for (const [name, child] of dir.children) {
    if (child.kind === 'leaf') entries.push({ mode: child.mode, type: 'blob', sha: child.sha, name });
    else {
      const sha = await write(store, child);
      if (sha) entries.push({ mode: '040000', type: 'tree', sha, name });
    }
  }
  return entries.length === 0 ? undefined : store.writeTree(entries);
};

/** The tree after applying `actions` to `baseTree` (undefined: empty), or an IndexError. */
export const applyCommitActions = async (
  store: GitStore,
  baseTree: string | undefined,
  actions: readonly CommitActionInput[],
): Promise<string> => {
  // Blobs first, many at a time (a 100-chart commit carries thousands); the tree edits stay in order.
  const blobs = actions.filter((a) => a.action === 'create' || a.action === 'update');
  for (let i = 0; i < blobs.length; i += 64) {
    await Promise.all(blobs.slice(i, i + 64).map((a) => store.writeObject('blob', decode(a))));
  }
  const root = newDir(baseTree);
  for (const action of actions) await apply(store, root, action);
  return (await write(store, root)) ?? store.writeTree([]);
};
