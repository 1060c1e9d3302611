import { randomUUID } from 'node:crypto';

/**
 * A HelmRelease event exactly as Flux's helm-controller emits it and notification-controller posts it
 * to a generic(-hmac) provider (fluxcd/pkg/apis/event/v1beta1 Event;
 * https://fluxcd.io/flux/components/notification/events/): current Flux sends metadata keys without
 * the controller-group prefix, and the release's `event.toolkit.fluxcd.io/run-id` annotation as
 * `run-id`. The local runtime's "Flux player" (the demo) and tests post these to the feedback endpoint.
 */
export type HelmReleaseEventReason =
  | 'InstallSucceeded'
  | 'UpgradeSucceeded'
  | 'InstallFailed'
  | 'UpgradeFailed'
  | 'TestFailed'
  | 'RemediationFailed'
  | 'RetriesExceeded';

export interface HelmReleaseEventSpec {
  readonly namespace: string;
  readonly name: string;
  readonly reason: HelmReleaseEventReason;
  /** The chart version (Flux: `revision`). */
  readonly revision: string;
  readonly runId?: string;
  readonly timestamp: Date;
}

const MESSAGES: Record<HelmReleaseEventReason, string> = {
  InstallSucceeded: 'Helm install succeeded',
  UpgradeSucceeded: 'Helm upgrade succeeded',
  InstallFailed: 'Helm install failed',
  UpgradeFailed: 'Helm upgrade failed',
  TestFailed: 'Helm test failed',
  RemediationFailed: 'Helm remediation failed',
  RetriesExceeded: 'Helm retries exceeded',
};

export const helmReleaseEvent = (spec: HelmReleaseEventSpec) => ({
  involvedObject: {
    kind: 'HelmRelease',
    namespace: spec.namespace,
    name: spec.name,
    uid: randomUUID(),
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
  },
  severity: spec.reason.endsWith('Succeeded') ? 'info' : 'error',
  // Kubernetes timestamps have whole seconds.
  timestamp: spec.timestamp.toISOString().replace(/\.\d{3}Z$/, 'Z'),
  message: `${MESSAGES[spec.reason]} for release ${spec.namespace}/${spec.name} with chart ${spec.name}@${spec.revision}`,
  reason: spec.reason,
  metadata: { revision: spec.revision, ...(spec.runId === undefined ? {} : { 'run-id': spec.runId }) },
  reportingController: 'helm-controller',
  reportingInstance: 'chart-promoter-local',
});
