import { randomBytes } from 'node:crypto';
import type * as nodeFs from 'node:fs';

/** The file system the plain-git adapter is given: `node:fs` in Lambda and locally. */
export type PlainGitFs = Pick<typeof nodeFs, 'promises'>;

/**
 * The promise file system handed to isomorphic-git, with every file written to a temporary name and
 * renamed into place. isomorphic-git writes loose objects and refs in place, after an "exists?" check;
 * with concurrent writers (20 commits racing in one process, or the git CLI next door) a reader could
 * otherwise see a half-written object that another writer skipped writing because it "existed".
 * rename(2) is atomic on POSIX file systems, as git's own object writes rely on.
 */
export const atomicWritesFs = (fs: PlainGitFs): { promises: typeof nodeFs.promises } => {
  const inner = fs.promises;
  const writeFile: typeof inner.writeFile = async (file, data, options) => {
    if (typeof file !== 'string') return inner.writeFile(file, data, options);
    const temporary = `${file}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
    try {
      await inner.writeFile(temporary, data, options);
      await inner.rename(temporary, file);
    } catch (error) {
      await inner.rm(temporary, { force: true });
      throw error;
    }
  };
  // Own, enumerable `promises`: how isomorphic-git recognises a promise-based fs client.
  return { promises: { ...inner, writeFile } };
};
