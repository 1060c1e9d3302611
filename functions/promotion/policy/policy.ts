import picomatch from 'picomatch';

/**
 * The promotion policy of a cluster repository: `.chart-promoter.yaml` at its root, reviewed like
 * every other change to the cluster. Parsed by `parsePolicy` (parse-policy.ts); this module holds the
 * typed value and the questions the pipeline and the feedback endpoint ask it.
 *
 * ```yaml
 * environments:
 *   - name: dev            # the first environment: where new uploads go
 *     mode: direct         # direct (commit on the branch) | pull-request
 *   - name: staging
 *     after: dev           # promoted once dev reports the version healthy...
 *     soak: 10m            # ...and stayed so this long (Go durations: 30s, 10m, 1h30m)
 *     autoRollback: true   # a failed install/upgrade (or a missed convergeWithin) commits the previous version back
 *     convergeWithin: 15m  # no healthy Flux event by then: the release is `not-converged` (default 15m)
 *   - name: prod
 *     after: staging
 *     soak: 1h
 *     mode: pull-request
 *     charts: ["hello-*", "podinfo"]   # allow-list for this environment (picomatch globs)
 * charts: ["*"]            # allow-list for every environment
 * requireProvenance: false # uploads need a verifying <key>.prov (global, or on the first environment)
 * retain: 0                # keep the newest n versions of a promoted chart (plus every referenced one)
 * ```
 */
export const POLICY_PATH = '.chart-promoter.yaml';

export type PromotionMode = 'direct' | 'pull-request';

export interface EnvironmentPolicy {
  /** DNS-1123 label: the directory under environments/ and the default release namespace. */
  readonly name: string;
  readonly mode: PromotionMode;
  /** The environment this one follows; absent for the first. */
  readonly after?: string;
  /** How long `after` must have run the version healthy before it comes here (ms). */
  readonly soakMs: number;
  readonly autoRollback: boolean;
  /** Chart-name globs allowed here; absent = every chart the global list allows. */
  readonly charts?: readonly string[];
  readonly requireProvenance: boolean;
  /**
   * How long a commit here may wait for Flux to report it healthy before the ledger marks it
   * `not-converged` (ms). @default DEFAULT_CONVERGE_WITHIN_MS (absent: the default)
   */
  readonly convergeWithinMs?: number;
}

/**
 * 15 minutes: a commit reaches the cluster at the GitRepository's interval (`flux bootstrap` sets
 * 1m), the HelmRelease then upgrades (its timeout defaults to 5m:
 * https://fluxcd.io/flux/components/helm/helmreleases/#timeout); 15m leaves room for both.
 */
export const DEFAULT_CONVERGE_WITHIN_MS = 15 * 60_000;

/** The environment's convergence deadline, the default when the policy names none. */
export const convergeWithinOf = (environment: EnvironmentPolicy): number =>
  environment.convergeWithinMs ?? DEFAULT_CONVERGE_WITHIN_MS;

export interface PromotionPolicy {
  /** In file order; the first receives new uploads. Never empty. */
  readonly environments: readonly EnvironmentPolicy[];
  /** Chart-name globs allowed anywhere; absent = all. */
  readonly charts?: readonly string[];
  readonly requireProvenance: boolean;
  readonly retain: number;
  /** `file`: read from .chart-promoter.yaml; `default`: the repository has none. */
  readonly source: 'file' | 'default';
}

/**
 * The policy of a repository without `.chart-promoter.yaml`: one environment, direct commits (the
 * behaviour before policies existed; the environment comes from the deployment's configuration).
 */
export const defaultPolicy = (environment: string): PromotionPolicy => ({
  environments: [
    { name: environment, mode: 'direct', soakMs: 0, autoRollback: false, requireProvenance: false },
  ],
  requireProvenance: false,
  retain: 0,
  source: 'default',
});

export const firstEnvironment = (policy: PromotionPolicy): EnvironmentPolicy => policy.environments[0]!;

export const environmentNamed = (policy: PromotionPolicy, name: string): EnvironmentPolicy | undefined =>
  policy.environments.find((environment) => environment.name === name);

/** The environments that follow `name` (`after: name`), in file order. */
export const environmentsAfter = (policy: PromotionPolicy, name: string): EnvironmentPolicy[] =>
  policy.environments.filter((environment) => environment.after === name);

const matches = (globs: readonly string[] | undefined, chart: string): boolean =>
  globs === undefined || globs.some((glob) => picomatch.isMatch(chart, glob));

export type ChartPermission =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly reason: string };

/** Both allow-lists (global, then the environment's) must admit the chart name. */
export const chartPermission = (
  policy: PromotionPolicy,
  environment: EnvironmentPolicy,
  chart: string,
): ChartPermission => {
  if (!matches(policy.charts, chart)) {
    return {
      allowed: false,
      reason: `chart ${chart} matches none of the policy's charts: ${policy.charts!.join(', ')}`,
    };
  }
  if (!matches(environment.charts, chart)) {
    return {
      allowed: false,
      reason: `chart ${chart} matches none of ${environment.name}'s charts: ${environment.charts!.join(', ')}`,
    };
  }
  return { allowed: true };
};
