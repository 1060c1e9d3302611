import git, { Errors, type PromiseFsClient, type TreeEntry } from 'isomorphic-git';
import type { ChangeSet, RepoSnapshot, SnapshotRequest } from '../../../ports/git-host';
import { GitHostError } from '../../../ports/git-host-error';

/**
 * Reading a snapshot and writing a change set as git objects in a local gitdir (the work copy of an
 * HTTP remote, or the bare repository itself). No checkout, no index, no working tree: files are read
 * at the commit, and a new tree is built by editing only the changed paths along their directories,
 * reusing the ids of every untouched subtree, so the cost follows the change, not the repository.
 */

export interface ObjectContext {
  /** File system client for isomorphic-git (writes must be atomic: see plain-git-fs.ts). */
  readonly fs: PromiseFsClient;
  readonly gitdir: string;
  /** isomorphic-git's pack index cache, kept across calls. */
  readonly cache: object;
}

export interface CommitIdentity {
  readonly name: string;
  readonly email: string;
  /** Epoch milliseconds of the commit. */
  readonly timestamp: number;
}

const decoder = new TextDecoder('utf-8');

const isAbsence = (error: unknown): boolean =>
  error instanceof Errors.NotFoundError || error instanceof Errors.ObjectTypeError;

const orUndefined = async <T>(read: Promise<T>): Promise<T | undefined> => {
  try {
    return await read;
  } catch (error) {
    if (isAbsence(error)) return undefined;
    throw error;
  }
};

const clean = (p: string): string => p.replace(/^\/+|\/+$/g, '');

export const hasCommit = async (ctx: ObjectContext, oid: string): Promise<boolean> =>
  (await orUndefined(git.readCommit({ ...ctx, oid }))) !== undefined;

export const readSnapshot = async (
  ctx: ObjectContext,
  head: string | undefined,
  request: SnapshotRequest,
): Promise<RepoSnapshot> => {
  /** The tree object id at `dir` in the head commit; undefined when absent (or a file). */
  const treeAt = async (dir: string): Promise<string | undefined> => {
    if (head === undefined) return undefined;
    const filepath = clean(dir);
    return (await orUndefined(git.readTree({ ...ctx, oid: head, ...(filepath ? { filepath } : {}) })))?.oid;
  };
  const files = new Map<string, string | undefined>();
  for (const file of request.files) {
    const blob = head
      ? await orUndefined(git.readBlob({ ...ctx, oid: head, filepath: clean(file) }))
      : undefined;
    files.set(file, blob ? decoder.decode(blob.blob) : undefined);
  }
  const trees = new Map<string, string | undefined>();
  for (const dir of request.trees) trees.set(dir, await treeAt(dir));
  const directories = new Map<string, readonly string[] | undefined>();
  for (const dir of request.directories ?? []) {
    const oid = await treeAt(dir);
    directories.set(dir, oid ? (await filesBelow(ctx, oid, '')).sort() : undefined);
  }
  const exists = new Map<string, boolean>();
  for (const dir of request.exists ?? []) exists.set(dir, (await treeAt(dir)) !== undefined);
  return { head, files, trees, directories, exists };
};

/** Every blob path below the tree `oid`, recursively, prefixed with `prefix`. */
const filesBelow = async (ctx: ObjectContext, oid: string, prefix: string): Promise<string[]> => {
  const out: string[] = [];
  for (const entry of (await git.readTree({ ...ctx, oid })).tree) {
    if (entry.type === 'tree') out.push(...(await filesBelow(ctx, entry.oid, `${prefix}${entry.path}/`)));
    else if (entry.type === 'blob') out.push(`${prefix}${entry.path}`);
  }
  return out;
};

/** The edits under one directory: files to write (blob id) or delete (null), and subdirectories. */
interface DirEdit {
  readonly files: Map<string, string | null>;
  readonly dirs: Map<string, DirEdit>;
}

const newEdit = (): DirEdit => ({ files: new Map(), dirs: new Map() });

const planEdits = async (ctx: ObjectContext, changeSet: ChangeSet): Promise<DirEdit> => {
  const root = newEdit();
  for (const change of changeSet.changes) {
    const parts = clean(change.path).split('/');
    const name = parts.pop();
    if (!name || parts.some((p) => p === '' || p === '.' || p === '..')) {
      throw new GitHostError('REQUEST_REJECTED', `invalid repository path: ${change.path}`);
    }
    let node = root;
    for (const part of parts) {
      let child = node.dirs.get(part);
      if (!child) {
        child = newEdit();
        node.dirs.set(part, child);
      }
      node = child;
    }
    node.files.set(
      name,
      change.content === null ? null : await git.writeBlob({ ...ctx, blob: change.content }),
    );
  }
  return root;
};

/** Applies `edit` to the tree `base` (absent: empty); returns the new tree id, `undefined` when empty. */
const editTree = async (
  ctx: ObjectContext,
  base: string | undefined,
  edit: DirEdit,
  isRoot: boolean,
): Promise<string | undefined> => {
  const entries = new Map<string, TreeEntry>();
  if (base)
    for (const entry of (await git.readTree({ ...ctx, oid: base })).tree) entries.set(entry.path, entry);
  for (const [name, blob] of edit.files) {
    if (blob === null) entries.delete(name);
    else entries.set(name, { mode: '100644', path: name, oid: blob, type: 'blob' });
  }
  for (const [name, childEdit] of edit.dirs) {
    const existing = entries.get(name);
    const child = await editTree(ctx, existing?.type === 'tree' ? existing.oid : undefined, childEdit, false);
    if (child === undefined) entries.delete(name);
    else entries.set(name, { mode: '040000', path: name, oid: child, type: 'tree' });
  }
  // Git has no empty directories: a directory whose last file was deleted disappears.
  if (entries.size === 0 && !isRoot) return undefined;
  return git.writeTree({ ...ctx, tree: [...entries.values()] });
};

/** Writes the blobs, trees and commit of `changeSet` on top of `parent`; returns the commit id. */
export const writeChangeSet = async (
  ctx: ObjectContext,
  parent: string | undefined,
  changeSet: ChangeSet,
  identity: CommitIdentity,
): Promise<string> => {
  const baseTree = parent ? (await git.readCommit({ ...ctx, oid: parent })).commit.tree : undefined;
  const tree = await editTree(ctx, baseTree, await planEdits(ctx, changeSet), true);
  const person = {
    name: identity.name,
    email: identity.email,
    timestamp: Math.floor(identity.timestamp / 1000),
    timezoneOffset: 0,
  };
  return git.writeCommit({
    ...ctx,
    commit: {
      message: changeSet.message,
      tree: tree as string,
      parent: parent ? [parent] : [],
      author: person,
      committer: person,
    },
  });
};
