import type { RepoSnapshot, SnapshotRequest } from '../../ports/git-host';
import type { RepositoryLayout } from '../layout';
import { releasePath } from '../layout';

/** Environment names found under environments/ in a listing (first path segments). */
export const listedEnvironments = (
  snapshot: RepoSnapshot | undefined,
  layout: RepositoryLayout,
): string[] => {
  const listing = snapshot?.directories?.get(layout.environmentsDir) ?? [];
  return [...new Set(listing.flatMap((path) => (path.includes('/') ? [path.split('/')[0]!] : [])))];
};

/** Every environment retention must consult: the policy's, and any other directory under environments/. */
export const retentionEnvironments = (
  policyEnvironments: readonly string[],
  snapshot: RepoSnapshot | undefined,
  layout: RepositoryLayout,
): string[] => [...new Set([...policyEnvironments, ...listedEnvironments(snapshot, layout)])].sort();

/**
 * What retention reads besides planning's own request: the listing of charts/<name>/ (versions and
 * their files) and of environments/, and each environment's HelmRelease of the chart. Environments
 * that only the listing reveals are read on the next round (`previous` is the last snapshot).
 */
export const retentionRequest = (
  charts: readonly string[],
  policyEnvironments: readonly string[],
  previous: RepoSnapshot | undefined,
  layout: RepositoryLayout,
): SnapshotRequest & { readonly directories: readonly string[] } => {
  const environments = retentionEnvironments(policyEnvironments, previous, layout);
  const files = charts.flatMap((chart) => environments.map((env) => releasePath(layout, env, chart)));
  const directories = [layout.environmentsDir, ...charts.map((chart) => `${layout.chartsDir}/${chart}`)];
  return { files: [...new Set(files)].sort(), trees: [], directories: [...new Set(directories)].sort() };
};
