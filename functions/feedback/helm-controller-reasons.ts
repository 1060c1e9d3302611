/**
 * Every reason helm-controller records as an event for a HelmRelease, read in its source
 * (fluxcd/helm-controller: the names in api/v2/condition_types.go, api/v2/inventory_types.go; the
 * calls in internal/reconcile/*.go and internal/controller/helmrelease_controller.go), with:
 *
 * - `severity`: the Kubernetes event type it is recorded with, as fluxcd/pkg runtime/events/recorder.go
 *   (`eventTypeToSeverity`) turns it into the Flux event's severity: Normal → info, Warning → error
 *   (Trace events never leave the controller, so none is listed);
 * - `revision`: what the event's `revision` metadata names. helm-controller's `eventMeta` puts the
 *   chart version of the Helm release the action was about under `helm.toolkit.fluxcd.io/revision`
 *   (internal/reconcile/release.go); for a rollback that is the version rolled back TO
 *   (rollback_remediation.go passes `prev.ChartVersion`); events recorded with plain `Eventf` carry no
 *   revision at all, only the object's `event.toolkit.fluxcd.io/*` annotations (the run id);
 * - `meaning`: what it says about the version chart-promoter wrote.
 */
export type ReasonMeaning =
  /** The version is installed; healthy now, unless the release's tests gate readiness. */
  | 'released'
  /** The release's Helm tests passed. */
  | 'tests-passed'
  /** The release's Helm tests failed. */
  | 'tests-failed'
  /** The version will not run without someone acting. */
  | 'failed'
  /** Nothing to act on (`why` says why). */
  | 'ignored';

export interface HelmControllerReason {
  readonly severity: 'info' | 'error';
  readonly revision: 'release' | 'rollback-target' | 'none';
  readonly meaning: ReasonMeaning;
  /** The helm-controller source file that records it. */
  readonly source: string;
  /** For `ignored` reasons: why the feedback loop does not act on it. */
  readonly why?: string;
}

const RECONCILE = 'internal/reconcile';
const CONTROLLER = 'internal/controller/helmrelease_controller.go';
const REMEDIATED =
  'helm-controller remediated a failure it reported before (InstallFailed, UpgradeFailed or TestFailed), which is acted on';

export const HELM_CONTROLLER_REASONS = {
  InstallSucceeded: {
    severity: 'info',
    revision: 'release',
    meaning: 'released',
    source: `${RECONCILE}/install.go`,
  },
  UpgradeSucceeded: {
    severity: 'info',
    revision: 'release',
    meaning: 'released',
    source: `${RECONCILE}/upgrade.go`,
  },
  TestSucceeded: {
    severity: 'info',
    revision: 'release',
    meaning: 'tests-passed',
    source: `${RECONCILE}/test.go`,
  },
  TestFailed: {
    severity: 'error',
    revision: 'release',
    meaning: 'tests-failed',
    source: `${RECONCILE}/test.go`,
  },
  InstallFailed: {
    severity: 'error',
    revision: 'release',
    meaning: 'failed',
    source: `${RECONCILE}/install.go`,
  },
  UpgradeFailed: {
    severity: 'error',
    revision: 'release',
    meaning: 'failed',
    source: `${RECONCILE}/upgrade.go`,
  },
  RollbackFailed: {
    severity: 'error',
    revision: 'rollback-target',
    meaning: 'failed',
    source: `${RECONCILE}/rollback_remediation.go`,
  },
  UninstallFailed: {
    severity: 'error',
    revision: 'release',
    meaning: 'failed',
    source: `${RECONCILE}/uninstall_remediation.go, ${RECONCILE}/uninstall.go`,
  },
  // The chart of the artifact could not be loaded (recorded with Eventf: no revision, only the run id).
  ArtifactFailed: { severity: 'error', revision: 'none', meaning: 'failed', source: CONTROLLER },
  RollbackSucceeded: {
    severity: 'info',
    revision: 'rollback-target',
    meaning: 'ignored',
    source: `${RECONCILE}/rollback_remediation.go`,
    why: REMEDIATED,
  },
  UninstallSucceeded: {
    severity: 'info',
    revision: 'release',
    meaning: 'ignored',
    source: `${RECONCILE}/uninstall_remediation.go, ${RECONCILE}/uninstall.go`,
    why: `${REMEDIATED}, or the HelmRelease was deleted`,
  },
  DependencyNotReady: {
    severity: 'info',
    revision: 'none',
    meaning: 'ignored',
    source: CONTROLLER,
    why: 'a dependsOn release is not ready yet: helm-controller retries',
  },
  HealthCheckCanceled: {
    severity: 'info',
    revision: 'none',
    meaning: 'ignored',
    source: CONTROLLER,
    why: 'a newer reconciliation replaced this one',
  },
  ValuesError: {
    severity: 'error',
    revision: 'none',
    meaning: 'ignored',
    source: CONTROLLER,
    why: 'the values (valuesFrom) cannot be composed: a configuration error no chart version fixes',
  },
  InvalidCELExpression: {
    severity: 'error',
    revision: 'none',
    meaning: 'ignored',
    source: CONTROLLER,
    why: 'a healthCheckExprs or dependsOn expression is invalid: a configuration error no chart version fixes',
  },
  AccessDenied: {
    severity: 'error',
    revision: 'none',
    meaning: 'ignored',
    source: CONTROLLER,
    why: 'the chart source is in another namespace and cross-namespace references are blocked',
  },
  DriftDetected: {
    severity: 'error',
    revision: 'none',
    meaning: 'ignored',
    source: `${RECONCILE}/atomic_release.go`,
    why: 'the cluster drifted from the installed release: helm-controller corrects it',
  },
  DriftCorrected: {
    severity: 'info',
    revision: 'release',
    meaning: 'ignored',
    source: `${RECONCILE}/correct_cluster_drift.go`,
    why: 'helm-controller corrected drift of the cluster, not of the version',
  },
  DriftCorrectionFailed: {
    severity: 'error',
    revision: 'release',
    meaning: 'ignored',
    source: `${RECONCILE}/correct_cluster_drift.go`,
    why: 'the cluster drifted and could not be corrected: not a fault of the version',
  },
  PendingRelease: {
    severity: 'error',
    revision: 'release',
    meaning: 'ignored',
    source: `${RECONCILE}/unlock.go`,
    why: 'helm-controller is unlocking a release left pending (info when it succeeds, error when not)',
  },
  InventoryBuildFailed: {
    severity: 'error',
    revision: 'none',
    meaning: 'ignored',
    source: `${RECONCILE}/release.go`,
    why: 'helm-controller could not list the objects of the release: bookkeeping, not a release failure',
  },
  NamespaceCheckSkipped: {
    severity: 'error',
    revision: 'none',
    meaning: 'ignored',
    source: `${RECONCILE}/release.go`,
    why: 'helm-controller skipped a namespace check of its inventory: bookkeeping, not a release failure',
  },
} as const satisfies Readonly<Record<string, HelmControllerReason>>;

export type HelmControllerReasonName = keyof typeof HELM_CONTROLLER_REASONS;

export const helmControllerReason = (reason: string): HelmControllerReason | undefined =>
  Object.hasOwn(HELM_CONTROLLER_REASONS, reason)
    ? HELM_CONTROLLER_REASONS[reason as HelmControllerReasonName]
    : undefined;
