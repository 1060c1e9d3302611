import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Bare git repositories for tests, made and inspected with the real git CLI (async: never block the
 * event loop, a git HTTP server may be running in this process).
 */

const GIT_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'test',
  GIT_AUTHOR_EMAIL: 'test@example.invalid',
  GIT_COMMITTER_NAME: 'test',
  GIT_COMMITTER_EMAIL: 'test@example.invalid',
};

export type Git = (...args: string[]) => Promise<string>;

/** Runs git in `dir` (stdin from `input` when given) and resolves to its trimmed stdout. */
export const runGit = (
  dir: string,
  args: readonly string[],
  input?: string | Uint8Array,
  env?: NodeJS.ProcessEnv,
) =>
  new Promise<string>((resolve, reject) => {
    const child = execFile(
      'git',
      args,
      { cwd: dir, env: { ...GIT_ENV, ...env }, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`git ${args.join(' ')}: ${stderr || error.message}`, { cause: error }));
        else resolve(stdout.trim());
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });

/** `gitIn(dir)('rev-parse', 'main')`. */
export const gitIn =
  (dir: string): Git =>
  (...args) =>
    runGit(dir, args);

/** Creates a bare repository at `dir` whose `branch` holds one commit with `seedFiles` (none: empty repo). */
export const createBareRepo = async (
  dir: string,
  seedFiles: Readonly<Record<string, string>>,
  { branch = 'main' }: { branch?: string } = {},
): Promise<Git> => {
  await mkdir(dir, { recursive: true });
  const git = gitIn(dir);
  await git('init', '--quiet', '--bare', `--initial-branch=${branch}`);
  if (Object.keys(seedFiles).length === 0) return git;
  const work = await mkdtemp(path.join(tmpdir(), 'seed-'));
  try {
    const wgit = gitIn(work);
    await wgit('init', '--quiet', `--initial-branch=${branch}`);
    for (const [file, content] of Object.entries(seedFiles)) {
      await mkdir(path.dirname(path.join(work, file)), { recursive: true });
      await writeFile(path.join(work, file), content);
    }
    await wgit('add', '-A');
    await wgit('commit', '--quiet', '-m', 'seed');
    await wgit('push', '--quiet', dir, `${branch}:refs/heads/${branch}`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return git;
};

/**
 * Another writer: commits `file` on `branch` directly in the bare repository with plumbing (no work
 * tree), moving the branch with `update-ref <new> <old>` (git's own compare-and-swap). Returns the sha.
 */
export const commitFile = async (
  dir: string,
  branch: string,
  file: string,
  content: string,
): Promise<string> => {
  const index = path.join(tmpdir(), `index-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const env = { GIT_INDEX_FILE: index };
  try {
    const parent = await runGit(dir, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`]).catch(
      () => '',
    );
    if (parent) await runGit(dir, ['read-tree', parent], undefined, env);
    const blob = await runGit(dir, ['hash-object', '-w', '--stdin'], content);
    await runGit(dir, ['update-index', '--add', '--cacheinfo', `100644,${blob},${file}`], undefined, env);
    const tree = await runGit(dir, ['write-tree'], undefined, env);
    const commit = await runGit(
      dir,
      ['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-m', `competing: ${file}`],
      undefined,
      env,
    );
    await runGit(dir, ['update-ref', `refs/heads/${branch}`, commit, parent || '0'.repeat(40)]);
    return commit;
  } finally {
    await rm(index, { force: true });
  }
};
