/**
 * Where things live in the cluster repository (contract, README "The cluster repository"):
 *
 *   charts/<name>/<version>/                 the unpacked chart, written once
 *   environments/<env>/kustomization.yaml    kustomize list of the environment's releases
 *   environments/<env>/<name>.yaml           HelmRelease
 *
 * The two roots are configurable so a repository can host several clusters under subfolders.
 */
export interface RepositoryLayout {
  /** @default 'charts' */
  readonly chartsDir: string;
  /** @default 'environments' */
  readonly environmentsDir: string;
}

export const DEFAULT_LAYOUT: RepositoryLayout = { chartsDir: 'charts', environmentsDir: 'environments' };

export const chartDir = (layout: RepositoryLayout, name: string, version: string): string =>
  `${layout.chartsDir}/${name}/${version}`;

/** The chart path as the HelmRelease names it: relative to the root of the GitRepository artifact. */
export const chartSourcePath = (layout: RepositoryLayout, name: string, version: string): string =>
  `./${chartDir(layout, name, version)}`;

export const environmentDir = (layout: RepositoryLayout, environment: string): string =>
  `${layout.environmentsDir}/${environment}`;

export const releaseFileName = (name: string): string => `${name}.yaml`;

export const releasePath = (layout: RepositoryLayout, environment: string, name: string): string =>
  `${environmentDir(layout, environment)}/${releaseFileName(name)}`;

export const kustomizationPath = (layout: RepositoryLayout, environment: string): string =>
  `${environmentDir(layout, environment)}/kustomization.yaml`;

// A DNS-1123 label: what a Kubernetes namespace (our default release namespace) must be, and a safe
// single path segment (no `/`, no `..`). Chart names are checked at intake (CHART_NAME_INVALID).
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export const isValidEnvironmentName = (environment: string): boolean => DNS_LABEL.test(environment);
