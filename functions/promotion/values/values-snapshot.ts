import type { RepoSnapshot, SnapshotRequest } from '../../ports/git-host';
import { treeId } from '../../ports/git-object-id';
import {
  DEFAULT_LAYOUT,
  environmentDir,
  kustomizationPath,
  type RepositoryLayout,
  releasePath,
} from '../layout';
import { readReleaseState } from '../manifests/release-annotations';
import { generatorFiles } from './values-sources';

/**
 * What a values change reads, all from one commit (readWithPolicy's fixpoint): the environment's
 * HelmRelease and kustomization, then the files its ConfigMap generators read and the chart directory
 * the HelmRelease names (its tree id and file list), then that directory's files. Three snapshots the
 * first time a chart version is seen; chart directories are content-addressed (a tree id names its
 * files for good), so a version read once is kept here and later changes read one snapshot less.
 */
export interface ChartFile {
  readonly path: string;
  readonly data: Uint8Array;
}

const encoder = new TextEncoder();

/** The chart directory a HelmRelease's `spec.chart.spec.chart` names, repository-relative. */
export const chartDirOf = (chartPath: string): string | undefined => {
  const parts = chartPath.split('/').filter((part) => part !== '' && part !== '.');
  return parts.length === 0 || parts.includes('..') ? undefined : parts.join('/');
};

// Chart directories by tree id: at most this many, and this many bytes, kept per process.
const CACHE_ENTRIES = 16;
const CACHE_BYTES = 64 * 1024 * 1024;
const chartFilesByTree = new Map<string, readonly ChartFile[]>();

const remember = (tree: string, files: readonly ChartFile[]): void => {
  chartFilesByTree.delete(tree);
  chartFilesByTree.set(tree, files);
  const size = () =>
    [...chartFilesByTree.values()].reduce(
      (sum, list) => sum + list.reduce((n, f) => n + f.data.byteLength, 0),
      0,
    );
  while (chartFilesByTree.size > CACHE_ENTRIES || (chartFilesByTree.size > 1 && size() > CACHE_BYTES))
    chartFilesByTree.delete(chartFilesByTree.keys().next().value!);
};

/** The chart directory of the release in `snapshot`, when it names one. */
const releaseChartDir = (
  snapshot: RepoSnapshot | undefined,
  environment: string,
  chart: string,
  layout: RepositoryLayout,
): string | undefined => {
  const text = snapshot?.files.get(releasePath(layout, environment, chart));
  const state = text === undefined ? undefined : readReleaseState(text);
  return state?.ok ? chartDirOf(state.chartPath) : undefined;
};

/** The readWithPolicy request of a values change for `chart` in `environment`. */
export const valuesSnapshotRequest =
  (environment: string, chart: string, layout: RepositoryLayout = DEFAULT_LAYOUT) =>
  (_policy: unknown, previous: RepoSnapshot | undefined): SnapshotRequest => {
    const kustomization = kustomizationPath(layout, environment);
    const files = new Set([releasePath(layout, environment, chart), kustomization]);
    for (const file of generatorFiles(
      previous?.files.get(kustomization),
      environmentDir(layout, environment),
    ))
      files.add(file);
    const trees: string[] = [];
    const directories: string[] = [];
    const dir = releaseChartDir(previous, environment, chart, layout);
    if (dir !== undefined) {
      trees.push(dir);
      const tree = previous?.trees.get(dir);
      if (tree === undefined || !chartFilesByTree.has(tree)) {
        directories.push(dir);
        for (const file of previous?.directories?.get(dir) ?? []) files.add(`${dir}/${file}`);
      }
    }
    return { files: [...files].sort(), trees, ...(directories.length > 0 ? { directories } : {}) };
  };

export type ChartFilesRead =
  | { readonly ok: true; readonly files: readonly ChartFile[]; readonly tree: string }
  | { readonly ok: false; readonly code: 'VERSION_NOT_FOUND' | 'CHART_UNREADABLE'; readonly message: string };

/**
 * The files of chart directory `dir` in `snapshot`, proven to be the directory's exact bytes: their
 * git tree id, computed here, must be the one the host reported (a host returns file contents as
 * text, so a binary file would come back altered: CHART_UNREADABLE rather than render something else).
 */
export const chartFilesIn = (snapshot: RepoSnapshot, dir: string): ChartFilesRead => {
  const tree = snapshot.trees.get(dir);
  if (tree === undefined)
    return { ok: false, code: 'VERSION_NOT_FOUND', message: `${dir}/ is not in the repository` };
  const cached = chartFilesByTree.get(tree);
  if (cached) return { ok: true, files: cached, tree };
  const listing = snapshot.directories?.get(dir) ?? [];
  const files: ChartFile[] = [];
  for (const path of listing) {
    const text = snapshot.files.get(`${dir}/${path}`);
    if (text === undefined)
      return { ok: false, code: 'CHART_UNREADABLE', message: `${dir}/${path} could not be read` };
    files.push({ path, data: encoder.encode(text) });
  }
  if (files.length === 0 || treeId(files) !== tree) {
    return {
      ok: false,
      code: 'CHART_UNREADABLE',
      message: `${dir}/ holds files the Git host returns as other bytes than they are (binary files, e.g. a vendored charts/*.tgz): the chart cannot be rendered to check the values`,
    };
  }
  remember(tree, files);
  return { ok: true, files, tree };
};
