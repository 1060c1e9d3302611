import path from 'node:path';
import { GitHostError } from '../../../ports/git-host-error';
import type { PlainGitFs } from './plain-git-fs';

/**
 * Moves a branch of a local repository with compare-and-swap, using git's own ref-locking protocol so
 * it interoperates with the git CLI (`git update-ref`, `receive-pack`) working on the same repository:
 * create `<ref>.lock` exclusively, re-read the ref, write the new id to the lock, rename it onto the ref.
 * https://git-scm.com/docs/api-lockfile ("ref.lock") and `git update-ref <ref> <new> <old>`.
 *
 * A lock left behind by a crashed writer is never stolen: stealing races with a second stealer and
 * with a slow live writer, and git itself never does it. It is reported as BRANCH_MOVED (retryable)
 * with its age, so retries run out into the DLQ with a clear reason; delete the lock file by hand.
 */

const ZERO = '0'.repeat(40);

const isCode = (error: unknown, code: string): boolean =>
  typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;

/** Reads `ref` (`refs/heads/main`) as git does: the loose file wins over `packed-refs`. */
export const readLocalRef = async (
  fs: PlainGitFs,
  gitdir: string,
  ref: string,
): Promise<string | undefined> => {
  try {
    const loose = (await fs.promises.readFile(path.join(gitdir, ref), 'utf8')).trim();
    if (/^[0-9a-f]{40}$/.test(loose)) return loose;
    throw new GitHostError('REQUEST_REJECTED', `${ref} in ${gitdir} is not a plain commit id: ${loose}`);
  } catch (error) {
    if (!isCode(error, 'ENOENT')) throw error;
  }
  let packed: string;
  try {
    packed = await fs.promises.readFile(path.join(gitdir, 'packed-refs'), 'utf8');
  } catch (error) {
    if (isCode(error, 'ENOENT')) return undefined;
    throw error;
  }
  for (const line of packed.split('\n')) {
    if (line.startsWith('#') || line.startsWith('^')) continue;
    const [oid, name] = line.split(' ');
    if (name === ref && oid && oid !== ZERO) return oid;
  }
  return undefined;
};

/** `expected`: the id the ref must hold (`undefined`: must not exist); `'any'`: force. */
export const swapLocalRef = async (
  fs: PlainGitFs,
  gitdir: string,
  ref: string,
  expected: string | undefined | 'any',
  next: string,
): Promise<void> => {
  const refPath = path.join(gitdir, ref);
  const lockPath = `${refPath}.lock`;
  await fs.promises.mkdir(path.dirname(refPath), { recursive: true });
  let handle: Awaited<ReturnType<typeof fs.promises.open>>;
  try {
    handle = await fs.promises.open(lockPath, 'wx');
  } catch (error) {
    if (!isCode(error, 'EEXIST')) throw error;
    const age = await fs.promises.stat(lockPath).then(
      (s) => `${Math.round((Date.now() - s.mtimeMs) / 1000)} s old`,
      () => 'just released',
    );
    throw new GitHostError('BRANCH_MOVED', `${ref} is locked by another writer (${lockPath}, ${age})`, {
      cause: error,
    });
  }
  let renamed = false;
  try {
    if (expected !== 'any') {
      const current = await readLocalRef(fs, gitdir, ref);
      if (current !== expected) {
        throw new GitHostError(
          'BRANCH_MOVED',
          `${ref} is at ${current ?? '(absent)'}, expected ${expected ?? '(absent)'}`,
        );
      }
    }
    await handle.writeFile(`${next}\n`);
    await handle.sync();
    await handle.close();
    await fs.promises.rename(lockPath, refPath);
    renamed = true;
  } finally {
    if (!renamed) {
      await handle.close().catch(() => {});
      await fs.promises.rm(lockPath, { force: true });
    }
  }
};
