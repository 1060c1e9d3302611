import type { ChangeSet, RepoSnapshot } from '../../ports/git-host';
import type { ReleaseRenderer } from '../../ports/release-renderer';
import { DEFAULT_LAYOUT, environmentDir, kustomizationPath, releasePath } from '../layout';
import { validateHelmRelease } from '../manifests/flux-schema';
import { retargetHelmRelease } from '../manifests/helm-release-manifest';
import { readReleaseState } from '../manifests/release-annotations';
import { readReleaseValues, sameValues, type Values, writeReleaseValues } from '../manifests/release-values';
import { type EnvironmentPolicy, environmentNamed, type PromotionPolicy } from '../policy/policy';
import type { PlanOptions } from '../promotion';
import { sourceUri } from '../uploads/commit-message';
import { composeValues } from './compose-values';
import {
  type RenderedChange,
  VALUES_BASE_ANNOTATION,
  type ValuesChange,
  type ValuesRefusal,
  type ValuesRefusalCode,
} from './values-change';
import { renderedChange, renderRefusal, renderRelease, schemaRefusal } from './values-checks';
import { secretsMessage, suspectedSecrets } from './values-secrets';
import { chartDirOf, chartFilesIn } from './values-snapshot';
import { repositoryValuesSources } from './values-sources';

export interface ValuesPlanOptions extends PlanOptions {
  /** Proves the values render (helm template); absent = the schema check only. */
  readonly renderer?: ReleaseRenderer;
  /** Render before and after and say which objects change. @default for pull-request environments */
  readonly compare?: boolean;
  /**
   * The host can keep the values-base branch (GitHost.setBranch): record the commit the change is
   * made on, for an automatic rollback, in environments with `autoRollback: true`.
   */
  readonly recordBase?: boolean;
}

export type ValuesPlan =
  | {
      readonly status: 'planned';
      readonly environment: EnvironmentPolicy;
      readonly chartVersion: string;
      readonly changeSet: ChangeSet;
      /** The `values:` entry of the HelmRelease before and after (for diffs). */
      readonly valuesText: { readonly before: string; readonly after: string };
      /** Present when rendered before and after; `undefined` when not compared or not renderable. */
      readonly rendered?: RenderedChange;
      /** Why the change was not compared by rendering, when it should have been. */
      readonly renderNote?: string;
      /** The commit the change is made on was recorded as its base (VALUES_BASE_ANNOTATION). */
      readonly recordsBase: boolean;
    }
  | {
      readonly status: 'unchanged';
      readonly environment: EnvironmentPolicy;
      readonly chartVersion: string;
      readonly reason: string;
    }
  | ValuesRefusal;

const encoder = new TextEncoder();

const refused = (code: ValuesRefusalCode, message: string, path?: string): ValuesRefusal => ({
  status: 'refused',
  code,
  message,
  ...(path === undefined ? {} : { path }),
});

const isMap = (value: unknown): value is Values =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Dotted paths where two values documents differ (maps compared key by key), for commit subjects. */
export const changedPaths = (before: unknown, after: unknown, prefix = ''): string[] => {
  if (sameValues(before, after)) return [];
  if (!isMap(before) || !isMap(after)) return [prefix || '(all)'];
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return keys.flatMap((key) => changedPaths(before[key], after[key], prefix ? `${prefix}.${key}` : key));
};

const SUBJECT_PATHS = 3;

const messageOf = (change: ValuesChange, chartVersion: string, paths: readonly string[]): string => {
  const verb = change.kind === 'set' ? 'set values of' : 'rollback values of';
  const what =
    paths.length === 0
      ? ''
      : paths.length <= SUBJECT_PATHS
        ? ` (${paths.join(', ')})`
        : ` (${paths.length} keys)`;
  const trailers = [
    `Chart-Promoter-Run: ${change.runId.replace(/[\r\n]+/g, ' ')}`,
    ...(change.source ? [`Chart-Promoter-Source: ${sourceUri({ source: change.source })}`] : []),
    `Chart-Promoter-Chart-Version: ${chartVersion}`,
  ];
  return `${verb} ${change.chart} in ${change.environment}${what}\n\n${trailers.join('\n')}\n`;
};

/**
 * Plans a values change on `snapshot` (read with valuesSnapshotRequest, the policy from the same
 * commit): nothing that looks like a credential (values-secrets.ts); the environment and its
 * HelmRelease must exist; `spec.values` is rewritten
 * (release-values.ts) and the run id annotation renewed; the values Flux would compose from it
 * (compose-values.ts, with the repository's ConfigMap generators) must satisfy the chart's schema and
 * render with helm. Nothing to commit when the release already has these values.
 */
export const planValuesChange = async (
  snapshot: RepoSnapshot,
  policy: PromotionPolicy,
  change: ValuesChange,
  options: ValuesPlanOptions = {},
): Promise<ValuesPlan> => {
  const layout = options.layout ?? DEFAULT_LAYOUT;
  // New values only: a rollback puts back what the repository held.
  const secrets = change.kind === 'set' ? suspectedSecrets(change.values.value) : [];
  if (secrets.length > 0) return refused('VALUES_SECRET_SUSPECTED', secretsMessage(secrets));
  const environment = environmentNamed(policy, change.environment);
  if (!environment)
    return refused('ENVIRONMENT_UNKNOWN', `environment "${change.environment}" is not in the policy`);
  const path = releasePath(layout, environment.name, change.chart);
  const text = snapshot.files.get(path);
  if (text === undefined) {
    return refused(
      'RELEASE_NOT_FOUND',
      `${environment.name} does not run ${change.chart}: ${path} does not exist`,
      path,
    );
  }
  const state = readReleaseState(text);
  if (!state.ok) return refused('RELEASE_MANIFEST_INVALID', state.message, path);
  const current = readReleaseValues(text, options.releaseNamespaces?.[environment.name] ?? environment.name);
  if (!current.ok) return refused('RELEASE_MANIFEST_INVALID', current.message, path);
  const chartVersion = state.version;
  const edit = writeReleaseValues(text, change.values);
  if (!edit.ok) return refused('RELEASE_MANIFEST_INVALID', edit.message, path);
  if (!edit.changed) {
    const reason = `${environment.name}'s ${change.chart} already has these values`;
    return { status: 'unchanged', environment, chartVersion, reason };
  }

  const dir = chartDirOf(state.chartPath);
  if (dir === undefined)
    return refused(
      'VERSION_NOT_FOUND',
      `the HelmRelease names no chart directory (${state.chartPath})`,
      path,
    );
  const chart = chartFilesIn(snapshot, dir);
  if (!chart.ok) return refused(chart.code, chart.message, dir);
  const kustomization = snapshot.files.get(kustomizationPath(layout, environment.name));
  const sources = repositoryValuesSources(
    kustomization,
    environmentDir(layout, environment.name),
    snapshot.files,
    current.namespace,
  );
  const compose = (values: Values) =>
    composeValues(current.namespace, structuredClone(values), current.valuesFrom, sources);
  const after = compose(change.values.value);
  if (!after.ok) return refused(after.code, after.message, path);
  const schema = await schemaRefusal(chart.files, after.values);
  if (schema) return { ...schema, path: `${dir}/${schema.path}` };

  const release = {
    chart: { name: change.chart, version: chartVersion },
    tree: chart.tree,
    files: chart.files,
    releaseName: current.releaseName,
    namespace: current.namespace,
  };
  const compare = options.compare ?? environment.mode === 'pull-request';
  let rendered: RenderedChange | undefined;
  let renderNote: string | undefined;
  if (options.renderer) {
    const [afterRender, beforeRender] = await Promise.all([
      renderRelease(options.renderer, { ...release, values: after.values }),
      (async () => {
        if (!compare) return undefined;
        const before = compose(current.values);
        return before.ok
          ? renderRelease(options.renderer!, { ...release, values: before.values })
          : undefined;
      })(),
    ]);
    const failure = renderRefusal(afterRender);
    if (failure)
      return { ...failure, ...(failure.path === undefined ? {} : { path: `${dir}/${failure.path}` }) };
    if (compare && afterRender.ok) {
      if (beforeRender?.ok)
        rendered = renderedChange(beforeRender.manifests, afterRender.manifests, current.namespace);
      else
        renderNote =
          'the values before the change do not render (or cannot be composed): nothing to compare with';
    }
  } else if (compare) {
    renderNote = 'not rendered: the helm render check is off';
  }

  const recordsBase = environment.autoRollback && options.recordBase === true && snapshot.head !== undefined;
  const annotated = retargetHelmRelease(edit.text, {
    chartPath: state.chartPath,
    version: chartVersion,
    runId: change.runId,
    ...(recordsBase ? { annotations: { [VALUES_BASE_ANNOTATION]: snapshot.head! } } : {}),
  });
  if (!annotated.ok) return refused('RELEASE_MANIFEST_INVALID', annotated.message, path);
  const check = validateHelmRelease(annotated.object);
  if (!check.ok) {
    return refused(
      'RELEASE_SCHEMA_VIOLATION',
      `HelmRelease fails the Flux v2 CRD schema: ${check.message}`,
      path,
    );
  }
  const written = readReleaseValues(annotated.text, current.namespace);
  return {
    status: 'planned',
    environment,
    chartVersion,
    changeSet: {
      message: messageOf(change, chartVersion, changedPaths(current.values, change.values.value)),
      changes: [{ path, content: encoder.encode(annotated.text) }],
    },
    valuesText: { before: current.valuesText, after: written.ok ? written.valuesText : '' },
    ...(rendered === undefined ? {} : { rendered }),
    ...(renderNote === undefined ? {} : { renderNote }),
    recordsBase,
  };
};
