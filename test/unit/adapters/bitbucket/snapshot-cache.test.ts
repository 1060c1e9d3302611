import { describe, expect, it } from 'vitest';
import { RepoState, SnapshotCache } from '../../../../functions/adapters/git-hosts/bitbucket/snapshot-cache';
import { blobId, treeId } from '../../../../functions/ports/git-object-id';

const text = (s: string) => new TextEncoder().encode(s);
const chart = [
  { path: 'Chart.yaml', data: text('name: x\n') },
  { path: 'templates/a.yaml', data: text('a') },
  { path: 'values.yaml', data: text('v: 1\n') },
];

const known = (): RepoState => {
  const state = new RepoState('c1');
  state.files.set('environments/dev/x.yaml', 'kind: HelmRelease\n');
  state.files.set('README.md', '# r\n');
  state.trees.set('charts/x/2.0.0', null);
  state.contents.set(
    'charts/x/1.0.0',
    chart.map((f) => ({ path: f.path, mode: '100644' as const, id: blobId(f.data) })),
  );
  state.directories.set('environments', ['dev/x.yaml']);
  return state;
};

describe('RepoState', () => {
  it('derives tree ids and listings of any directory inside one whose contents it holds', () => {
    const state = known();
    expect(state.tree('charts/x/1.0.0')).toBe(treeId(chart));
    expect(state.tree('charts/x/1.0.0/templates')).toBe(treeId([{ path: 'a.yaml', data: text('a') }]));
    expect(state.tree('charts/x/1.0.0/values.yaml')).toBeNull(); // a file, not a directory
    expect(state.tree('charts/x/1.0.0/none')).toBeNull();
    expect(state.tree('charts/x/2.0.0')).toBeNull();
    expect(state.tree('charts/y/1.0.0')).toBeUndefined();
    expect(state.listing('charts/x/1.0.0')).toEqual(['Chart.yaml', 'templates/a.yaml', 'values.yaml']);
  });

  it('moves to another commit without what lies on, above or below the paths that differ', () => {
    const next = known().rebased('c2', ['environments/dev/x.yaml', 'charts/x/1.0.0/values.yaml']);
    expect(next.commit).toBe('c2');
    expect(next.files.has('environments/dev/x.yaml')).toBe(false);
    expect(next.directories.has('environments')).toBe(false);
    expect(next.tree('charts/x/1.0.0')).toBeUndefined();
    expect(next.files.get('README.md')).toBe('# r\n');
    expect(next.tree('charts/x/2.0.0')).toBeNull();
  });

  it('follows its own commit exactly: written files, new directories, changed contents, deletions', () => {
    // Act
    const next = known().committed('c2', [
      { path: 'charts/x/2.0.0/Chart.yaml', content: text('name: x\nversion: 2\n') },
      { path: 'charts/x/2.0.0/templates/a.yaml', content: text('a') },
      { path: 'charts/x/1.0.0/values.yaml', content: text('v: 2\n') },
      { path: 'environments/dev/x.yaml', content: null },
      { path: 'environments/dev/y.yaml', content: text('kind: HelmRelease\n') },
    ]);
    // Assess
    expect(next.tree('charts/x/2.0.0')).toBe(
      treeId([
        { path: 'Chart.yaml', data: text('name: x\nversion: 2\n') },
        { path: 'templates/a.yaml', data: text('a') },
      ]),
    );
    expect(next.tree('charts/x/2.0.0/templates')).toBe(next.tree('charts/x/1.0.0/templates'));
    expect(next.tree('charts/x/1.0.0')).toBe(
      treeId([chart[0]!, chart[1]!, { path: 'values.yaml', data: text('v: 2\n') }]),
    );
    expect(next.files.get('environments/dev/x.yaml')).toBeNull();
    expect(next.listing('environments')).toEqual(['dev/y.yaml']);
  });

  it('forgets a directory whose files were all deleted', () => {
    const next = known().committed(
      'c2',
      chart.map((f) => ({ path: `charts/x/1.0.0/${f.path}`, content: null })),
    );
    expect(next.tree('charts/x/1.0.0')).toBeNull();
  });
});

describe('SnapshotCache', () => {
  it('carries knowledge over a commit only from the state at its parent', () => {
    const cache = new SnapshotCache();
    cache.store(known());
    cache.committed('other', 'c9', [{ path: 'README.md', content: text('x') }]);
    expect(cache.latest()?.commit).toBe('c1');
    cache.committed('c1', 'c2', [{ path: 'README.md', content: text('x') }]);
    expect(cache.latest()?.files.get('README.md')).toBe('x');
  });

  it('drops everything rather than exceed its bounds', () => {
    const cache = new SnapshotCache({ maxEntries: 3 });
    cache.store(known());
    expect(cache.latest()).toBeUndefined();
  });
});
