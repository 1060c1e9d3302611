import type { RepoSnapshot } from '../ports/git-host';
import { DEFAULT_LAYOUT, type RepositoryLayout, releasePath } from '../promotion/layout';
import { type ReleaseState, readReleaseState } from '../promotion/manifests/release-annotations';
import type { EnvironmentPolicy, PromotionPolicy } from '../promotion/policy/policy';
import type { FluxEvent } from './flux-event';

/**
 * helm-controller's event reasons (https://fluxcd.io/flux/components/helm/helmreleases/#events,
 * helm-controller api/v2 condition_types.go): success of the version's install or upgrade means the
 * environment converged; these failures mean it did not (RetriesExceeded: remediation gave up).
 */
const CONVERGED = new Set(['InstallSucceeded', 'UpgradeSucceeded']);
const FAILED = new Set([
  'InstallFailed',
  'UpgradeFailed',
  'TestFailed',
  'RemediationFailed',
  'RetriesExceeded',
]);

export type IgnoreReason =
  | 'NOT_A_HELMRELEASE'
  | 'REASON_NOT_TRACKED'
  | 'UNKNOWN_RELEASE'
  | 'NO_REVISION'
  | 'OLD_REVISION'
  | 'UNKNOWN_RUN';

export type ReleaseEventMatch =
  | {
      readonly matched: true;
      readonly kind: 'converged' | 'failed';
      readonly environment: EnvironmentPolicy;
      readonly release: ReleaseState;
    }
  | { readonly matched: false; readonly reason: IgnoreReason; readonly message: string };

export const eventKindOf = (event: FluxEvent): 'converged' | 'failed' | undefined =>
  CONVERGED.has(event.reason) ? 'converged' : FAILED.has(event.reason) ? 'failed' : undefined;

/** What the feedback endpoint reads to match an event: the release file of its name in every environment. */
export const releaseFilesFor = (
  policy: PromotionPolicy,
  name: string,
  layout: RepositoryLayout = DEFAULT_LAYOUT,
) => ({
  files: policy.environments.map((environment) => releasePath(layout, environment.name, name)),
  trees: [] as string[],
});

const ignore = (reason: IgnoreReason, message: string): ReleaseEventMatch => ({
  matched: false,
  reason,
  message,
});

/** Flux reports the chart version; a Git-sourced chart may carry `+<build>` metadata after it. */
const sameVersion = (revision: string, version: string): boolean =>
  revision === version || revision.startsWith(`${version}+`);

/**
 * Maps an event to the environment whose HelmRelease it is about (namespace/name → the
 * environments/<env>/<name>.yaml whose metadata names that object), and checks it is about what the
 * environment runs NOW: the same chart version, and the same run when the event names one. Anything
 * else is history (an older revision, an earlier run): ignored, nothing done.
 */
export const matchReleaseEvent = (
  event: FluxEvent,
  snapshot: RepoSnapshot,
  policy: PromotionPolicy,
  layout: RepositoryLayout = DEFAULT_LAYOUT,
): ReleaseEventMatch => {
  if (event.kind !== 'HelmRelease')
    return ignore('NOT_A_HELMRELEASE', `${event.kind} events are not tracked`);
  const kind = eventKindOf(event);
  if (!kind)
    return ignore(
      'REASON_NOT_TRACKED',
      `reason ${event.reason || '(none)'} is neither a success nor a failure of a release`,
    );
  let environment: EnvironmentPolicy | undefined;
  let release: ReleaseState | undefined;
  for (const candidate of policy.environments) {
    const text = snapshot.files.get(releasePath(layout, candidate.name, event.name));
    const state = text === undefined ? undefined : readReleaseState(text);
    if (!state?.ok) continue;
    const namespace = state.namespace ?? candidate.name;
    if ((state.name ?? event.name) === event.name && namespace === (event.namespace ?? namespace)) {
      environment = candidate;
      release = state;
      break;
    }
  }
  const object = `${event.namespace ?? '?'}/${event.name}`;
  if (!environment || !release)
    return ignore('UNKNOWN_RELEASE', `no environment of the policy has HelmRelease ${object}`);
  if (event.revision === undefined) return ignore('NO_REVISION', `the event for ${object} names no revision`);
  if (!sameVersion(event.revision, release.version)) {
    return ignore(
      'OLD_REVISION',
      `${environment.name} runs ${event.name} ${release.version}, the event is about ${event.revision}`,
    );
  }
  if (event.runId !== undefined && release.runId !== undefined && event.runId !== release.runId) {
    return ignore(
      'UNKNOWN_RUN',
      `the event is from run ${event.runId}; ${environment.name}'s release is run ${release.runId}`,
    );
  }
  return { matched: true, kind, environment, release };
};
