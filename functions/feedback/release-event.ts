import type { RepoSnapshot } from '../ports/git-host';
import { DEFAULT_LAYOUT, type RepositoryLayout, releasePath } from '../promotion/layout';
import { type ReleaseState, readReleaseState } from '../promotion/manifests/release-annotations';
import type { EnvironmentPolicy, PromotionPolicy } from '../promotion/policy/policy';
import type { FluxEvent } from './flux-event';
import { type HelmControllerReason, helmControllerReason } from './helm-controller-reasons';

export type IgnoreReason =
  | 'NOT_A_HELMRELEASE'
  | 'REASON_NOT_TRACKED'
  | 'UNKNOWN_RELEASE'
  | 'NO_REVISION'
  | 'OLD_REVISION'
  | 'UNKNOWN_RUN'
  | 'AWAITING_TESTS'
  | 'TESTS_NOT_GATING';

export type ReleaseEventMatch =
  | {
      readonly matched: true;
      readonly kind: 'converged' | 'failed';
      readonly environment: EnvironmentPolicy;
      readonly release: ReleaseState;
    }
  | { readonly matched: false; readonly reason: IgnoreReason; readonly message: string };

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
 * Whether the release's Helm tests decide its health. helm-controller computes Ready from the
 * TestSuccess condition only with `spec.test.enable` and without `spec.test.ignoreFailures`
 * (internal/reconcile/release.go `summarize`); it runs the tests after the install or upgrade, so
 * InstallSucceeded/UpgradeSucceeded arrive before the tests ran (internal/reconcile/atomic_release.go).
 */
export const testsGateHealth = (release: ReleaseState): boolean =>
  release.testsEnabled && !release.testFailuresIgnored;

/** The environment whose release file names the event's HelmRelease (namespace/name). */
const findRelease = (
  event: FluxEvent,
  snapshot: RepoSnapshot,
  policy: PromotionPolicy,
  layout: RepositoryLayout,
): { environment: EnvironmentPolicy; release: ReleaseState } | undefined => {
  for (const environment of policy.environments) {
    const text = snapshot.files.get(releasePath(layout, environment.name, event.name));
    const state = text === undefined ? undefined : readReleaseState(text);
    if (!state?.ok) continue;
    const namespace = state.namespace ?? environment.name;
    if ((state.name ?? event.name) === event.name && namespace === (event.namespace ?? namespace))
      return { environment, release: state };
  }
  return undefined;
};

/**
 * Whether the event is about what chart-promoter wrote last: the run id, when both the event and the
 * release file carry one (the object's `event.toolkit.fluxcd.io/run-id` annotation arrives in every
 * event, fluxcd/pkg runtime/events/recorder.go), must be the file's; and the revision must name the
 * version the file points at (for a rollback: the version the file replaced), or, for events without
 * a revision, the run id must be there to match. Undefined = ours.
 */
const notOurs = (
  event: FluxEvent,
  reason: HelmControllerReason,
  environment: EnvironmentPolicy,
  release: ReleaseState,
): ReleaseEventMatch | undefined => {
  const object = `${event.namespace ?? '?'}/${event.name}`;
  const sameRun =
    event.runId !== undefined && release.runId !== undefined ? event.runId === release.runId : undefined;
  if (sameRun === false) {
    return ignore(
      'UNKNOWN_RUN',
      `the event is from run ${event.runId}; ${environment.name}'s release is run ${release.runId}`,
    );
  }
  if (reason.revision === 'none') {
    return sameRun
      ? undefined
      : ignore('NO_REVISION', `the ${event.reason} event for ${object} names neither a revision nor our run`);
  }
  if (reason.revision === 'rollback-target' && sameRun) return undefined;
  if (event.revision === undefined) return ignore('NO_REVISION', `the event for ${object} names no revision`);
  const expected = reason.revision === 'release' ? release.version : release.previousVersion;
  if (expected === undefined || !sameVersion(event.revision, expected)) {
    const about = reason.revision === 'release' ? '' : 'a rollback to ';
    return ignore(
      'OLD_REVISION',
      `${environment.name} runs ${event.name} ${release.version}, the event is about ${about}${event.revision}`,
    );
  }
  return undefined;
};

/**
 * Maps an event to the environment whose HelmRelease it is about (namespace/name → the
 * environments/<env>/<name>.yaml whose metadata names that object), checks it is about what the
 * environment runs NOW (the same chart version, the same run when the event names one: anything else
 * is history, ignored), and reads it as helm-controller means it (helm-controller-reasons.ts): a
 * release whose tests gate its health is converged at TestSucceeded, not at the install or upgrade
 * before; every failure reason helm-controller emits is a failure.
 */
export const matchReleaseEvent = (
  event: FluxEvent,
  snapshot: RepoSnapshot,
  policy: PromotionPolicy,
  layout: RepositoryLayout = DEFAULT_LAYOUT,
): ReleaseEventMatch => {
  if (event.kind !== 'HelmRelease')
    return ignore('NOT_A_HELMRELEASE', `${event.kind} events are not tracked`);
  const reason = helmControllerReason(event.reason);
  if (!reason) {
    return ignore(
      'REASON_NOT_TRACKED',
      `helm-controller emits no reason ${event.reason || '(none)'} for a HelmRelease`,
    );
  }
  if (reason.meaning === 'ignored') return ignore('REASON_NOT_TRACKED', `${event.reason}: ${reason.why}`);
  const found = findRelease(event, snapshot, policy, layout);
  if (!found)
    return ignore(
      'UNKNOWN_RELEASE',
      `no environment of the policy has HelmRelease ${event.namespace ?? '?'}/${event.name}`,
    );
  const { environment, release } = found;
  const history = notOurs(event, reason, environment, release);
  if (history) return history;
  const gated = testsGateHealth(release);
  const matched = (kind: 'converged' | 'failed'): ReleaseEventMatch => ({
    matched: true,
    kind,
    environment,
    release,
  });
  switch (reason.meaning) {
    case 'released':
      return gated
        ? ignore(
            'AWAITING_TESTS',
            `${environment.name}'s HelmRelease enables tests (spec.test.enable): ${event.reason} comes before they run; ${event.name} ${release.version} is healthy at TestSucceeded`,
          )
        : matched('converged');
    case 'tests-passed':
    case 'tests-failed':
      if (!gated) {
        return ignore(
          'TESTS_NOT_GATING',
          release.testsEnabled
            ? `${environment.name}'s HelmRelease ignores test failures (spec.test.ignoreFailures): it was healthy at its install or upgrade`
            : `${environment.name}'s HelmRelease does not enable tests (spec.test.enable): it was healthy at its install or upgrade`,
        );
      }
      return matched(reason.meaning === 'tests-passed' ? 'converged' : 'failed');
    default:
      return matched('failed');
  }
};
