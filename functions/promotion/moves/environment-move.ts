import type { ChangeSet, FileChange, RepoSnapshot, SnapshotRequest } from '../../ports/git-host';
import { ISSUES_RELEASE_ANNOTATION, issueTrailers, parseIssueKeys } from '../issues/issue-keys';
import {
  chartDir,
  chartSourcePath,
  DEFAULT_LAYOUT,
  kustomizationPath,
  type RepositoryLayout,
  releaseFileName,
  releasePath,
} from '../layout';
import { addKustomizationResources, newKustomizationText } from '../manifests/kustomization-manifest';
import { planRelease } from '../manifests/plan-release';
import {
  describedVersion,
  type ReleaseState,
  readReleaseState,
  rewrittenAnnotation,
  UPLOADED_AT_ANNOTATION,
  type VersionDescription,
} from '../manifests/release-annotations';
import {
  chartPermission,
  type EnvironmentPolicy,
  environmentNamed,
  type PromotionPolicy,
} from '../policy/policy';
import type { PlanOptions } from '../promotion';

/**
 * Moving a chart version that is already in the cluster repository (charts/<name>/<version>/ was
 * written when it entered the first environment) into another environment, or back to an earlier
 * version (rollback). Pure planning: snapshot in, change set out; the HelmRelease is edited as on any
 * promotion (only the chart reference and annotations change, every human byte stays).
 */
export type EnvironmentMove =
  | {
      readonly kind: 'promote';
      readonly chart: string;
      readonly version: string;
      /** When set, the move only happens if `from` still runs `version` (scheduled promotions). */
      readonly from?: string;
      readonly to: string;
      readonly runId: string;
    }
  | {
      readonly kind: 'rollback';
      readonly chart: string;
      readonly environment: string;
      /** Default: the release's `chart-promoter.io/previous-version` annotation. */
      readonly toVersion?: string;
      readonly runId: string;
    };

/**
 * Terminal refusal codes of environment moves (stable):
 * - `ENVIRONMENT_UNKNOWN`: the target environment is not in the policy;
 * - `CHART_NOT_ALLOWED`: the policy's allow-lists exclude the chart there;
 * - `VERSION_NOT_FOUND`: charts/<name>/<version>/ is not in the repository (upload it first);
 * - `RELEASE_NOT_FOUND`: rollback of a chart the environment does not run;
 * - `NO_PREVIOUS_VERSION`: rollback without `toVersion` of a release that records no previous version;
 * - plus planning's `RELEASE_MANIFEST_INVALID`, `RELEASE_SCHEMA_VIOLATION`, `KUSTOMIZATION_INVALID`.
 */
export const MOVE_REFUSAL_CODES = [
  'ENVIRONMENT_UNKNOWN',
  'CHART_NOT_ALLOWED',
  'VERSION_NOT_FOUND',
  'RELEASE_NOT_FOUND',
  'NO_PREVIOUS_VERSION',
  'RELEASE_MANIFEST_INVALID',
  'RELEASE_SCHEMA_VIOLATION',
  'KUSTOMIZATION_INVALID',
  /** The environment is gated (`mode: pull-request`) and the Git host cannot even push a branch. */
  'PULL_REQUEST_UNSUPPORTED',
] as const;

export type MoveRefusalCode = (typeof MOVE_REFUSAL_CODES)[number];

/** A move refused for good (a plan's, and the move outcome's, last case). */
export interface MoveRefusal {
  readonly status: 'refused';
  readonly code: MoveRefusalCode;
  readonly message: string;
  readonly path?: string;
}

export type MovePlan =
  | {
      readonly status: 'planned';
      readonly environment: EnvironmentPolicy;
      /** What the environment ran before (absent: a new release there). */
      readonly fromVersion?: string;
      readonly toVersion: string;
      readonly changeSet: ChangeSet;
      /** Issue keys of the version (from the source environment's HelmRelease), for trailers and PRs. */
      readonly issues?: readonly string[];
    }
  /** The environment already runs that version: nothing to commit. */
  | {
      readonly status: 'unchanged';
      readonly environment: EnvironmentPolicy;
      readonly toVersion: string;
      readonly reason: string;
    }
  /** A scheduled promotion whose source no longer runs the version (superseded or rolled back). */
  | { readonly status: 'skipped'; readonly reason: string }
  | MoveRefusal;

const DEFAULT_SOURCE_REF = { name: 'flux-system', namespace: 'flux-system' } as const;
const encoder = new TextEncoder();

export const targetEnvironmentOf = (move: EnvironmentMove): string =>
  move.kind === 'promote' ? move.to : move.environment;

const stateIn = (snapshot: RepoSnapshot | undefined, path: string) => {
  const text = snapshot?.files.get(path);
  if (text === undefined) return undefined;
  const state = readReleaseState(text);
  return state.ok ? state : undefined;
};

/** The version a move puts in place, when it can be known from what was read so far. */
const wantedVersion = (move: EnvironmentMove, current: ReturnType<typeof stateIn>): string | undefined =>
  move.kind === 'promote' ? move.version : (move.toVersion ?? current?.previousVersion);

/**
 * What planning (and the pull-request body) reads; `previous` lets a rollback find its target. A move
 * without a source environment (a rollback, a manual promotion without `from`) also reads the chart's
 * HelmRelease in every environment of `policy`: one of them may run, or have run, the version it
 * moves to, and so knows its upload time and issue keys (release-annotations.ts). Planning only needs
 * to know that the version's directory exists (`exists`: no tree id, which costs a read per file on
 * hosts that expose none); a pull request's body compares the two versions (tree ids of the chart and
 * its templates, values.yaml), so those are read only for an environment that `policy` gates with pull
 * requests — or for every move when no policy is given (callers planning on their own).
 */
export const moveSnapshotRequest = (
  move: EnvironmentMove,
  previous: RepoSnapshot | undefined,
  layout: RepositoryLayout = DEFAULT_LAYOUT,
  policy?: PromotionPolicy,
): SnapshotRequest => {
  const environment = targetEnvironmentOf(move);
  const release = releasePath(layout, environment, move.chart);
  const files = [release, kustomizationPath(layout, environment)];
  if (move.kind === 'promote' && move.from !== undefined)
    files.push(releasePath(layout, move.from, move.chart));
  else
    for (const other of policy?.environments ?? []) files.push(releasePath(layout, other.name, move.chart));
  const current = stateIn(previous, release);
  const target = wantedVersion(move, current);
  const exists = target === undefined ? [] : [chartDir(layout, move.chart, target)];
  const trees: string[] = [];
  const gated = policy === undefined || environmentNamed(policy, environment)?.mode === 'pull-request';
  for (const version of gated ? [current?.version, target] : []) {
    if (version === undefined) continue;
    const dir = chartDir(layout, move.chart, version);
    trees.push(dir, `${dir}/templates`);
    files.push(`${dir}/values.yaml`);
  }
  return { files: [...new Set(files)].sort(), trees: [...new Set(trees)].sort(), exists };
};

/** Whether the version's directory is there: `exists` as asked, or a tree id read for the body. */
const versionPresent = (snapshot: RepoSnapshot, dir: string): boolean =>
  snapshot.exists?.get(dir) ?? snapshot.trees.get(dir) !== undefined;

const refused = (code: MoveRefusalCode, message: string, path?: string): MovePlan => ({
  status: 'refused',
  code,
  message,
  ...(path === undefined ? {} : { path }),
});

const messageOf = (
  move: EnvironmentMove,
  toVersion: string,
  fromVersion: string | undefined,
  issues: readonly string[] = [],
): string => {
  const environment = targetEnvironmentOf(move);
  const subject =
    move.kind === 'promote'
      ? `promote ${move.chart} ${toVersion} to ${environment}`
      : `rollback ${move.chart} in ${environment} to ${toVersion}`;
  const trailers = [`Chart-Promoter-Run: ${move.runId.replace(/[\r\n]+/g, ' ')}`];
  if (move.kind === 'promote' && move.from !== undefined) trailers.push(`Chart-Promoter-From: ${move.from}`);
  if (fromVersion !== undefined) trailers.push(`Chart-Promoter-Previous-Version: ${fromVersion}`);
  trailers.push(...issueTrailers(issues));
  return `${subject}\n\n${trailers.join('\n')}\n`;
};

interface Resolved {
  readonly environment: EnvironmentPolicy;
  readonly toVersion: string;
  /** What describes the version moved to, as the repository knows it (absent: nothing does). */
  readonly description?: VersionDescription;
  /** The release being replaced, if any. */
  readonly current?: ReleaseState;
  /** The issue keys of a promotion (for trailers, pull requests, the tracker); none for a rollback. */
  readonly issues: readonly string[];
}

/** Policy, source and target checks: the version to move to, or why not. */
const resolve = (
  snapshot: RepoSnapshot,
  policy: PromotionPolicy,
  move: EnvironmentMove,
  layout: RepositoryLayout,
): Resolved | MovePlan => {
  const name = targetEnvironmentOf(move);
  const environment = environmentNamed(policy, name);
  if (!environment) return refused('ENVIRONMENT_UNKNOWN', `environment "${name}" is not in the policy`);
  const permission = chartPermission(policy, environment, move.chart);
  if (!permission.allowed) return refused('CHART_NOT_ALLOWED', permission.reason);
  const current = stateIn(snapshot, releasePath(layout, name, move.chart));
  let source: ReleaseState | undefined;
  if (move.kind === 'promote' && move.from !== undefined) {
    source = stateIn(snapshot, releasePath(layout, move.from, move.chart));
    if (source?.version !== move.version) {
      return {
        status: 'skipped',
        reason: `${move.from} no longer runs ${move.chart} ${move.version} (now: ${source?.version ?? 'none'})`,
      };
    }
  }
  if (move.kind === 'rollback' && snapshot.files.get(releasePath(layout, name, move.chart)) === undefined) {
    return refused(
      'RELEASE_NOT_FOUND',
      `${name} does not run ${move.chart}`,
      releasePath(layout, name, move.chart),
    );
  }
  const toVersion = wantedVersion(move, current);
  if (toVersion === undefined) {
    return refused(
      'NO_PREVIOUS_VERSION',
      `${name}'s ${move.chart} records no previous version: name one (--to <version>)`,
    );
  }
  const dir = chartDir(layout, move.chart, toVersion);
  if (!versionPresent(snapshot, dir)) {
    return refused(
      'VERSION_NOT_FOUND',
      `${dir}/ is not in the repository: upload ${move.chart} ${toVersion} first`,
      dir,
    );
  }
  // The source environment knows the version best; then the target (it may have run it just
  // before: a rollback); then any other environment read.
  const others = policy.environments.map((e) => stateIn(snapshot, releasePath(layout, e.name, move.chart)));
  const description = describedVersion(toVersion, [source, current, ...others]);
  const issues = move.kind === 'promote' ? parseIssueKeys(description?.issues).keys : [];
  return {
    environment,
    toVersion,
    issues,
    ...(description === undefined ? {} : { description }),
    ...(current === undefined ? {} : { current }),
  };
};

/** Plans one environment move on `snapshot` (read with `moveSnapshotRequest` and the same policy). */
export const planEnvironmentMove = (
  snapshot: RepoSnapshot,
  policy: PromotionPolicy,
  move: EnvironmentMove,
  options: PlanOptions = {},
): MovePlan => {
  const layout = options.layout ?? DEFAULT_LAYOUT;
  const resolved = resolve(snapshot, policy, move, layout);
  if ('status' in resolved) return resolved;
  const { environment, toVersion, issues } = resolved;
  const path = releasePath(layout, environment.name, move.chart);
  // Rewritten with the version on every move, rollbacks included; emptied when nothing describes it.
  const existingKeys = resolved.current?.annotationKeys ?? [];
  const annotations = {
    ...rewrittenAnnotation(UPLOADED_AT_ANNOTATION, resolved.description?.uploadedAt, existingKeys),
    ...rewrittenAnnotation(ISSUES_RELEASE_ANNOTATION, resolved.description?.issues, existingKeys),
  };
  const release = planRelease(snapshot.files.get(path), {
    name: move.chart,
    namespace: options.releaseNamespaces?.[environment.name] ?? environment.name,
    chartPath: chartSourcePath(layout, move.chart, toVersion),
    version: toVersion,
    runId: move.runId,
    ...(Object.keys(annotations).length === 0 ? {} : { annotations }),
    sourceRef: options.sourceRef ?? DEFAULT_SOURCE_REF,
    interval: options.interval ?? '10m',
  });
  if (!release.ok) return refused(release.code, release.message, path);
  const changes: FileChange[] = [];
  if (release.text !== undefined) changes.push({ path, content: encoder.encode(release.text) });
  const kustomization = kustomizationPath(layout, environment.name);
  const existing = snapshot.files.get(kustomization);
  const resource = releaseFileName(move.chart);
  const edit =
    existing === undefined
      ? { ok: true as const, text: newKustomizationText([resource]), added: [resource] }
      : addKustomizationResources(existing, [resource]);
  if (!edit.ok) return refused('KUSTOMIZATION_INVALID', edit.message, kustomization);
  if (edit.added.length > 0) changes.push({ path: kustomization, content: encoder.encode(edit.text) });
  if (changes.length === 0) {
    return {
      status: 'unchanged',
      environment,
      toVersion,
      reason: `${environment.name} already runs ${move.chart} ${toVersion}`,
    };
  }
  const fromVersion = release.previousVersion;
  return {
    status: 'planned',
    environment,
    ...(fromVersion === undefined ? {} : { fromVersion }),
    toVersion,
    changeSet: { message: messageOf(move, toVersion, fromVersion, issues), changes },
    ...(issues.length === 0 ? {} : { issues }),
  };
};
