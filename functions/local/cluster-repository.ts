import * as fs from 'node:fs';
import { access } from 'node:fs/promises';
import git from 'isomorphic-git';
import type { GitHostWiring } from '../adapters/git-hosts/descriptor';
import { createGitHost } from '../adapters/git-hosts/registry';
import type { GitHost } from '../ports/git-host';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** The README of every new cluster repository the local runtime seeds. */
export const CLUSTER_README: Readonly<Record<string, string>> = {
  'README.md': `# Cluster repository (local)

Written by chart-promoter's embedded runtime. Layout (see chart-promoter's README):

- \`charts/<name>/<version>/\` — each promoted chart version, unpacked, written once
- \`environments/<env>/<name>.yaml\` — the Flux HelmRelease of each chart in that environment
- \`environments/<env>/kustomization.yaml\` — what Flux's Kustomization applies for that environment
`,
};

export interface ClusterRepositoryOptions {
  /** More files for the initial commit of a NEW repository (e.g. `.chart-promoter.yaml`). */
  readonly seed?: Readonly<Record<string, string>>;
}

/**
 * The local default cluster repository: a bare git repository in the work dir, created with one
 * initial commit on first use (so the branch exists, as in any real cluster repository).
 * An existing repository is never changed. Inspect it with `git --git-dir <path> log --stat` or clone it.
 */
export const ensureClusterRepository = async (
  path: string,
  branch: string,
  options: ClusterRepositoryOptions = {},
): Promise<GitHost> => {
  const exists = await access(`${path}/HEAD`).then(
    () => true,
    () => false,
  );
  if (!exists) await git.init({ fs, dir: path, gitdir: path, bare: true, defaultBranch: branch });
  const { host } = await localClusterHost(path);
  const { head } = await host.snapshot(branch, { files: [], trees: [] });
  if (head === undefined) {
    await host.commit(branch, undefined, {
      message: 'initialise the cluster repository\n',
      changes: Object.entries({ ...CLUSTER_README, ...options.seed }).map(([file, content]) => ({
        path: file,
        content: text(content),
      })),
    });
  }
  return host;
};

/** The plain-git host of a bare repository on a local path, built through the Git-host registry. */
export const localClusterHost = (gitdir: string): Promise<GitHostWiring> =>
  createGitHost('git', { repository: gitdir, workDir: gitdir });
