import { RUN_ID_ANNOTATION, readHelmRelease } from './helm-release-manifest';

/**
 * What a HelmRelease remembers about how its chart got there, as metadata annotations that every
 * promotion writes alongside the chart reference (Flux ignores unknown annotations; it forwards only
 * `event.toolkit.fluxcd.io/*` ones into its events, which is why the run id lives there):
 *
 * - `event.toolkit.fluxcd.io/run-id`: the run that put this version here (arrives in Flux's events);
 * - `chart-promoter.io/previous-version`: the version the release pointed at before the last change,
 *   the default target of a rollback (deterministic, no git history walk; a rollback writes the version
 *   it rolled back FROM, so a second rollback undoes the first);
 * - `chart-promoter.io/uploaded-at`: when the chart version was uploaded (ISO 8601), carried from
 *   environment to environment, so convergence anywhere reports the lead time from upload to ready.
 */
export const PREVIOUS_VERSION_ANNOTATION = 'chart-promoter.io/previous-version';
export const UPLOADED_AT_ANNOTATION = 'chart-promoter.io/uploaded-at';
/** Run ids of rollbacks start with this, so a failing rolled-back version is never auto-rolled back again. */
export const ROLLBACK_RUN_PREFIX = 'rollback-';

export interface ReleaseState {
  readonly name: string | undefined;
  readonly namespace: string | undefined;
  readonly chartPath: string;
  /** The chart version the release points at (spec.chart.spec.version, else the path's last segment). */
  readonly version: string;
  readonly runId?: string;
  readonly previousVersion?: string;
  readonly uploadedAt?: string;
  /**
   * `spec.test.enable`: helm-controller runs the chart's Helm tests after each install or upgrade
   * (helm-controller internal/reconcile/atomic_release.go, test.go).
   */
  readonly testsEnabled: boolean;
  /** `spec.test.ignoreFailures`: failed tests do not make the release unready (internal/reconcile/release.go `summarize`). */
  readonly testFailuresIgnored: boolean;
}

export type ReleaseStateRead =
  | ({ readonly ok: true } & ReleaseState)
  | { readonly ok: false; readonly message: string };

const stringAt = (value: unknown): string | undefined =>
  typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;

const optional = (key: string, value: string | undefined): Record<string, string> =>
  value === undefined ? {} : { [key]: value };

/** Reads environments/<env>/<name>.yaml into what promotion and feedback decisions need. */
export const readReleaseState = (text: string): ReleaseStateRead => {
  const release = readHelmRelease(text);
  if (!release.ok) return release;
  const annotation = (key: string): string | undefined => stringAt(release.annotations?.get(key));
  const version = release.version ?? release.chartPath.split('/').at(-1) ?? '';
  const testSetting = (key: string): boolean => release.doc.getIn(['spec', 'test', key]) === true;
  return {
    ok: true,
    name: stringAt(release.metadata.get('name')),
    namespace: stringAt(release.metadata.get('namespace')),
    chartPath: release.chartPath,
    version,
    ...optional('runId', annotation(RUN_ID_ANNOTATION)),
    ...optional('previousVersion', annotation(PREVIOUS_VERSION_ANNOTATION)),
    ...optional('uploadedAt', annotation(UPLOADED_AT_ANNOTATION)),
    testsEnabled: testSetting('enable'),
    testFailuresIgnored: testSetting('ignoreFailures'),
  };
};
