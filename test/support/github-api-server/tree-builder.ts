import type { GitStore, TreeEntry } from './git-store';

/**
 * GitHub's create-tree semantics (https://docs.github.com/rest/git/trees#create-a-tree): entries are
 * applied on top of `base_tree` (or an empty tree); a nested path (`a/b/c.yaml`) edits the subtrees on
 * its way; `sha: null` deletes, and deleting a path that does not exist is an error. Directories left
 * empty by deletions disappear, as they must in git.
 */

export interface TreeEdit {
  readonly path: string;
  readonly mode: string;
  readonly type: string;
  readonly sha?: string | null;
  readonly content?: string;
}

export class TreeEditError extends Error {}

interface Leaf {
  readonly kind: 'leaf';
  readonly entry: Omit<TreeEntry, 'name' | 'size'>;
}

interface Dir {
  readonly kind: 'dir';
  /** Existing tree this directory starts from (undefined: new directory). */
  readonly base: string | undefined;
  children: Map<string, Leaf | Dir> | undefined;
  dirty: boolean;
}

const newDir = (base: string | undefined): Dir => ({ kind: 'dir', base, children: undefined, dirty: false });

const load = async (store: GitStore, dir: Dir): Promise<Map<string, Leaf | Dir>> => {
  if (dir.children) return dir.children;
  const children = new Map<string, Leaf | Dir>();
  if (dir.base) {
    for (const e of await store.readTree(dir.base)) {
      children.set(e.name, e.type === 'tree' ? newDir(e.sha) : { kind: 'leaf', entry: e });
    }
  }
  dir.children = children;
  return children;
};

const validate = async (store: GitStore, edit: TreeEdit): Promise<void> => {
  const parts = edit.path.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..' || p === '.git')) {
    throw new TreeEditError(`tree.path contains a malformed path component: ${edit.path}`);
  }
  if (edit.content !== undefined && edit.sha !== undefined) {
    throw new TreeEditError(
      'Must supply either tree.sha or tree.content. Request will be rejected if both are present.',
    );
  }
  if (edit.content === undefined && edit.sha === undefined) {
    throw new TreeEditError(`Must supply a valid tree.sha or tree.content for ${edit.path}`);
  }
  const expectedType = edit.mode === '040000' ? 'tree' : edit.mode === '160000' ? 'commit' : 'blob';
  if (edit.type !== expectedType)
    throw new TreeEditError(`tree.type ${edit.type} does not match mode ${edit.mode}`);
  if (
    typeof edit.sha === 'string' &&
    edit.type !== 'commit' &&
    (await store.objectType(edit.sha)) !== edit.type
  ) {
    throw new TreeEditError(`tree.sha ${edit.sha} is not a valid ${edit.type}`);
  }
};

const apply = async (store: GitStore, root: Dir, edit: TreeEdit): Promise<void> => {
  const parts = edit.path.split('/');
  const name = parts.pop()!;
  let dir = root;
  const trail: Dir[] = [root];
  for (const part of parts) {
    const children = await load(store, dir);
    let child = children.get(part);
    if (!child || child.kind === 'leaf') {
      if (edit.sha === null) throw new TreeEditError(`GitRPC::BadObjectState: ${edit.path} does not exist`);
      child = newDir(undefined);
      children.set(part, child);
    }
    dir = child;
    trail.push(dir);
  }
  const children = await load(store, dir);
  if (edit.sha === null) {
    if (!children.delete(name))
      throw new TreeEditError(`GitRPC::BadObjectState: ${edit.path} does not exist`);
  } else {
    const sha =
      edit.content !== undefined ? await store.writeObject('blob', Buffer.from(edit.content)) : edit.sha!;
    const type = edit.type as TreeEntry['type'];
    children.set(
      name,
      type === 'tree' ? newDir(sha) : { kind: 'leaf', entry: { mode: edit.mode, type, sha } },
    );
  }
  for (const d of trail) d.dirty = true;
};

/** Writes dirty directories bottom-up; returns the tree id, or undefined for a now-empty directory. */
const write = async (store: GitStore, dir: Dir): Promise<string | undefined> => {
  if (!dir.dirty) return dir.base;
  const entries: Omit<TreeEntry, 'size'>[] = [];
  for (const [name, child] of dir.children ?? []) {
    if (child.kind === 'leaf') {
      entries.push({ ...child.entry, name });
    } else {
      const sha = await write(store, child);
      if (sha) entries.push({ mode: '040000', type: 'tree', sha, name });
    }
  }
  return entries.length === 0 ? undefined : store.writeTree(entries);
};

export const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

export const createTree = async (
  store: GitStore,
  baseTree: string | undefined,
  edits: readonly TreeEdit[],
): Promise<string> => {
  if (baseTree !== undefined && (await store.objectType(baseTree)) !== 'tree') {
    throw new TreeEditError(`base_tree ${baseTree} is not a valid tree`);
  }
  for (const edit of edits) await validate(store, edit);
  const root = newDir(baseTree);
  root.dirty = true;
  for (const edit of edits) await apply(store, root, edit);
  return (await write(store, root)) ?? store.writeTree([]);
};
