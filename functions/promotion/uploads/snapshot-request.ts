import type { SnapshotRequest } from '../../ports/git-host';
import {
  chartDir,
  DEFAULT_LAYOUT,
  isValidEnvironmentName,
  kustomizationPath,
  type RepositoryLayout,
  releasePath,
} from '../layout';
import type { PromotionRequest } from '../promotion';

/**
 * Exactly what planning reads: each environment's HelmRelease and kustomization texts, and the tree id
 * of each chart version (compared with the locally computed id, never downloaded).
 */
export const snapshotRequestFor = (
  requests: readonly PromotionRequest[],
  layout: RepositoryLayout = DEFAULT_LAYOUT,
): SnapshotRequest => {
  const files = new Set<string>();
  const trees = new Set<string>();
  for (const { chart, environment } of requests) {
    trees.add(chartDir(layout, chart.name, chart.version));
    if (!isValidEnvironmentName(environment)) continue;
    files.add(releasePath(layout, environment, chart.name));
    files.add(kustomizationPath(layout, environment));
  }
  return { files: [...files].sort(), trees: [...trees].sort() };
};
