import * as fs from 'node:fs';
import git from 'isomorphic-git';

export interface CommitSummary {
  readonly sha: string;
  readonly message: string;
  readonly author: string;
  readonly date: string;
  readonly files: readonly { readonly path: string; readonly change: 'added' | 'modified' | 'deleted' }[];
}

/**
 * A `git show --stat`-like view of one commit of the local cluster repository, read with
 * isomorphic-git so the demo needs no git binary.
 */
export const summariseCommit = async (gitdir: string, sha: string): Promise<CommitSummary> => {
  const { commit } = await git.readCommit({ fs, gitdir, oid: sha });
  const parent = commit.parent[0];
  const trees = parent ? [git.TREE({ ref: parent }), git.TREE({ ref: sha })] : [git.TREE({ ref: sha })];
  const files = (await git.walk({
    fs,
    gitdir,
    trees,
    map: async (path, entries) => {
      if (path === '.') return undefined;
      const [before, after] = parent ? entries : [null, entries[0]];
      const [typeBefore, typeAfter] = await Promise.all([before?.type(), after?.type()]);
      if (typeBefore === 'tree' || typeAfter === 'tree') {
        const [a, b] = await Promise.all([before?.oid(), after?.oid()]);
        return a === b ? null : undefined; // null prunes an unchanged subtree
      }
      const [a, b] = await Promise.all([before?.oid(), after?.oid()]);
      if (a === b) return undefined;
      return { path, change: a === undefined ? 'added' : b === undefined ? 'deleted' : 'modified' };
    },
  })) as CommitSummary['files'];
  return {
    sha,
    message: commit.message,
    author: `${commit.author.name} <${commit.author.email}>`,
    date: new Date(commit.author.timestamp * 1000).toISOString(),
    files: files.flat(Number.POSITIVE_INFINITY).filter(Boolean) as unknown as CommitSummary['files'],
  };
};
