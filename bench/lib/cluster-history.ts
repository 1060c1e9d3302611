import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdir } from 'node:fs/promises';
import { runGit } from '../../test/support/bare-repo';

/**
 * A cluster repository with history, generated in seconds: `git fast-import` streams every commit
 * (porcelain commits would take minutes), as test/integration/adapters/plain-git-large-repo.test.ts
 * does. `files` manifests spread over directories of 100, an environments/dev/kustomization.yaml the
 * promotion edits, and `commits` commits: the first writes everything, each later one rewrites 3% of
 * the files (300 of 10,000), the churn of a busy cluster repository.
 */

export interface ClusterHistory {
  readonly files: number;
  readonly commits: number;
}

const fileName = (i: number) =>
  `apps/a${String(Math.floor(i / 100)).padStart(3, '0')}/f${String(i % 100).padStart(3, '0')}.yaml`;

/** ~200 bytes that compress like real manifests, not like repeated text (hashes differ per version). */
const content = (i: number, version: number) => {
  const h = (n: number) => createHash('sha1').update(`${i}:${version}:${n}`).digest('hex');
  return `file: ${i}\nversion: ${version}\nchecksums:\n  - ${h(1)}\n  - ${h(2)}\n  - ${h(3)}\n  - ${h(4)}\n`;
};

const KUSTOMIZATION = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../apps/a000
`;

const fastImport = (repo: string, history: ClusterHistory, branch: string) =>
  new Promise<void>((resolve, reject) => {
    const child = spawn('git', ['fast-import', '--quiet'], { cwd: repo, stdio: ['pipe', 'ignore', 'pipe'] });
    const errors: Buffer[] = [];
    child.stderr.on('data', (c: Buffer) => errors.push(c));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`git fast-import: ${Buffer.concat(errors).toString()}`)),
    );
    const rewrites = Math.max(1, Math.round(history.files * 0.03));
    const out: string[] = [];
    const data = (s: string) => out.push(`data ${Buffer.byteLength(s)}\n${s}\n`);
    for (let c = 0; c < history.commits; c++) {
      out.push(
        `commit refs/heads/${branch}\ncommitter bench <bench@example.invalid> ${1_700_000_000 + c * 60} +0000\n`,
      );
      data(`commit ${c}\n`);
      const touched =
        c === 0
          ? Array.from({ length: history.files }, (_, i) => i)
          : Array.from({ length: rewrites }, (_, k) => (c * 7919 + k * 31) % history.files);
      if (c === 0) {
        out.push('M 100644 inline environments/dev/kustomization.yaml\n');
        data(KUSTOMIZATION);
      }
      for (const i of touched) {
        out.push(`M 100644 inline ${fileName(i)}\n`);
        data(content(i, c));
      }
      child.stdin.write(out.join(''));
      out.length = 0;
    }
    child.stdin.end();
  });

/** Creates a bare repository at `dir` holding `history` on `branch`, packed as a host would serve it. */
export const createClusterHistory = async (
  dir: string,
  history: ClusterHistory,
  branch = 'main',
): Promise<void> => {
  await mkdir(dir, { recursive: true });
  await runGit(dir, ['init', '--quiet', '--bare', `--initial-branch=${branch}`]);
  await fastImport(dir, history, branch);
  await runGit(dir, ['repack', '-a', '-d', '-q']);
};

/** A copy of a generated repository, so each path under test starts from identical bytes. */
export const copyRepository = (from: string, to: string): Promise<void> =>
  cp(from, to, { recursive: true, force: true });
