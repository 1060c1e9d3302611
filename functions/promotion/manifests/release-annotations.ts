import { isScalar } from 'yaml';
import { ISSUES_RELEASE_ANNOTATION } from '../issues/issue-keys';
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
 *   environment to environment, so convergence anywhere reports the lead time from upload to ready;
 * - `chart-promoter.io/issues` (issue-keys.ts): the version's issue keys;
 * - `chart-promoter.io/previous-uploaded-at`, `chart-promoter.io/previous-issues`: the same two for
 *   the previous version, so a rollback to it puts back what describes it.
 *
 * Upload time and issue keys describe a VERSION: every move rewrites them with the version it moves
 * to — promotions and rollbacks alike — or empties them when nothing in the repository describes that
 * version any more (an annotation is never left describing another version).
 */
export const PREVIOUS_VERSION_ANNOTATION = 'chart-promoter.io/previous-version';
export const UPLOADED_AT_ANNOTATION = 'chart-promoter.io/uploaded-at';
export const PREVIOUS_UPLOADED_AT_ANNOTATION = 'chart-promoter.io/previous-uploaded-at';
export const PREVIOUS_ISSUES_ANNOTATION = 'chart-promoter.io/previous-issues';
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
  /** The version's issue keys as written (`ABC-1,ABC-2`). */
  readonly issues?: string;
  readonly previousUploadedAt?: string;
  readonly previousIssues?: string;
  /** Every annotation key the release carries (to know which ones a move must empty). */
  readonly annotationKeys: readonly string[];
}

export type ReleaseStateRead =
  | ({ readonly ok: true } & ReleaseState)
  | { readonly ok: false; readonly message: string };

const stringAt = (value: unknown): string | undefined =>
  typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;

/** An empty value is how a move clears an annotation (the editor never removes keys): absent. */
const optional = (key: string, value: string | undefined): Record<string, string> =>
  value === undefined || value === '' ? {} : { [key]: value };

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
    ...optional('issues', annotation(ISSUES_RELEASE_ANNOTATION)),
    ...optional('previousUploadedAt', annotation(PREVIOUS_UPLOADED_AT_ANNOTATION)),
    ...optional('previousIssues', annotation(PREVIOUS_ISSUES_ANNOTATION)),
    annotationKeys: (release.annotations?.items ?? []).map((pair) =>
      String(isScalar(pair.key) ? pair.key.value : pair.key),
    ),
  };
};

/** What describes one chart version: when it was uploaded, and its issue keys. */
export interface VersionDescription {
  readonly uploadedAt?: string;
  readonly issues?: string;
}

/**
 * What the releases read say about `version`: one that runs it (its own annotations), else one that
 * ran it just before (its `previous-*` annotations). The first release listed that knows wins, so
 * callers list the most telling first (the source environment of a promotion, then the target).
 * Undefined when none knows the version.
 */
export const describedVersion = (
  version: string,
  releases: readonly (ReleaseState | undefined)[],
): VersionDescription | undefined => {
  for (const release of releases) {
    if (release?.version === version) return pick(release.uploadedAt, release.issues);
  }
  for (const release of releases) {
    if (release?.previousVersion === version) return pick(release.previousUploadedAt, release.previousIssues);
  }
  return undefined;
};

const pick = (uploadedAt: string | undefined, issues: string | undefined): VersionDescription => ({
  ...(uploadedAt === undefined ? {} : { uploadedAt }),
  ...(issues === undefined ? {} : { issues }),
});

/**
 * The annotation (`key`) to write for a value: the value, or an empty one when it is unknown but the
 * release carries the key (so it stops describing another version), or nothing.
 */
export const rewrittenAnnotation = (
  key: string,
  value: string | undefined,
  existingKeys: readonly string[],
): Record<string, string> => {
  if (value !== undefined && value !== '') return { [key]: value };
  return existingKeys.includes(key) ? { [key]: '' } : {};
};
