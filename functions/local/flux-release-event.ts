import { randomUUID } from 'node:crypto';
import { HELM_CONTROLLER_REASONS, type HelmControllerReasonName } from '../feedback/helm-controller-reasons';

/**
 * A HelmRelease event exactly as Flux delivers it to a generic(-hmac) provider, for the local
 * runtime's "Flux player" (the demo) and the tests:
 *
 * 1. helm-controller records it (internal/reconcile/*.go): the message from its format strings, the
 *    reason, the event type (→ severity), and metadata `helm.toolkit.fluxcd.io/{revision,token,
 *    app-version}` (internal/reconcile/release.go `eventMeta`);
 * 2. fluxcd/pkg runtime/events/recorder.go adds the object's `event.toolkit.fluxcd.io/*` annotations
 *    (our run id), and posts the `Event` struct (apis/event/v1beta1/event.go) to notification-controller;
 * 3. notification-controller drops the token (internal/server/event_handlers.go
 *    `excludeInternalMetadata`) and strips both prefixes from the metadata keys (`combineEventMetadata`),
 *    then its forwarder marshals the event again and signs those bytes (internal/notifier/forwarder.go).
 *
 * test/fixtures/flux-events/ holds such events; a test checks this builder against them byte for byte.
 */
/** The reasons this builder writes helm-controller's message for. */
export type HelmReleaseEventReason = Extract<
  HelmControllerReasonName,
  | 'InstallSucceeded'
  | 'UpgradeSucceeded'
  | 'TestSucceeded'
  | 'TestFailed'
  | 'InstallFailed'
  | 'UpgradeFailed'
  | 'RollbackFailed'
  | 'RollbackSucceeded'
  | 'UninstallFailed'
  | 'UninstallSucceeded'
  | 'ArtifactFailed'
>;

export interface HelmReleaseEventSpec {
  readonly namespace: string;
  readonly name: string;
  readonly reason: HelmReleaseEventReason;
  /**
   * Flux's `revision`: the chart version the Helm action was about; for a rollback the version rolled
   * back to. Absent for ArtifactFailed (recorded without metadata of its own).
   */
  readonly revision?: string;
  /** The chart's appVersion (`app-version`; helm-controller omits it when empty). */
  readonly appVersion?: string;
  /** The release's `event.toolkit.fluxcd.io/run-id` annotation. */
  readonly runId?: string;
  readonly timestamp: Date;
  /** Helm's release number, the `.v<n>` of helm-controller's messages. @default 1 */
  readonly helmRevision?: number;
  /** The error a failure reports (helm's, or the chart loader's). */
  readonly error?: string;
  /** TestSucceeded: how many test hooks ran. @default 1 */
  readonly testHooks?: number;
  readonly uid?: string;
  /** @default '1' */
  readonly resourceVersion?: string;
  /** The helm-controller pod's host name. @default 'chart-promoter-local' */
  readonly reportingInstance?: string;
}

/** helm-controller's format strings (install.go, upgrade.go, test.go, rollback_remediation.go, uninstall_remediation.go). */
const message = (spec: HelmReleaseEventSpec): string => {
  const release = `${spec.namespace}/${spec.name}`;
  const full = `${release}.v${spec.helmRevision ?? 1}`;
  const chart = `${spec.name}@${spec.revision ?? ''}`;
  const error = spec.error ?? 'context deadline exceeded';
  const hooks = spec.testHooks ?? 1;
  switch (spec.reason) {
    case 'InstallSucceeded':
      return `Helm install succeeded for release ${full} with chart ${chart}`;
    case 'UpgradeSucceeded':
      return `Helm upgrade succeeded for release ${full} with chart ${chart}`;
    case 'TestSucceeded':
      return `Helm test succeeded for release ${full} with chart ${chart}: ${
        hooks === 0 ? 'no test hooks' : `${hooks} test hook${hooks > 1 ? 's' : ''} completed successfully`
      }`;
    case 'TestFailed':
      return `Helm test failed for release ${full} with chart ${chart}: ${error}`;
    case 'InstallFailed':
      return `Helm install failed for release ${release} with chart ${chart}: ${error}`;
    case 'UpgradeFailed':
      return `Helm upgrade failed for release ${release} with chart ${chart}: ${error}`;
    case 'RollbackFailed':
      return `Helm rollback to previous release ${full} with chart ${chart} failed: ${error}`;
    case 'RollbackSucceeded':
      return `Helm rollback to previous release ${full} with chart ${chart} succeeded`;
    case 'UninstallFailed':
      return `Helm uninstall remediation for release ${full} with chart ${chart} failed: ${error}`;
    case 'UninstallSucceeded':
      return `Helm uninstall remediation for release ${full} with chart ${chart} succeeded`;
    case 'ArtifactFailed':
      return error;
  }
};

/**
 * The event as notification-controller forwards it: keys in the order of the Go structs
 * (eventv1.Event, corev1.ObjectReference), metadata keys sorted as encoding/json sorts map keys,
 * empty metadata left out (`omitempty`), the timestamp in whole seconds, UTC (metav1.Time).
 */
export const helmReleaseEvent = (spec: HelmReleaseEventSpec) => {
  const metadata: Record<string, string> = {};
  if (spec.appVersion) metadata['app-version'] = spec.appVersion;
  if (spec.revision !== undefined) metadata.revision = spec.revision;
  if (spec.runId !== undefined) metadata['run-id'] = spec.runId;
  return {
    involvedObject: {
      kind: 'HelmRelease',
      namespace: spec.namespace,
      name: spec.name,
      uid: spec.uid ?? randomUUID(),
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      resourceVersion: spec.resourceVersion ?? '1',
    },
    severity: HELM_CONTROLLER_REASONS[spec.reason].severity,
    timestamp: spec.timestamp.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    message: message(spec),
    reason: spec.reason,
    ...(Object.keys(metadata).length === 0 ? {} : { metadata }),
    reportingController: 'helm-controller',
    reportingInstance: spec.reportingInstance ?? 'chart-promoter-local',
  };
};

/**
 * The bytes Go's encoding/json writes for a value JSON.stringify also writes: the same, except that Go
 * escapes <, >, & and U+2028/U+2029 (https://pkg.go.dev/encoding/json#Marshal). What Flux signs.
 */
export const marshalLikeGo = (value: unknown): Uint8Array =>
  new TextEncoder().encode(
    JSON.stringify(value).replace(
      /[<>&\u2028\u2029]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    ),
  );
