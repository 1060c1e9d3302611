import * as fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type PlainGitAuth, PlainGitHost } from '../../../functions/adapters/git-hosts/git/plain-git-host';
import { GitHostError } from '../../../functions/ports/git-host-error';
import { commitFile, createBareRepo, type Git } from '../../support/bare-repo';
import { type GitHttpServer, startGitHttpServer } from '../../support/git-http-server';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const failure = (p: Promise<unknown>): Promise<GitHostError> =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e as GitHostError,
  );

describe('PlainGitHost over smart HTTP', () => {
  const credentials = { username: 'x-token-auth', password: 's3cret-token' };
  let root: string;
  let repo: string;
  let git: Git;
  let server: GitHttpServer;
  const hostWith = (auth?: PlainGitAuth, workDir = path.join(root, 'work')) =>
    new PlainGitHost({ fs, remote: { url: server.url('cluster.git'), workDir, ...(auth ? { auth } : {}) } });

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'plain-git-http-'));
    repo = path.join(root, 'cluster.git');
    git = await createBareRepo(repo, {
      'README.md': '# cluster\n',
      'environments/dev/kustomization.yaml': 'x\n',
    });
    server = await startGitHttpServer({ root, auth: credentials });
  });
  afterEach(async () => {
    await server.close();
    await rm(root, { recursive: true, force: true });
  });

  it('reads and commits with a token sent as basic-auth password', async () => {
    // Prepare
    const host = hostWith({ token: credentials.password, username: credentials.username });

    // Act
    const { head, files } = await host.snapshot('main', { files: ['README.md'], trees: [] });
    const { sha } = await host.commit('main', head, {
      message: 'promote',
      changes: [{ path: 'environments/dev/demo.yaml', content: text('kind: HelmRelease\n') }],
    });

    // Assess
    expect(files.get('README.md')).toBe('# cluster\n');
    expect(await git('rev-parse', 'main')).toBe(sha);
    expect(await git('show', 'main:environments/dev/demo.yaml')).toBe('kind: HelmRelease');
  });

  it('fails terminally with AUTH_FAILED on wrong or missing credentials', async () => {
    // Act
    const wrong = await failure(
      hostWith({ username: credentials.username, password: 'nope' }).snapshot('main', {
        files: [],
        trees: [],
      }),
    );
    const missing = await failure(hostWith().snapshot('main', { files: [], trees: [] }));

    // Assess
    for (const error of [wrong, missing]) {
      expect(error).toBeInstanceOf(GitHostError);
      expect(error.code).toBe('AUTH_FAILED');
      expect(error.retryable).toBe(false);
      expect(error.message).not.toContain('nope');
    }
  });

  it('fails with a retryable HOST_UNAVAILABLE when nothing listens', async () => {
    // Prepare: a port that was free a moment ago.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const { port } = probe.address() as { port: number };
    await new Promise((r) => probe.close(r));
    const host = new PlainGitHost({
      fs,
      remote: { url: `http://127.0.0.1:${port}/cluster.git`, workDir: path.join(root, 'work') },
    });

    // Act
    const error = await failure(host.snapshot('main', { files: [], trees: [] }));

    // Assess
    expect(error).toBeInstanceOf(GitHostError);
    expect(error.code).toBe('HOST_UNAVAILABLE');
    expect(error.retryable).toBe(true);
  });

  it('pushes a commit whose parent is the shallow tip, then fetches the next head incrementally', async () => {
    // Prepare: some history, so the work dir is really shallow.
    for (let i = 0; i < 5; i++) await commitFile(repo, 'main', `history/${i}.txt`, `${i}\n`);
    const auth = { token: credentials.password, username: credentials.username };
    const host = hostWith(auth);
    const { head } = await host.snapshot('main', { files: [], trees: [] });
    const workGit = path.join(root, 'work');
    const shallowFile = fs
      .readdirSync(workGit)
      .map((d) => path.join(workGit, d, 'shallow'))
      .find((f) => fs.existsSync(f));
    const shallow = shallowFile && fs.readFileSync(shallowFile, 'utf8').trim();

    // Act
    const { sha } = await host.commit('main', head, {
      message: 'on a shallow tip',
      changes: [{ path: 'history/new.txt', content: text('new\n') }],
    });
    const competitor = await commitFile(repo, 'main', 'other.txt', 'other\n');
    const before = host.stats();
    const next = await hostWith(auth).snapshot('main', { files: ['other.txt'], trees: [] });
    const warm = await host.snapshot('main', { files: ['other.txt', 'history/new.txt'], trees: [] });
    const after = host.stats();

    // Assess
    expect(shallow).toBe(head);
    expect(await git('rev-parse', 'main~1')).toBe(sha);
    expect(await git('rev-parse', `${sha}~1`)).toBe(head);
    await git('fsck', '--strict');
    expect(next.head).toBe(competitor);
    expect(warm.head).toBe(competitor);
    expect(warm.files.get('other.txt')).toBe('other\n');
    expect(warm.files.get('history/new.txt')).toBe('new\n');
    // The incremental fetch brings one commit, one changed root tree and one blob: a few hundred bytes.
    expect(after.bytesReceived - before.bytesReceived).toBeLessThan(2_000);
  });

  it('creates and force-moves a pull-request branch, and answers NOT_FOUND for a missing repository', async () => {
    // Prepare
    const auth = { username: credentials.username, password: credentials.password };
    const host = hostWith(auth);
    const { head } = await host.snapshot('main', { files: [], trees: [] });
    const { sha } = await host.commit('main', head, {
      message: 'x',
      changes: [{ path: 'x.txt', content: text('x') }],
    });
    const missing = new PlainGitHost({
      fs,
      remote: { url: server.url('missing.git'), workDir: path.join(root, 'work'), auth },
    });

    // Act
    await host.setBranch('promote/demo-2.0.0', sha);
    const created = await git('rev-parse', 'promote/demo-2.0.0');
    await host.setBranch('promote/demo-2.0.0', head as string);
    const error = await failure(missing.snapshot('main', { files: [], trees: [] }));

    // Assess
    expect(created).toBe(sha);
    expect(await git('rev-parse', 'promote/demo-2.0.0')).toBe(head);
    expect(error.code).toBe('NOT_FOUND');
    expect(error.retryable).toBe(false);
  });
});
