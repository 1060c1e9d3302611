import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlainGitHost } from '../../../functions/adapters/git-hosts/git/plain-git-host';
import { commitFile, createBareRepo, type Git, runGit } from '../../support/bare-repo';
import { type GitHttpServer, startGitHttpServer } from '../../support/git-http-server';
import { scaledTimeout } from '../../support/machine-speed';

/**
 * A cluster repository of 10,000 files (100 directories of 100) with 200 commits of history, each of
 * the later 199 rewriting 300 files: what a promotion through the HTTP adapter transfers, cold (empty
 * work dir: one depth-1 fetch of the tip) and warm (incremental fetch), against full and shallow clones.
 */

const FILES = 10_000;
const COMMITS = 200;
const REWRITES_PER_COMMIT = 300;
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const fileName = (i: number) =>
  `apps/a${String(Math.floor(i / 100)).padStart(3, '0')}/f${String(i % 100).padStart(3, '0')}.yaml`;
const content = (i: number, version: number) => {
  const h = (n: number) => createHash('sha1').update(`${i}:${version}:${n}`).digest('hex');
  return `file: ${i}\nversion: ${version}\nchecksums:\n  - ${h(1)}\n  - ${h(2)}\n  - ${h(3)}\n  - ${h(4)}\n`;
};

/** Streams the whole history into `git fast-import` (seconds, where porcelain commits take minutes). */
const fastImport = (repo: string) =>
  new Promise<void>((resolve, reject) => {
    const child = spawn('git', ['fast-import', '--quiet'], { cwd: repo, stdio: ['pipe', 'ignore', 'pipe'] });
    const errors: Buffer[] = [];
    child.stderr.on('data', (c: Buffer) => errors.push(c));
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(Buffer.concat(errors).toString())),
    );
    const out: string[] = [];
    const data = (s: string) => out.push(`data ${Buffer.byteLength(s)}\n${s}\n`);
    for (let c = 0; c < COMMITS; c++) {
      out.push(
        `commit refs/heads/main\ncommitter test <test@example.invalid> ${1_700_000_000 + c * 60} +0000\n`,
      );
      data(`commit ${c}`);
      const touched =
        c === 0
          ? Array.from({ length: FILES }, (_, i) => i)
          : Array.from({ length: REWRITES_PER_COMMIT }, (_, k) => (c * 7919 + k * 31) % FILES);
      for (const i of touched) {
        out.push(`M 100644 inline ${fileName(i)}\n`);
        data(content(i, c));
      }
      child.stdin.write(out.join(''));
      out.length = 0;
    }
    child.stdin.end();
  });

describe('PlainGitHost over smart HTTP on a 10,000-file repository', () => {
  let root: string;
  let repo: string;
  let git: Git;
  let server: GitHttpServer;

  const cloneBytes = async (...args: string[]) => {
    const before = server.requests.bytesOut;
    const target = path.join(root, `clone-${Math.random().toString(36).slice(2)}`);
    await runGit(root, ['clone', '--quiet', '--bare', ...args, server.url('cluster.git'), target]);
    await rm(target, { recursive: true, force: true });
    return server.requests.bytesOut - before;
  };

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'plain-git-large-'));
    repo = path.join(root, 'cluster.git');
    git = await createBareRepo(repo, {});
    await fastImport(repo);
    await git('repack', '-a', '-d', '--quiet');
    server = await startGitHttpServer({ root });
  }, scaledTimeout(300_000));
  afterAll(async () => {
    await server?.close();
    await rm(root, { recursive: true, force: true });
  });

  it('promotes with a depth-1 fetch cold and an incremental fetch warm', { timeout: 300_000 }, async () => {
    // Prepare
    expect(Number(await git('rev-list', '--count', 'main'))).toBe(COMMITS);
    const fullClone = await cloneBytes();
    const shallowClone = await cloneBytes('--depth', '1');
    const host = new PlainGitHost({
      fs,
      remote: { url: server.url('cluster.git'), workDir: path.join(root, 'work') },
    });
    const promote = async (version: string) => {
      const started = performance.now();
      const before = host.stats();
      const snapshot = await host.snapshot('main', { files: ['apps/a000/f000.yaml'], trees: ['apps/a001'] });
      const result = await host.commit('main', snapshot.head, {
        message: `promote demo ${version} to dev`,
        changes: [
          { path: `charts/demo/${version}/Chart.yaml`, content: text(`name: demo\nversion: ${version}\n`) },
          { path: 'environments/dev/demo.yaml', content: text(`chart: ./charts/demo/${version}\n`) },
        ],
      });
      const after = host.stats();
      return {
        result,
        snapshot,
        ms: Math.round(performance.now() - started),
        received: after.bytesReceived - before.bytesReceived,
        sent: after.bytesSent - before.bytesSent,
        requests: after.requests - before.requests,
      };
    };

    // Act
    const cold = await promote('1.0.0');
    await commitFile(repo, 'main', 'environments/prod/other.yaml', 'someone else\n');
    const warm = await promote('1.0.1');

    // Assess
    console.log(
      JSON.stringify({
        fullClone,
        shallowClone,
        cold: { ...cold, result: undefined, snapshot: undefined },
        warm: { ...warm, result: undefined, snapshot: undefined },
      }),
    );
    expect(cold.snapshot.files.get('apps/a000/f000.yaml')).toMatch(/^file: 0\n/);
    expect(cold.snapshot.trees.get('apps/a001')).toBe(
      await git('rev-parse', `${cold.snapshot.head}:apps/a001`),
    );
    expect(await git('rev-parse', 'main')).toBe(warm.result.sha);
    expect(await git('rev-parse', 'main~2')).toBe(cold.result.sha);
    expect(await git('show', 'main:environments/dev/demo.yaml')).toBe('chart: ./charts/demo/1.0.1');
    // Cold: the tip's objects only, about what git's own depth-1 clone moves, far below a full clone.
    expect(cold.received).toBeLessThan(fullClone / 5);
    expect(cold.received).toBeLessThan(shallowClone * 1.5);
    // Pushes carry only the new objects (a few trees, two blobs, one commit), never the 10,000 files.
    expect(cold.sent).toBeLessThan(20_000);
    // Warm: one commit by someone else, fetched incrementally: bytes, not megabytes.
    expect(warm.received).toBeLessThan(fullClone / 200);
    expect(warm.sent).toBeLessThan(20_000);
    await git('fsck', '--strict');
  });
});
