import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

/**
 * Branch compare-and-swap in process, by git's own protocol for loose refs: take `<ref>.lock` with
 * O_EXCL (waiting up to 100 ms for another holder, git's `core.filesRefLockTimeout` default), compare
 * the current value, write the new one into the lock and rename it over the ref
 * (https://git-scm.com/docs/git-update-ref#_logging_updates, refs/files-backend.c). It interoperates
 * with the git CLI the tests also use, and spares a process per ref update: with 20 racing writers a
 * spawned `git update-ref` per request is what makes the server slow on a loaded machine.
 */

export const ZERO = '0'.repeat(40);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const current = async (repo: string, ref: string): Promise<string> => {
  const loose = await readFile(path.join(repo, ref), 'utf8').catch(() => undefined);
  if (loose !== undefined) return loose.trim();
  const packed = await readFile(path.join(repo, 'packed-refs'), 'utf8').catch(() => '');
  const line = packed.split('\n').find((l) => l.endsWith(` ${ref}`));
  return line ? line.slice(0, 40) : ZERO;
};

/** A branch's commit id, read as git does (loose ref, then packed-refs), without a process. */
export const readBranch = async (repo: string, branch: string): Promise<string | undefined> => {
  const value = await current(repo, `refs/heads/${branch}`);
  return value === ZERO ? undefined : value;
};

export type RefUpdateResult = { readonly ok: true } | { readonly ok: false; readonly actual: string };

/** Moves `ref` (e.g. `refs/heads/main`) from `expected` to `next` (ZERO: must not exist / delete). */
export const compareAndSwapRef = async (
  repo: string,
  ref: string,
  expected: string,
  next: string,
): Promise<RefUpdateResult> => {
  const file = path.join(repo, ref);
  const lock = `${file}.lock`;
  await mkdir(path.dirname(file), { recursive: true });
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  for (let waited = 0; handle === undefined; waited += 5) {
    handle = await open(lock, 'wx').catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST' || waited >= 100) throw error;
      return undefined;
    });
    if (handle === undefined) await sleep(5);
  }
  try {
    const actual = await current(repo, ref);
    if (actual !== expected) {
      await handle.close();
      await unlink(lock);
      return { ok: false, actual };
    }
    if (next === ZERO) {
      await handle.close();
      await unlink(file).catch(() => undefined);
      await unlink(lock);
      return { ok: true };
    }
    await handle.writeFile(`${next}\n`);
    await handle.close();
    await rename(lock, file);
    return { ok: true };
  } catch (error) {
    await unlink(lock).catch(() => undefined);
    throw error;
  }
};
