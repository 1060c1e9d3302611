import { DEFAULT_LAYOUT, releasePath } from '../promotion/layout';
import { type ReleaseState, readReleaseState } from '../promotion/manifests/release-annotations';
import { pullRequestBranch } from '../promotion/moves/pull-request';
import type { EnvironmentPolicy, PromotionPolicy } from '../promotion/policy/policy';
import { readWithPolicy } from '../promotion/policy/read-with-policy';
import { localClusterHost } from './cluster-repository';

/**
 * Where each chart stands in each environment of a local cluster repository: the HelmRelease on the
 * branch Flux watches, or, for an environment gated by pull requests, the proposal branch
 * `promote/<env>/<chart>` when it carries that version (plain git: a branch instead of a pull request).
 */
export interface ReleasePosition {
  readonly chart: string;
  readonly environment: string;
  readonly mode: EnvironmentPolicy['mode'];
  /** deployed: on the branch; proposed: only on the proposal branch; absent: neither. */
  readonly state: 'deployed' | 'proposed' | 'absent';
  /** The version deployed (or proposed). */
  readonly version?: string;
  readonly release?: ReleaseState;
  readonly branch?: string;
}

export interface ClusterState {
  readonly policy: PromotionPolicy;
  readonly head: string | undefined;
  readonly positions: readonly ReleasePosition[];
}

const stateOf = (text: string | undefined): ReleaseState | undefined => {
  if (text === undefined) return undefined;
  const read = readReleaseState(text);
  return read.ok ? read : undefined;
};

/** `charts`: the chart names and the version a proposal branch would carry. */
export const readClusterState = async (
  gitdir: string,
  branch: string,
  fallbackEnvironment: string,
  charts: readonly { readonly chart: string; readonly version: string }[],
): Promise<ClusterState> => {
  const { host } = await localClusterHost(gitdir);
  const paths = (policy: PromotionPolicy) =>
    policy.environments.flatMap((e) => charts.map(({ chart }) => releasePath(DEFAULT_LAYOUT, e.name, chart)));
  const { snapshot, policy } = await readWithPolicy(host, branch, fallbackEnvironment, (guess) => ({
    files: paths(guess),
    trees: [],
  }));
  const positions: ReleasePosition[] = [];
  for (const environment of policy.environments) {
    for (const { chart, version } of charts) {
      const path = releasePath(DEFAULT_LAYOUT, environment.name, chart);
      const subject = { chart, environment: environment.name, mode: environment.mode };
      const deployed = stateOf(snapshot.files.get(path));
      if (deployed?.version === version || environment.mode === 'direct') {
        positions.push(
          deployed
            ? { ...subject, state: 'deployed', version: deployed.version, release: deployed }
            : { ...subject, state: 'absent' },
        );
        continue;
      }
      const proposal = pullRequestBranch(environment.name, chart);
      const read = await host.snapshot(proposal, { files: [path], trees: [] });
      const proposed = stateOf(read.files.get(path));
      positions.push(
        read.head !== undefined && proposed?.version === version
          ? { ...subject, state: 'proposed', version, release: proposed, branch: proposal }
          : deployed
            ? { ...subject, state: 'deployed', version: deployed.version, release: deployed }
            : { ...subject, state: 'absent' },
      );
    }
  }
  return { policy, head: snapshot.head, positions };
};

/** The HelmRelease of `chart` in `environment` on `branch`, read now (undefined: none, or unreadable). */
export const readReleaseAt = async (
  gitdir: string,
  branch: string,
  environment: string,
  chart: string,
): Promise<ReleaseState | undefined> => {
  const { host } = await localClusterHost(gitdir);
  const path = releasePath(DEFAULT_LAYOUT, environment, chart);
  const { files } = await host.snapshot(branch, { files: [path], trees: [] });
  return stateOf(files.get(path));
};
