import { describe, expect, it } from 'vitest';
import type { GitHost } from '../../functions/ports/git-host';
import { GitHostError } from '../../functions/ports/git-host-error';
import { blobId, treeId } from '../../functions/ports/git-object-id';
import { scaledTimeout } from './machine-speed';
import { bySize } from './reliability/reliability-size';

/**
 * One behaviour suite every GitHost adapter must pass (GitHub API, plain git over HTTP, local path).
 * The fixture is backed by a real git repository, so assertions read the truth with the git CLI.
 */
export interface GitHostFixture {
  readonly host: GitHost;
  readonly branch: string;
  /** Runs the git CLI in the backing (bare) repository and returns trimmed stdout. */
  git(...args: string[]): Promise<string>;
  /** Another writer commits `path` directly on the branch in the backing repository; returns its sha. */
  competingCommit(path: string, content: string): Promise<string>;
  close(): Promise<void>;
}

export type GitHostFixtureFactory = (seed: Readonly<Record<string, string>>) => Promise<GitHostFixture>;

const SEED = {
  'README.md': '# cluster\n',
  'environments/dev/kustomization.yaml': 'resources: []\n',
  'charts/demo/1.0.0/Chart.yaml': 'apiVersion: v2\nname: demo\nversion: 1.0.0\n',
  'charts/demo/1.0.0/templates/cm.yaml': 'kind: ConfigMap\n',
};

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** The GitHostError `promise` rejects with (the test fails if it resolves or rejects with anything else). */
export const gitHostFailure = (promise: Promise<unknown>): Promise<GitHostError> =>
  promise.then(
    () => {
      throw new Error('expected a GitHostError');
    },
    (error: unknown) => {
      expect(error).toBeInstanceOf(GitHostError);
      return error as GitHostError;
    },
  );

/**
 * Writers racing for one branch. Each commit that lands sends every writer still waiting back to
 * re-read and retry, so the attempts grow with the square of the count: 8 in `npm test`, 20 in the
 * full size (`npm run test:full`, CHART_PROMOTER_RELIABILITY=full), which over smart HTTP spawns
 * hundreds of `git http-backend` processes.
 */
const CONCURRENT_WRITERS = bySize(8, 20);

/** At rest well under a minute; scaled with the machine's slowdown (machine-speed.ts). */
const CONCURRENT_WRITERS_TIMEOUT_MS = scaledTimeout(150_000);

const withFixture =
  (factory: GitHostFixtureFactory, test: (fixture: GitHostFixture) => Promise<void>) => async () => {
    const fixture = await factory(SEED);
    try {
      await test(fixture);
    } finally {
      await fixture.close();
    }
  };

export const describeGitHostContract = (name: string, factory: GitHostFixtureFactory): void => {
  describe(`GitHost contract: ${name}`, () => {
    it(
      'reads the head, file texts and tree ids of a snapshot',
      withFixture(factory, async ({ host, branch, git }) => {
        const snapshot = await host.snapshot(branch, {
          files: [
            'README.md',
            'environments/dev/kustomization.yaml',
            'missing.yaml',
            'environments/nope/x.yaml',
          ],
          trees: ['charts/demo/1.0.0', 'charts/demo/9.9.9'],
        });
        expect(snapshot.head).toBe(await git('rev-parse', branch));
        expect(snapshot.files.get('README.md')).toBe('# cluster\n');
        expect(snapshot.files.get('environments/dev/kustomization.yaml')).toBe('resources: []\n');
        expect(snapshot.files.get('missing.yaml')).toBeUndefined();
        expect(snapshot.files.get('environments/nope/x.yaml')).toBeUndefined();
        expect(snapshot.trees.get('charts/demo/1.0.0')).toBe(
          await git('rev-parse', `${branch}:charts/demo/1.0.0`),
        );
        expect(snapshot.trees.get('charts/demo/9.9.9')).toBeUndefined();
      }),
    );

    it(
      'says whether directories exist, without tree ids (and knows a directory its own commit created)',
      withFixture(factory, async ({ host, branch, git }) => {
        const exists = [
          'charts',
          'charts/demo/1.0.0',
          'charts/demo/9.9.9',
          'environments/dev',
          'README.md',
          'no/such/deep/dir',
        ];
        // Act
        const before = await host.snapshot(branch, { files: ['README.md'], trees: [], exists });
        const head = await git('rev-parse', branch);
        await host.commit(branch, head, {
          message: 'add demo 2.0.0',
          changes: [{ path: 'charts/demo/2.0.0/Chart.yaml', content: text('name: demo\n') }],
        });
        const after = await host.snapshot(branch, {
          files: [],
          trees: [],
          exists: ['charts/demo/2.0.0', 'charts/demo/9.9.9'],
        });
        // Assess: a file is not a directory; absent paths at any depth are false.
        expect(before.head).toBe(head);
        expect(Object.fromEntries(before.exists ?? [])).toEqual({
          charts: true,
          'charts/demo/1.0.0': true,
          'charts/demo/9.9.9': false,
          'environments/dev': true,
          'README.md': false,
          'no/such/deep/dir': false,
        });
        expect(before.files.get('README.md')).toBe('# cluster\n');
        expect(Object.fromEntries(after.exists ?? [])).toEqual({
          'charts/demo/2.0.0': true,
          'charts/demo/9.9.9': false,
        });
      }),
    );

    it(
      'lists the files below requested directories, recursively and relative to each',
      withFixture(factory, async ({ host, branch, git }) => {
        // Prepare: a second version with a nested directory, committed through the host.
        const head = await git('rev-parse', branch);
        await host.commit(branch, head, {
          message: 'add demo 1.1.0',
          changes: [
            { path: 'charts/demo/1.1.0/Chart.yaml', content: text('name: demo\n') },
            { path: 'charts/demo/1.1.0/templates/tests/t.yaml', content: text('kind: Pod\n') },
          ],
        });
        // Act
        const snapshot = await host.snapshot(branch, {
          files: [],
          trees: [],
          directories: ['charts/demo', 'environments', 'charts/none', 'README.md'],
        });
        // Assess: the truth is git's own listing.
        const listed = (await git('ls-tree', '-r', '--name-only', `${branch}:charts/demo`))
          .split('\n')
          .sort();
        expect(snapshot.directories?.get('charts/demo')).toEqual(listed);
        expect(listed).toEqual([
          '1.0.0/Chart.yaml',
          '1.0.0/templates/cm.yaml',
          '1.1.0/Chart.yaml',
          '1.1.0/templates/tests/t.yaml',
        ]);
        expect(snapshot.directories?.get('environments')).toEqual(['dev/kustomization.yaml']);
        expect(snapshot.directories?.get('charts/none')).toBeUndefined();
        expect(snapshot.directories?.get('README.md')).toBeUndefined();
      }),
    );

    it(
      'commits text, binary and deleted files in one commit on top of the expected head',
      withFixture(factory, async ({ host, branch, git }) => {
        const before = await git('rev-parse', branch);
        const binary = new Uint8Array([0, 1, 2, 0xff, 0xfe, 0x89, 0x50, 0x4e, 0x47]);
        const result = await host.commit(branch, before, {
          message: 'promote demo 2.0.0 to dev\n\nChart-Promoter-Run: run-1\n',
          changes: [
            {
              path: 'charts/demo/2.0.0/Chart.yaml',
              content: text('apiVersion: v2\nname: demo\nversion: 2.0.0\n'),
            },
            { path: 'charts/demo/2.0.0/files/logo.png', content: binary },
            { path: 'environments/dev/demo.yaml', content: text('kind: HelmRelease\n') },
            { path: 'README.md', content: null },
          ],
        });
        expect(result.parent).toBe(before);
        expect(await git('rev-parse', branch)).toBe(result.sha);
        expect(await git('rev-list', '--parents', '-n', '1', result.sha)).toBe(`${result.sha} ${before}`);
        expect(await git('show', `${result.sha}:charts/demo/2.0.0/Chart.yaml`)).toBe(
          'apiVersion: v2\nname: demo\nversion: 2.0.0',
        );
        expect(await git('cat-file', '-s', `${result.sha}:charts/demo/2.0.0/files/logo.png`)).toBe(
          String(binary.byteLength),
        );
        const binaryOid = await git('rev-parse', `${result.sha}:charts/demo/2.0.0/files/logo.png`);
        expect(binaryOid).toBe(blobId(binary));
        await expect(git('cat-file', '-e', `${result.sha}:README.md`)).rejects.toThrow();
        expect(await git('log', '-1', '--format=%B', result.sha)).toContain('Chart-Promoter-Run: run-1');
        const modes = await git('ls-tree', '-r', result.sha, 'charts/demo/2.0.0');
        for (const line of modes.split('\n')) expect(line.startsWith('100644 blob ')).toBe(true);
        await git('fsck', '--strict');
      }),
    );

    it(
      'writes trees whose ids match the locally computed ids (so unchanged chart versions are detected)',
      withFixture(factory, async ({ host, branch, git }) => {
        const files = [
          { path: 'Chart.yaml', data: text('apiVersion: v2\nname: x\nversion: 0.1.0\n') },
          { path: 'templates/deploy.yaml', data: text('kind: Deployment\n') },
          { path: 'templates/tests/t.yaml', data: text('kind: Pod\n') },
          { path: 'values.yaml', data: text('a: 1\n') },
        ];
        const head = await git('rev-parse', branch);
        const { sha } = await host.commit(branch, head, {
          message: 'add x',
          changes: files.map((f) => ({ path: `charts/x/0.1.0/${f.path}`, content: f.data })),
        });
        expect(await git('rev-parse', `${sha}:charts/x/0.1.0`)).toBe(treeId(files));
        const snapshot = await host.snapshot(branch, { files: [], trees: ['charts/x/0.1.0'] });
        expect(snapshot.trees.get('charts/x/0.1.0')).toBe(treeId(files));
      }),
    );

    it(
      'refuses with a retryable BRANCH_MOVED when another writer moved the branch (compare-and-swap)',
      withFixture(factory, async ({ host, branch, git, competingCommit }) => {
        const snapshot = await host.snapshot(branch, { files: [], trees: [] });
        const competitor = await competingCommit('other.txt', 'theirs\n');
        const error = await host
          .commit(branch, snapshot.head, {
            message: 'mine',
            changes: [{ path: 'mine.txt', content: text('m') }],
          })
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        expect(error).toBeInstanceOf(GitHostError);
        expect((error as GitHostError).code).toBe('BRANCH_MOVED');
        expect((error as GitHostError).retryable).toBe(true);
        expect(await git('rev-parse', branch)).toBe(competitor);
        expect(await git('show', `${branch}:other.txt`)).toBe('theirs');
      }),
    );

    it(
      `lets ${CONCURRENT_WRITERS} concurrent writers that re-read on BRANCH_MOVED all land, in a linear history`,
      withFixture(factory, async ({ host, branch, git }) => {
        const start = await git('rev-parse', branch);
        const writers = Array.from({ length: CONCURRENT_WRITERS }, async (_, i) => {
          for (let attempt = 0; attempt < 200; attempt++) {
            const { head } = await host.snapshot(branch, { files: [], trees: [] });
            try {
              return await host.commit(branch, head, {
                message: `writer ${i}`,
                changes: [{ path: `writers/${i}.txt`, content: text(`${i}\n`) }],
              });
            } catch (error) {
              if (!(error instanceof GitHostError) || error.code !== 'BRANCH_MOVED') throw error;
              await new Promise((r) => setTimeout(r, Math.random() * 20));
            }
          }
          throw new Error(`writer ${i} never landed`);
        });
        await Promise.all(writers);
        expect(Number(await git('rev-list', '--count', `${start}..${branch}`))).toBe(CONCURRENT_WRITERS);
        expect(await git('rev-list', '--merges', `${start}..${branch}`)).toBe('');
        const written = (await git('ls-tree', '--name-only', `${branch}:writers`)).split('\n').sort();
        expect(written).toEqual(Array.from({ length: CONCURRENT_WRITERS }, (_, i) => `${i}.txt`).sort());
        await git('fsck', '--strict');
      }),
      // It waits on its condition (all land); over smart HTTP every attempt spawns `git
      // http-backend` processes, which on a loaded 2-core machine can take minutes, not a bug.
      CONCURRENT_WRITERS_TIMEOUT_MS,
    );
  });
};
