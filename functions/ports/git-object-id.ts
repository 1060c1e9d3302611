import { createHash } from 'node:crypto';

/**
 * Git object ids computed locally, so "is this chart version already in the repository with the same
 * content?" is one tree-id comparison instead of downloading the files.
 * Object format: https://git-scm.com/book/en/v2/Git-Internals-Git-Objects
 */

const hashObject = (type: 'blob' | 'tree', body: Uint8Array): string =>
  createHash('sha1').update(`${type} ${body.byteLength}\0`).update(body).digest('hex');

export const blobId = (content: Uint8Array): string => hashObject('blob', content);

/** Modes git records for a tree's non-directory entries: file, executable, symbolic link, submodule. */
export type GitEntryMode = '100644' | '100755' | '120000' | '160000';

/** A non-directory entry whose object id is already known (e.g. a blob id computed from its bytes). */
export interface GitTreeLeaf {
  /** Relative to the tree root, `/`-separated. */
  readonly path: string;
  readonly mode: GitEntryMode;
  readonly id: string;
}

interface TreeNode {
  readonly leaves: Map<string, { readonly mode: GitEntryMode; readonly id: string }>;
  readonly dirs: Map<string, TreeNode>;
}

const newNode = (): TreeNode => ({ leaves: new Map(), dirs: new Map() });

// Git sorts tree entries by name bytes, comparing a directory as if its name ended with '/'.
const sortKey = (name: string, isDir: boolean): Buffer => Buffer.from(isDir ? `${name}/` : name);

const treeIdOf = (node: TreeNode): string => {
  const entries: { key: Buffer; mode: string; name: string; id: string }[] = [];
  for (const [name, { mode, id }] of node.leaves) {
    entries.push({ key: sortKey(name, false), mode, name, id });
  }
  for (const [name, child] of node.dirs) {
    entries.push({ key: sortKey(name, true), mode: '40000', name, id: treeIdOf(child) });
  }
  entries.sort((a, b) => Buffer.compare(a.key, b.key));
  const body = Buffer.concat(
    entries.flatMap(({ mode, name, id }) => [Buffer.from(`${mode} ${name}\0`), Buffer.from(id, 'hex')]),
  );
  return hashObject('tree', body);
};

/** The id git gives the tree holding `leaves` (their ids and modes known; directories implied by paths). */
export const treeIdOfLeaves = (leaves: Iterable<GitTreeLeaf>): string => {
  const root = newNode();
  for (const { path, mode, id } of leaves) {
    const parts = path.split('/');
    const name = parts.pop()!;
    let node = root;
    for (const part of parts) {
      let child = node.dirs.get(part);
      if (!child) {
        child = newNode();
        node.dirs.set(part, child);
      }
      node = child;
    }
    node.leaves.set(name, { mode, id });
  }
  return treeIdOf(root);
};

/**
 * The id git gives the tree holding `files` (paths relative to the tree root, `/`-separated), every
 * file written with mode 100644 as every GitHost adapter does.
 */
export const treeId = (files: Iterable<{ readonly path: string; readonly data: Uint8Array }>): string =>
  treeIdOfLeaves([...files].map(({ path, data }) => ({ path, mode: '100644' as const, id: blobId(data) })));
