import semver from 'semver';
import type { FileChange, RepoSnapshot } from '../../ports/git-host';
import { chartDir, type RepositoryLayout, releasePath } from '../layout';
import { readReleaseState } from '../manifests/release-annotations';

/**
 * Retention (`retain: n` in .chart-promoter.yaml): after a promotion, the vendored versions under
 * charts/<name>/ that no HelmRelease references and that are older (semver) than the newest n are
 * deleted in the same commit. Pure: the snapshot (read with `retentionRequest`) and the plan's own
 * writes in, file deletions out.
 *
 * Never pruned, whatever their age:
 * - a version any environment's HelmRelease points at (after this commit);
 * - a version a HelmRelease names in `chart-promoter.io/previous-version`: the default rollback target
 *   (`rollback <chart> --env <env>` without `--to`) must still exist when it is needed;
 * - a directory whose name is not a semver version (no order to judge it by);
 * - any version of a chart when one of its HelmReleases could not be read (unknown = referenced).
 * Only environments/<env>/<name>.yaml files are consulted (the only file name the pipeline writes):
 * a hand-written HelmRelease for the chart under another file name is not seen.
 */
export interface RetentionInput {
  readonly snapshot: RepoSnapshot;
  readonly layout: RepositoryLayout;
  /** Newest versions to keep besides the referenced ones; 0 disables retention. */
  readonly retain: number;
  /** Charts this commit promotes: only their directories are pruned. */
  readonly charts: readonly string[];
  /** Environments of the policy (plus those found under environments/ by the caller). */
  readonly environments: readonly string[];
  /** The change set's own writes (new HelmReleases and chart versions). */
  readonly changes: readonly FileChange[];
}

export interface PrunedChart {
  readonly chart: string;
  /** Newest first. */
  readonly versions: readonly string[];
}

export interface RetentionPlan {
  readonly deletions: readonly FileChange[];
  readonly pruned: readonly PrunedChart[];
}

const decoder = new TextDecoder();

/** Version directory → its files (relative to charts/<name>/), from the listing and this plan's writes. */
const versionFiles = (input: RetentionInput, chart: string): Map<string, string[]> => {
  const base = `${input.layout.chartsDir}/${chart}`;
  const versions = new Map<string, string[]>();
  const add = (relative: string): void => {
    const [version, ...rest] = relative.split('/');
    if (!version || rest.length === 0) return;
    versions.set(version, [...(versions.get(version) ?? []), relative]);
  };
  for (const relative of input.snapshot.directories?.get(base) ?? []) add(relative);
  for (const change of input.changes)
    if (change.content !== null && change.path.startsWith(`${base}/`))
      add(change.path.slice(base.length + 1));
  return versions;
};

/** The versions HelmReleases of `chart` reference after this commit; `undefined` when one cannot be read. */
const referencedVersions = (input: RetentionInput, chart: string): Set<string> | undefined => {
  const written = new Map(input.changes.map((change) => [change.path, change.content] as const));
  const referenced = new Set<string>();
  for (const environment of input.environments) {
    const path = releasePath(input.layout, environment, chart);
    const change = written.get(path);
    if (change === null) continue;
    if (change === undefined && !input.snapshot.files.has(path)) return undefined; // not read: unknown
    const text = change === undefined ? input.snapshot.files.get(path) : decoder.decode(change);
    if (text === undefined) continue;
    const state = readReleaseState(text);
    if (!state.ok) return undefined;
    referenced.add(state.version);
    const dirPrefix = `./${chartDir(input.layout, chart, '')}`;
    if (state.chartPath.startsWith(dirPrefix))
      referenced.add(state.chartPath.slice(dirPrefix.length).split('/')[0]!);
    if (state.previousVersion !== undefined) referenced.add(state.previousVersion);
  }
  return referenced;
};

/** Which versions of one chart go: unreferenced semver versions outside the newest `retain`. */
export const prunableVersions = (
  versions: readonly string[],
  referenced: ReadonlySet<string>,
  retain: number,
): string[] => {
  const ordered = versions.filter((version) => semver.valid(version) !== null).sort(semver.rcompare);
  return ordered.slice(retain).filter((version) => !referenced.has(version));
};

export const planRetention = (input: RetentionInput): RetentionPlan => {
  if (input.retain <= 0) return { deletions: [], pruned: [] };
  const deletions: FileChange[] = [];
  const pruned: PrunedChart[] = [];
  for (const chart of [...new Set(input.charts)].sort()) {
    const referenced = referencedVersions(input, chart);
    if (referenced === undefined) continue;
    const files = versionFiles(input, chart);
    const versions = prunableVersions([...files.keys()], referenced, input.retain);
    if (versions.length === 0) continue;
    pruned.push({ chart, versions });
    for (const version of versions) {
      for (const relative of files.get(version) ?? []) {
        deletions.push({ path: `${input.layout.chartsDir}/${chart}/${relative}`, content: null });
      }
    }
  }
  return { deletions, pruned };
};

/** One body paragraph for the commit message: what retention removed. */
export const retentionNote = (plan: RetentionPlan, retain: number): string | undefined =>
  plan.pruned.length === 0
    ? undefined
    : `retain ${retain}: remove ${plan.pruned.map((p) => `${p.chart} ${p.versions.join(', ')}`).join('; ')}`;
